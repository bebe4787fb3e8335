import fc, { type Arbitrary } from 'fast-check';
import type { ExpectedError } from '../api-error';
import type { CallbackClaims } from '../../../src/security/callback-token';
import { ServerSecret } from '../../../src/security/server-secret';
import {
  BAD_PERCENT_ENCODING,
  type FuzzRequest,
  NOT_FOUND,
  ROUTER_PARAM_LIMIT,
  URI_TOO_LONG,
} from './fuzz-request';
import { hookIds, tampered, truncated } from './samples';

/** The one hook whose attempt waits for an ack, and the secret the server signs its tokens with. */
export interface AwaitingHook {
  projectId: string;
  hookId: string;
  attempt: number;
  callbackSecret: string;
}

const INVALID_TOKEN: ExpectedError = { status: 401, code: 'invalid_token' };
const ROUTER_ERRORS = [URI_TOO_LONG, BAD_PERCENT_ENCODING];

interface Token {
  raw: string;
  expected: ExpectedError;
}

const nowSecs = () => Math.floor(Date.now() / 1000);

/**
 * Tokens that must not apply: junk, truncated or tampered real tokens, tokens signed with another secret,
 * and authentic ones that are expired (410) or name a hook or attempt that does not exist (404). An
 * authentic, unexpired token for the waiting attempt is never made: it would acknowledge the hook.
 */
function tokens(hook: AwaitingHook): Arbitrary<Token> {
  const server = new ServerSecret(hook.callbackSecret);
  const stranger = new ServerSecret('another-secret-of-enough-length-0123456789');
  const sign = (claims: CallbackClaims, by = server) => by.signCallbackToken(claims);
  const expiredSecs = fc.integer({ min: 2, max: 10 * 365 * 86_400 }).map((ago) => nowSecs() - ago);
  const anyExpiry = fc.integer({ min: -86_400, max: 86_400 }).map((offset) => nowSecs() + offset);
  const live = sign({ ...hook, expiresAt: nowSecs() + 3600 });

  return fc.oneof(
    fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 120 })
      .filter((text) => text !== '.' && text !== '..')
      .map((text) => encodeURIComponent(text))
      .map((raw) => ({ raw, expected: raw.length > ROUTER_PARAM_LIMIT ? URI_TOO_LONG : INVALID_TOKEN })),
    fc.oneof(truncated(live), tampered(live)).map((raw) => ({ raw, expected: INVALID_TOKEN })),
    anyExpiry.map((expiresAt) => ({ raw: sign({ ...hook, expiresAt }, stranger), expected: INVALID_TOKEN })),
    fc.constantFrom(0, -1).map((attempt) => ({
      raw: sign({ ...hook, attempt, expiresAt: nowSecs() + 3600 }),
      expected: INVALID_TOKEN,
    })),
    expiredSecs.map((expiresAt) => ({
      raw: sign({ ...hook, expiresAt }),
      expected: { status: 410, code: 'deadline_passed' },
    })),
    fc.tuple(fc.integer({ min: 1, max: 1000 }), anyExpiry).map(([later, expiresAt]) => ({
      raw: sign({ ...hook, attempt: hook.attempt + later, expiresAt }),
      expected: NOT_FOUND,
    })),
    fc
      .tuple(hookIds(), fc.constantFrom(hook.projectId, 'paths', 'no-such-project'), anyExpiry)
      .map(([hookId, projectId, expiresAt]) => ({
        raw: sign({ hookId, projectId, attempt: 1, expiresAt }),
        expected: NOT_FOUND,
      })),
    fc.constantFrom(ROUTER_PARAM_LIMIT + 1, 4000).map((length) => ({
      raw: 'a'.repeat(length),
      expected: URI_TOO_LONG,
    })),
    fc.constantFrom('%', '%zz', 'abc%E0%A4%A').map((raw) => ({ raw, expected: BAD_PERCENT_ENCODING })),
  );
}

const CONTENT_TYPES = [
  undefined,
  'application/json',
  'text/plain',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'image/png',
];

/** A callback's body limit: what is over it is refused before the token is read. */
const CALLBACK_BODY_LIMIT = 64 * 1024;

/**
 * `POST /v1/callbacks/{token}/{kind}`: no API key, any content type. The router answers first, then the
 * body limit, then the kind, then the token.
 */
export const callbackRequests = (hook: AwaitingHook): Arbitrary<FuzzRequest> =>
  fc
    .tuple(
      tokens(hook),
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('ack', 'nack').map((kind) => ({ kind, valid: true })) },
        fc.constantFrom('ACK', 'retry', 'nack2', 'ack%20').map((kind) => ({ kind, valid: false })),
      ),
      fc.constantFrom(...CONTENT_TYPES),
      fc.oneof(
        { weight: 2, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: fc.string({ maxLength: 300 }) },
        fc.constant('{"__proto__": {"polluted": true}}'),
        fc.constant('x'.repeat(CALLBACK_BODY_LIMIT + 1)),
      ),
    )
    .map(([token, { kind, valid }, contentType, body]): FuzzRequest => {
      const tooLarge = body !== undefined && body.length > CALLBACK_BODY_LIMIT;
      const expected = ROUTER_ERRORS.includes(token.expected)
        ? token.expected
        : tooLarge
          ? { status: 413, code: 'payload_too_large' }
          : valid
            ? token.expected
            : { status: 400, code: 'validation_failed', brokenFields: ['kind'] };
      return {
        operation: 'POST /v1/callbacks/{token}/{kind}',
        method: 'POST',
        url: `/v1/callbacks/${token.raw}/${kind}`,
        headers: contentType && body !== undefined ? { 'content-type': contentType } : {},
        ...(body === undefined ? {} : { payload: body }),
        expected,
      };
    });
