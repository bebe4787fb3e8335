import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * List cursors wrap Temporal's page token with a MAC over the token and the query it belongs to.
 * Temporal does not reject a forged page token quickly (it retries until the call times out), and a
 * cursor reused with other filters would page through the wrong result set: both are refused here.
 */
export function encodeCursor(token: Uint8Array, query: string, key: string): string {
  return `${Buffer.from(token).toString('base64url')}.${mac(token, query, key).toString('base64url')}`;
}

/** The page token inside an authentic cursor for this query, or undefined. */
export function decodeCursor(cursor: string, query: string, key: string): Buffer | undefined {
  const [encodedToken, encodedMac, ...rest] = cursor.split('.');
  if (!encodedToken || !encodedMac || rest.length > 0) return undefined;
  const token = Buffer.from(encodedToken, 'base64url');
  const expected = mac(token, query, key);
  const given = Buffer.from(encodedMac, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? token : undefined;
}

function mac(token: Uint8Array, query: string, key: string): Buffer {
  return createHmac('sha256', key)
    .update('hookrelay-cursor-v1\0')
    .update(query)
    .update('\0')
    .update(token)
    .digest()
    .subarray(0, 16);
}
