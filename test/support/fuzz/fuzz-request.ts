import assert from 'node:assert/strict';
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
