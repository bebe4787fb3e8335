import fc, { type Arbitrary } from 'fast-check';
import type { HTTPMethods } from 'fastify';
import type { ExpectedError } from '../api-error';
import {
  type FuzzRequest,
  JSON_HEADERS,
  malformedPathIds,
  NOT_FOUND,
  type PathId,
  queryString,
  validationOr,
} from './fuzz-request';
import {
  batchesAndAsyncFlags,
  data,
  dueTimes,
  exactlyOne,
  type Fields,
  field,
  filterParts,
  hookIds,
  merge,
  onlyWrong,
  optional,
  type Part,
  pathOnly,
  retryOverrides,
  someWrong,
  tampered,
  targets,
  truncated,
  unknownKeys,
  withFaults,
  wrongTypes,
} from './samples';

/**
 * Requests to the hook routes, with the API keys of two projects that can schedule nothing the fuzzer
 * sends: `paths` delivers only to paths (so a valid `url` is refused), `urls` only to free URLs (so a
 * valid `path` is). Neither has a hook, so every hook id is unknown and every listing is empty.
 */
export interface ProjectKeys {
  paths: string;
  urls: string;
}

const authed = (key: string, extra: Record<string, string> = {}) => ({ 'x-api-key': key, ...extra });

const IDEMPOTENCY_KEY = 'idempotency-key';

/** An Idempotency-Key header, or none; a key over 255 characters is wrong. */
const idempotencyKeys: Part = optional(
  field(
    IDEMPOTENCY_KEY,
    fc.string({ minLength: 1, maxLength: 255 }).map((key) => key.trim() || 'k'),
    fc.constant('k'.repeat(256)),
  ),
);

const CREATE_PARTS = [
  targets,
  dueTimes,
  data,
  retryOverrides,
  batchesAndAsyncFlags,
  onlyWrong(unknownKeys),
  idempotencyKeys,
];

/**
 * `POST /v1/hooks`: a valid request goes to the project that refuses its target (403, and nothing
 * scheduled); the others must be refused for what is wrong in them, more often the target or the due
 * time, where the attacks are.
 */
export const createHookRequests = (keys: ProjectKeys): Arbitrary<FuzzRequest> =>
  fc
    .oneof({ weight: 2, arbitrary: withFaults(CREATE_PARTS) }, someWrong([targets, dueTimes]))
    .map((request): FuzzRequest => {
      const { [IDEMPOTENCY_KEY]: idempotencyKey, ...body } = request.value;
      const toPaths = 'url' in body;
      return {
        operation: 'POST /v1/hooks',
        method: 'POST',
        url: '/v1/hooks',
        headers: authed(toPaths ? keys.paths : keys.urls, {
          ...JSON_HEADERS,
          ...(typeof idempotencyKey === 'string' ? { [IDEMPOTENCY_KEY]: idempotencyKey } : {}),
        }),
        payload: JSON.stringify(body),
        expected: validationOr(request, {
          status: 403,
          code: toPaths ? 'url_not_allowed' : 'path_not_allowed',
        }),
      };
    });

/** A query string's values of the wrong kind: the same key twice. */
const repeatedKey = fc.array(fc.constantFrom('a', '1', 'pending'), { minLength: 2, maxLength: 3 });

const limits: Part = optional(
  field(
    'limit',
    fc.integer({ min: 1, max: 1000 }).map(String),
    fc.oneof(fc.constantFrom('0', '1001', '-1', '1.5', 'abc', '', 'Infinity', 'NaN'), repeatedKey),
  ),
);

/** Cursors that are not a nextCursor of this listing: random, truncated, tampered, or another query's. */
const foreignCursors = (realCursor: string): Arbitrary<Fields> => {
  const base64url = fc.string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')),
    minLength: 1,
    maxLength: 60,
  });
  return fc
    .oneof(
      fc.tuple(base64url, base64url).map(([token, mac]) => `${token}.${mac}`),
      fc.constantFrom('abc', 'a.b.c', 'a..b', '.', 'a b.c', 'é.é', `${'a'.repeat(4096)}.b`),
      fc.constant(realCursor),
      truncated(realCursor),
      tampered(realCursor),
    )
    .map((cursor) => ({ value: { cursor }, broken: ['cursor'] }));
};

const unknownQueryKeys = fc
  .constantFrom('foo', '__proto__', 'constructor', 'Status', 'limit[]', 'status[0]', 'hookIds', 'toString')
  .map((key) => ({ value: { [key]: 'x' }, broken: ['querystring'] }));

/**
 * `GET /v1/hooks`: filters, limits and cursors valid or not. `realCursor` is a nextCursor of another
 * project's listing, which this project's listing must refuse like any other stranger's cursor.
 */
export const listRequests = (keys: ProjectKeys, realCursor: string): Arbitrary<FuzzRequest> =>
  withFaults([
    ...filterParts(repeatedKey),
    limits,
    onlyWrong(foreignCursors(realCursor)),
    onlyWrong(unknownQueryKeys),
  ]).map((query): FuzzRequest => ({
    operation: 'GET /v1/hooks',
    method: 'GET',
    url: `/v1/hooks${queryString(query.value)}`,
    headers: authed(keys.paths),
    expected: validationOr(query, { status: 200, body: { data: [], nextCursor: null } }),
  }));

