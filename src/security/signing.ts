import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com). A secret is `whsec_` followed by the
 * base64 of the key bytes; each signature is `v1,` + base64(HMAC-SHA256(key, "msgId.timestamp.body")).
 */

const SECRET_PREFIX = 'whsec_';
// Padding is required: common Standard Webhooks libraries reject unpadded secrets.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const GENERATED_KEY_BYTES = 32;

/** `whsec_` + padded standard base64 of a 24 to 64-byte key. */
export function isValidSigningSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX) || !BASE64.test(secret.slice(SECRET_PREFIX.length))) return false;
  const keyBytes = decodeKey(secret).length;
  return keyBytes >= MIN_KEY_BYTES && keyBytes <= MAX_KEY_BYTES;
}

export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(GENERATED_KEY_BYTES).toString('base64');
}

/**
 * The `webhook-signature` header value: one signature per secret, space-separated, so that a receiver that
 * knows either the old or the new secret verifies the request while secrets rotate.
 */
export function signPayload(input: {
  secrets: readonly string[];
  msgId: string;
  timestamp: number;
  body: string;
}): string {
  if (input.secrets.length === 0) throw new Error('at least one signing secret is needed to sign a payload');
  const content = `${input.msgId}.${input.timestamp}.${input.body}`;
  return input.secrets
    .map((secret) => {
      // A malformed secret would still yield a signature, one that no receiver can verify; fail loudly instead.
      if (!isValidSigningSecret(secret)) throw new Error('a signing secret is not a valid whsec_ secret');
      return `v1,${createHmac('sha256', decodeKey(secret)).update(content).digest('base64')}`;
    })
    .join(' ');
}

function decodeKey(secret: string): Buffer {
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}
