import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * The token in an ack/nack URL is the receiver's only credential: it names the hook, the project, the
 * attempt and the latest moment it can be used, and is signed with the server's callback secret (never
 * a project's signing secret, which receivers know). Used through ServerSecret.
 */
export interface CallbackClaims {
  hookId: string;
  projectId: string;
  attempt: number;
  /** Unix seconds after which the token is refused whatever the hook's state. */
  expiresAt: number;
}

const claimsSchema = z.object({
  h: z.string().min(1),
  p: z.string().min(1),
  a: z.int().min(1),
  e: z.int(),
});

// Domain separation: a MAC made for anything else with the same secret can never pass as a token.
const CONTEXT = 'hookrelay-callback-v1.';

function mac(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret)
    .update(CONTEXT + payload)
    .digest();
}

export function signCallbackToken(claims: CallbackClaims, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify({ h: claims.hookId, p: claims.projectId, a: claims.attempt, e: claims.expiresAt }),
  ).toString('base64url');
  return `${payload}.${mac(payload, secret).toString('base64url')}`;
}

/** The claims of an authentic token, or undefined for anything tampered with or malformed. */
export function verifyCallbackToken(token: string, secret: string): CallbackClaims | undefined {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) return undefined;
  const expected = mac(payload, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return { hookId: claims.h, projectId: claims.p, attempt: claims.a, expiresAt: claims.e };
  } catch {
    return undefined;
  }
}

/** The ack and nack URLs a delivery carries, under the API's public base URL. */
export function callbackUrls(publicUrl: string, token: string): { ack: string; nack: string } {
  const base = `${publicUrl.replace(/\/+$/, '')}/v1/callbacks/${token}`;
  return { ack: `${base}/ack`, nack: `${base}/nack` };
}
