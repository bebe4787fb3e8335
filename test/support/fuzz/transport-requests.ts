import fc, { type Arbitrary } from 'fast-check';
import type { HTTPMethods } from 'fastify';
import { MAX_DATA_DEPTH } from '../../../src/api/schemas';
import type { ExpectedError } from '../api-error';
import { type FuzzRequest, JSON_HEADERS, NOT_FOUND, queryString } from './fuzz-request';
import type { ProjectKeys } from './hook-requests';
import { hookIds } from './samples';

/**
 * Requests that are wrong before any field is read: no or a wrong API key, a body that is not JSON or
 * is hostile JSON, too large or too deep, a method or a path the API does not serve; and the routes that
 * take no input (health, readiness, metrics), which must answer whatever comes with the request.
 */

/** The largest body the fuzz stack takes: the largest maxDataBytes (64 KiB by default) plus 64 KiB. */
const BODY_LIMIT = 128 * 1024;

/** The hook routes, with a URL that is right for each: every one of them needs an API key. */
const authenticated = (id: string): { operation: string; method: HTTPMethods; url: string }[] => [
  { operation: 'POST /v1/hooks', method: 'POST', url: '/v1/hooks' },
  { operation: 'GET /v1/hooks', method: 'GET', url: '/v1/hooks?limit=5' },
  { operation: 'GET /v1/hooks/{id}', method: 'GET', url: `/v1/hooks/${id}` },
  { operation: 'PATCH /v1/hooks/{id}', method: 'PATCH', url: `/v1/hooks/${id}` },
  { operation: 'DELETE /v1/hooks/{id}', method: 'DELETE', url: `/v1/hooks/${id}` },
  { operation: 'POST /v1/hooks/{id}/retry', method: 'POST', url: `/v1/hooks/${id}/retry` },
  { operation: 'POST /v1/hooks/{id}/replay', method: 'POST', url: `/v1/hooks/${id}/replay` },
  { operation: 'POST /v1/hooks/bulk/{action}', method: 'POST', url: '/v1/hooks/bulk/cancel' },
];

/** The routes whose body is parsed: every POST and PATCH, whether or not it reads the body. */
const withBody = (id: string) =>
  authenticated(id).filter(({ method }) => method === 'POST' || method === 'PATCH');

const UNAUTHORIZED: ExpectedError = { status: 401, code: 'unauthorized' };

const wrongKeys = (realKey: string): Arbitrary<Record<string, string>> =>
  fc.oneof(
    fc.constant({}),
    fc.string({ maxLength: 80 }).map((key) => ({ 'x-api-key': key })),
    fc.nat({ max: realKey.length - 1 }).map((at) => ({
      'x-api-key': `${realKey.slice(0, at)}${realKey[at] === 'x' ? 'y' : 'x'}${realKey.slice(at + 1)}`,
    })),
    fc
      .constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `Bearer ${realKey} extra`, `Token ${realKey}`)
      .map((authorization) => ({ authorization })),
    fc.constant({ authorization: `Bearer ${'a'.repeat(100_000)}` }),
  );

const authFaults = (keys: ProjectKeys): Arbitrary<FuzzRequest> =>
  fc.tuple(hookIds(), wrongKeys(keys.paths)).chain(([id, headers]) =>
    fc.constantFrom(...authenticated(id)).map((route) => ({
      ...route,
      headers: { ...headers, ...JSON_HEADERS },
      payload: '{"path": "/a", "postIn": "1m"}',
      expected: UNAUTHORIZED,
    })),
  );

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'text/html',
  'application/octet-stream',
  'image/png',
];

/** A JSON body (valid for none of the routes, which does not matter: it is refused before validation). */
const SOME_BODY = JSON.stringify({ path: '/a', postIn: '1m', data: { orderId: 42, items: ['a', 'b'] } });

/** Malformed JSON: every proper prefix of an object is, and so are these. */
const malformedJson: Arbitrary<string> = fc.oneof(
  fc.integer({ min: 0, max: SOME_BODY.length - 1 }).map((end) => SOME_BODY.slice(0, end)),
  fc.constantFrom(
    '{"path": }',
    "{'path': '/a'}",
    'nul',
    '{"a":1}{"b":2}',
    '{"a":1,}',
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"a":0x10}',
    '{"a":"\u0000"}',
    '{"a":01}',
  ),
);