/** A path parameter as sent (percent-encoded), and what the router and the schema make of it. */
/** Hook ids in the path: unknown ones of the right shape, junk, too long, and broken percent-encoding. */
const pathIds = (): Arbitrary<PathId> =>
  fc.oneof(
    { weight: 3, arbitrary: hookIds().map((id) => ({ raw: id, tooLong: false })) },
    ...malformedPathIds(3, ['bulk']),
  );

/** A new due time for PATCH, perhaps with a field PATCH does not take. */
const reschedules = withFaults([
  dueTimes,
  onlyWrong(
    fc.oneof(
      unknownKeys,
      pathOnly.map((path) => ({ ...path, broken: ['body'] })),
    ),
  ),
]);

const BY_ID: { method: HTTPMethods; suffix: string; operation: string }[] = [
  { method: 'GET', suffix: '', operation: 'GET /v1/hooks/{id}' },
  { method: 'DELETE', suffix: '', operation: 'DELETE /v1/hooks/{id}' },
  { method: 'POST', suffix: '/retry', operation: 'POST /v1/hooks/{id}/retry' },
  { method: 'POST', suffix: '/replay', operation: 'POST /v1/hooks/{id}/replay' },
];

/** Routes on one hook: an unknown id is 404, whatever its shape, unless something else is wrong first. */
export const hookByIdRequests = (keys: ProjectKeys): Arbitrary<FuzzRequest> => {
  const paramsError: ExpectedError = { status: 400, code: 'validation_failed', brokenFields: ['id'] };
  const plain = fc
    .tuple(pathIds(), fc.constantFrom(...BY_ID))
    .map(([id, { method, suffix, operation }]): FuzzRequest => ({
      operation,
      method,
      url: `/v1/hooks/${id.raw}${suffix}`,
      headers: authed(keys.paths),
      expected: id.routerError ?? (id.tooLong ? paramsError : NOT_FOUND),
    }));
  const patch = fc.tuple(pathIds(), reschedules).map(([id, body]): FuzzRequest => ({
    operation: 'PATCH /v1/hooks/{id}',
    method: 'PATCH',
    url: `/v1/hooks/${id.raw}`,
    headers: authed(keys.paths, JSON_HEADERS),
    payload: JSON.stringify(body.value),
    expected: id.routerError ?? (id.tooLong ? paramsError : validationOr(body, NOT_FOUND)),
  }));
  return fc.oneof(plain, patch);
};

const hookIdLists = field(
  'hookIds',
  fc.oneof(
    fc.array(fc.oneof(hookIds(), fc.string({ minLength: 1, maxLength: 100 })), {
      minLength: 1,
      maxLength: 8,
    }),
    fc.constant(Array<string>(1000).fill('x')),
  ),
  fc.constantFrom([], Array<string>(1001).fill('x'), [''], ['a'.repeat(101)], 'hk_x', [1, 2], null),
);

const FILTER_PARTS = filterParts(wrongTypes);

/** A bulk filter: every filter valid, or one or two of them wrong, or no filter at all. */
const bulkFilters: Part = {
  valid: fc
    .tuple(...FILTER_PARTS.map((part) => part.valid))
    .map((parts) => ({ value: { filter: merge(...parts).value }, broken: [] })),
  invalid: fc.oneof(
    someWrong(FILTER_PARTS).map(({ value, broken }) => ({
      value: { filter: value },
      broken: broken.map((key) => `filter.${key}`),
    })),
    fc
      .constantFrom({ unknown: 1 }, 'pending', [], null, { hookIds: ['x'] })
      .map((filter) => ({ value: { filter }, broken: ['filter'] })),
  ),
};

/** What a bulk operation selects by: ids or a filter; wrong, both, or neither. */
const bulkSelections = exactlyOne(['hookIds', hookIdLists], ['filter', bulkFilters]);

const bulkLimits: Part = optional(
  field('limit', fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0, 1001, 1.5, '5', null, -1)),
);

/** `POST /v1/hooks/bulk/{action}`: with no hook in the project, a valid operation affects none. */
export const bulkRequests = (keys: ProjectKeys): Arbitrary<FuzzRequest> =>
  fc
    .tuple(
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc
            .constantFrom('retry', 'replay', 'cancel')
            .map((action) => ({ action, broken: false })),
        },
        fc
          .constantFrom('delete', 'RETRY', 'retry%20', 'cancel%00', 'replay%0D%0A')
          .map((action) => ({ action, broken: true })),
      ),
      withFaults([bulkSelections, bulkLimits, onlyWrong(unknownKeys)]),
    )
    .map(([{ action, broken }, body]): FuzzRequest => {
      return {
        operation: 'POST /v1/hooks/bulk/{action}',
        method: 'POST',
        url: `/v1/hooks/bulk/${action}`,
        headers: authed(keys.paths, JSON_HEADERS),
        payload: JSON.stringify(body.value),
        // The path is checked before the body.
        expected: broken
          ? { status: 400, code: 'validation_failed', brokenFields: ['action'] }
          : validationOr(body, { status: 200, body: { affected: 0 } }),
      };
    });
