import assert from 'node:assert/strict';
import fc, { type Arbitrary } from 'fast-check';
import type { HTTPMethods } from 'fastify';
import { type Answer, assertApiError, type ExpectedError } from '../api-error';
import type { Fields } from './samples';

/** A success a generated request may rightly get: a listing or a bulk operation that found nothing. */
export interface ExpectedSuccess {
  status: number;
  /** The whole JSON body; left out where the body is not JSON (metrics) or there is none (HEAD). */
  body?: unknown;
}

/** The one answer a generated request must get. */
export type Expected = ExpectedError | ExpectedSuccess;

/** A generated request and the one answer it must get. */
export interface FuzzRequest {
  /** The operation it aims at, as the OpenAPI document names it: "POST /v1/hooks/{id}/retry". */
  operation: string;
  method: HTTPMethods;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  expected: Expected;
}

/**
 * What every answer to a generated request must be: never a 5xx, and exactly the answer expected.
 * `context` names the request in a failure.
 */
export function checkAnswer(expected: Expected, answer: Answer, context: string): void {
  assert.ok(answer.statusCode < 500, `a server error: ${context} → ${answer.statusCode} ${answer.body}`);
  if ('code' in expected) {
    assertApiError(answer, expected, context);
    return;
  }
  assert.equal(answer.statusCode, expected.status, `${context} → ${answer.body.slice(0, 500)}`);
  if (expected.body !== undefined) assert.deepEqual(JSON.parse(answer.body), expected.body, context);
}

/** The answer to a body or query: a validation error naming what is broken, or `otherwise`. */
export function validationOr(fields: Fields, otherwise: Expected): Expected {
  return fields.broken.length
    ? { status: 400, code: 'validation_failed', brokenFields: fields.broken }
    : otherwise;
}

/** A query string from fields: arrays become repeated keys, everything is percent-encoded. */
export function queryString(fields: Record<string, unknown>): string {
  const pairs = Object.entries(fields).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map(
      (item) => `${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`,
    ),
  );
  return pairs.length ? `?${pairs.join('&')}` : '';
}

export const NOT_FOUND: ExpectedError = { status: 404, code: 'not_found' };

/** The router's own refusals, before any other check: a path parameter too long, or not percent-encoding. */
export const ROUTER_PARAM_LIMIT = 2048;
export const URI_TOO_LONG: ExpectedError = { status: 414, code: 'uri_too_long' };
export const BAD_PERCENT_ENCODING: ExpectedError = { status: 400, code: 'invalid_request' };
export const JSON_HEADERS = { 'content-type': 'application/json' };

/** A path parameter as sent (percent-encoded), and what the router and the params schema make of it. */
export interface PathId {
  raw: string;
  routerError?: ExpectedError;
  /** Longer than the params schema takes (100). */
  tooLong: boolean;
}

type MaybeWeighted<T> = Arbitrary<T> | { weight: number; arbitrary: Arbitrary<T> };

/**
 * Path parameters that no id can be, for any route with one: junk (other than `excluded`, the words that
 * name other routes there), too long for the params schema or the router, and broken percent-encoding.
 */
export function malformedPathIds(
  junkWeight: number,
  excluded: readonly string[] = [],
): MaybeWeighted<PathId>[] {
  return [
    {
      weight: junkWeight,
      arbitrary: fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
        .filter((id) => !['.', '..', ...excluded].includes(id))
        .map((id) => ({ raw: encodeURIComponent(id), tooLong: id.length > 100 })),
    },
    fc
      .constantFrom(100, 101, ROUTER_PARAM_LIMIT, ROUTER_PARAM_LIMIT + 1)
      .chain((length) => fc.constantFrom(length, length + 500))
      .map((length) => ({
        raw: 'a'.repeat(length),
        tooLong: length > 100,
        ...(length > ROUTER_PARAM_LIMIT ? { routerError: URI_TOO_LONG } : {}),
      })),
    fc
      .constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', 'a%')
      .map((raw) => ({ raw, tooLong: false, routerError: BAD_PERCENT_ENCODING })),
  ];
}