/** Keys that would reach an object's prototype, as the JSON parser must refuse them. */
const POLLUTING_MEMBERS = [
  '"__proto__": {"polluted": true}',
  '"\\u005f_proto__": {"polluted": true}',
  '"__proto__" : []',
  '"constructor": {"prototype": {"polluted": true}}',
];

/** A polluting member somewhere in a body: at the top, or nested in `data` or `retryOverride`. */
const hostileJson: Arbitrary<string> = fc
  .tuple(fc.constantFrom(...POLLUTING_MEMBERS), fc.integer({ min: 0, max: 20 }), fc.boolean())
  .map(([member, depth, inRetry]) => {
    if (depth === 0) return `{${member}, "path": "/a", "postIn": "1m"}`;
    if (inRetry) return `{"path": "/a", "postIn": "1m", "retryOverride": {${member}}}`;
    return `{"path": "/a", "postIn": "1m", "data": ${'{"a": '.repeat(depth - 1)}{${member}}${'}'.repeat(depth - 1)}}`;
  });

/** Bodies refused while parsing: wrong content type, malformed or hostile JSON, too large. */
const bodyFaults = (keys: ProjectKeys): Arbitrary<FuzzRequest> =>
  fc
    .tuple(
      hookIds(),
      fc.oneof(
        fc.tuple(fc.constantFrom(...WRONG_CONTENT_TYPES), fc.constant(SOME_BODY)).map(([type, payload]) => ({
          headers: { 'content-type': type },
          payload,
          expected: { status: 415, code: 'unsupported_media_type' },
        })),
        fc.constant({
          headers: {},
          payload: SOME_BODY,
          expected: { status: 415, code: 'unsupported_media_type' },
        }),
        malformedJson.map((payload) => ({
          headers: JSON_HEADERS,
          payload,
          expected: { status: 400, code: 'invalid_json' },
        })),
        hostileJson.map((payload) => ({
          headers: JSON_HEADERS,
          payload,
          expected: { status: 400, code: 'invalid_json' },
        })),
        fc.integer({ min: BODY_LIMIT + 1, max: 3 * BODY_LIMIT }).map((size) => ({
          headers: JSON_HEADERS,
          payload: `{"path": "/a", "postIn": "1m", "data": "${'x'.repeat(size)}"}`,
          expected: { status: 413, code: 'payload_too_large' },
        })),
      ),
    )
    .chain(([id, fault]) =>
      fc.constantFrom(...withBody(id)).map((route) => ({
        ...route,
        ...fault,
        headers: { 'x-api-key': keys.paths, ...fault.headers },
      })),
    );

/**
 * `data` nested `depth` levels deep, in arrays or objects, in a body otherwise valid for the `urls`
 * project, which refuses its path (403); deeper than `MAX_DATA_DEPTH`, `data` itself is refused.
 */
const deepData = (keys: ProjectKeys): Arbitrary<FuzzRequest> =>
  fc
    .tuple(
      fc.oneof(
        fc.integer({ min: 1, max: MAX_DATA_DEPTH }),
        fc.integer({ min: MAX_DATA_DEPTH + 1, max: 60_000 }),
      ),
      fc.boolean(),
    )
    .map(([depth, arrays]): FuzzRequest => {
      const [open, close] = arrays ? ['[', ']'] : ['{"a":', '}'];
      const data = `${open.repeat(depth)}${arrays ? '' : '1'}${close.repeat(depth)}`;
      const payload = `{"path": "/deep", "postIn": "1m", "data": ${data}}`;
      return {
        operation: 'POST /v1/hooks',
        method: 'POST',
        url: '/v1/hooks',
        headers: { 'x-api-key': keys.urls, ...JSON_HEADERS },
        payload,
        expected:
          payload.length > BODY_LIMIT
            ? { status: 413, code: 'payload_too_large' }
            : depth > MAX_DATA_DEPTH
              ? { status: 400, code: 'validation_failed', brokenFields: ['data'] }
              : { status: 403, code: 'path_not_allowed' },
      };
    });

