import { randomBytes } from 'node:crypto';
import { type CallbackClaims, signCallbackToken, verifyCallbackToken } from './callback-token';
import { decodeCursor, encodeCursor } from './page-cursor';

/** Signs the tokens in ack/nack URLs: the delivery activity's need. */
export interface CallbackTokenSigner {
  signCallbackToken(claims: CallbackClaims): string;
}

/** Checks the token of an incoming ack/nack: the callback route's need. */
export interface CallbackTokenVerifier {
  /** The claims of an authentic token, or undefined for anything tampered with or malformed. */
  verifyCallbackToken(token: string): CallbackClaims | undefined;
}

/** Seals Temporal page tokens into list cursors bound to their query: the hook reader's need. */
export interface CursorSeal {
  sealCursor(pageToken: Uint8Array, query: string): string;
  /** The page token inside an authentic cursor for this query, or undefined. */
  openCursor(cursor: string, query: string): Buffer | undefined;
}

/**
 * The server secret (`callbackSecret` in the config) is private to hookrelay's own processes, unlike a
 * project's signing secrets, which receivers hold. It has two uses, each MAC'd under its own context
 * label so that a value made for one can never pass as the other: the tokens in ack/nack URLs, and list
 * cursors. Every API and worker process must share it: a worker signs the tokens an API verifies.
 */
export class ServerSecret implements CallbackTokenSigner, CallbackTokenVerifier, CursorSeal {
  constructor(private readonly secret: string) {}

  signCallbackToken(claims: CallbackClaims): string {
    return signCallbackToken(claims, this.secret);
  }

  verifyCallbackToken(token: string): CallbackClaims | undefined {
    return verifyCallbackToken(token, this.secret);
  }

  sealCursor(pageToken: Uint8Array, query: string): string {
    return encodeCursor(pageToken, query, this.secret);
  }

  openCursor(cursor: string, query: string): Buffer | undefined {
    return decodeCursor(cursor, query, this.secret);
  }
}

/** A new server secret for the config (see `npm run keygen`). */
export function generateServerSecret(): string {
  return randomBytes(32).toString('base64url');
}