/** Each path the API serves, with the methods it serves there; HEAD comes with every GET. */
const SERVED: { path: (id: string) => string; methods: HTTPMethods[] }[] = [
  { path: () => '/v1/hooks', methods: ['GET', 'POST'] },
  { path: (id) => `/v1/hooks/${id}`, methods: ['GET', 'PATCH', 'DELETE'] },
  { path: (id) => `/v1/hooks/${id}/retry`, methods: ['POST'] },
  { path: (id) => `/v1/hooks/${id}/replay`, methods: ['POST'] },
  { path: () => '/v1/hooks/bulk/retry', methods: ['POST'] },
  { path: () => '/v1/callbacks/token.mac/ack', methods: ['POST'] },
  { path: () => '/healthz', methods: ['GET'] },
  { path: () => '/readyz', methods: ['GET'] },
  { path: () => '/metrics', methods: ['GET'] },
];

const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** A method a path is not served with, or a path the API does not serve at all: 404 in its format. */
const unservedRoutes = (keys: ProjectKeys): Arbitrary<FuzzRequest> =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...SERVED), hookIds()).chain(([{ path, methods }, id]) =>
      fc.constantFrom(...METHODS.filter((method) => !methods.includes(method))).map((method) => ({
        operation: 'unserved',
        method,
        url: path(id),
        headers: { 'x-api-key': keys.paths },
        expected: NOT_FOUND,
      })),
    ),
    fc
      .tuple(
        fc.constantFrom('/', '/v1/', '/v1/hooks/x/y/', '/v1/callbacks/'),
        // No "/": a router may match a decoded %2F as a separator.
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((junk) => !junk.includes('/')),
        fc.constantFrom<HTTPMethods>('GET', 'POST'),
      )
      .map(([prefix, junk, method]) => ({
        operation: 'unserved',
        method,
        // The prefix keeps the path away from every route, whatever the junk decodes to.
        url: `${prefix}zz-${encodeURIComponent(junk)}`,
        headers: { 'x-api-key': keys.paths },
        expected: NOT_FOUND,
      })),
  );

/** The routes that take no input, and what each answers to a GET. */
export const INPUT_FREE_ROUTES = [
  { operation: 'GET /healthz', url: '/healthz', body: { status: 'ok' } },
  { operation: 'GET /readyz', url: '/readyz', body: { status: 'ready' } },
  { operation: 'GET /metrics', url: '/metrics', body: undefined },
  { operation: 'GET /openapi.json', url: '/openapi.json', body: undefined },
];

/** A route that takes no input answers the same whatever query and headers come along. */
export const inputFreeRequests = ({
  operation,
  url,
  body,
}: (typeof INPUT_FREE_ROUTES)[number]): Arbitrary<FuzzRequest> =>
  fc
    .tuple(
      fc.dictionary(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        { maxKeys: 4 },
      ),
      fc.constantFrom<HTTPMethods>('GET', 'HEAD'),
      fc.oneof(
        fc.constant({}),
        fc.string({ maxLength: 40 }).map((key) => ({ 'x-api-key': key })),
      ),
    )
    .map(([query, method, headers]) => ({
      operation,
      method,
      url: `${url}${queryString(query)}`,
      headers,
      expected: { status: 200, ...(method === 'GET' ? { body } : {}) },
    }));

/**
 * `GET /v1/overview` takes nothing but the key: with a project's key it answers 200 whatever query comes
 * along (its figures change as the fuzzer goes, so only the status is checked), with any other 401.
 */
export const overviewRequests = (keys: ProjectKeys): Arbitrary<FuzzRequest> =>
  fc
    .tuple(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
      fc.oneof(
        fc.constantFrom(keys.paths, keys.urls).map((key) => ({ headers: { 'x-api-key': key }, ok: true })),
        wrongKeys(keys.paths).map((headers) => ({ headers, ok: false })),
      ),
    )
    .map(([query, { headers, ok }]) => ({
      operation: 'GET /v1/overview',
      method: 'GET',
      url: `/v1/overview${queryString(query)}`,
      headers,
      expected: ok ? { status: 200 } : UNAUTHORIZED,
    }));

export const transportRequests = (keys: ProjectKeys): Arbitrary<FuzzRequest> =>
  fc.oneof(authFaults(keys), bodyFaults(keys), deepData(keys), unservedRoutes(keys));
