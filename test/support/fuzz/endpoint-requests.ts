import fc, { type Arbitrary } from 'fast-check';
import type { HTTPMethods } from 'fastify';
import { ENDPOINT_STATES } from '../../../src/domain/endpoint';
import { ENDPOINT_ORDERS } from '../../../src/domain/endpoint-store';
import type { ExpectedError } from '../api-error';
import {
  type Expected,
  type FuzzRequest,
  JSON_HEADERS,
  malformedPathIds,
  NOT_FOUND,
  type PathId,
  queryString,
  validationOr,
} from './fuzz-request';
import type { ProjectKeys } from './hook-requests';
import {
  type Fields,
  field,
  onlyWrong,
  optional,
  type Part,
  someWrong,
  truncated,
  unknownKeys,
  withFaults,
} from './samples';

/**
 * Requests to the endpoint and alert routes, with the keys of projects that have delivered nothing: they
 * have no endpoint and no alert, so every endpoint id is unknown and every listing is empty.
 */

export const authed = (key: string, extra: Record<string, string> = {}) => ({ 'x-api-key': key, ...extra });

/** Either project's key: neither has an endpoint. */
export const anyKey = (keys: ProjectKeys): Arbitrary<string> => fc.constantFrom(keys.paths, keys.urls);

export const EMPTY_PAGE: Expected = { status: 200, body: { data: [], nextCursor: null } };

const HEX = '0123456789abcdef'.split('');

/** Endpoint ids of the right shape, which no endpoint has. */
export const endpointIds = (): Arbitrary<string> => hexIds('ep_', 24);

/** Ids of the shape `prefix` + `digits` hex digits. */
export const hexIds = (prefix: string, digits: number): Arbitrary<string> =>
  fc
    .string({ unit: fc.constantFrom(...HEX), minLength: digits, maxLength: digits })
    .map((hex) => prefix + hex);

/** Ids that are nearly endpoint ids, and are none: wrong prefix, length, case or digits. */
const nearEndpointIds: Arbitrary<string> = fc.oneof(
  endpointIds().map((id) => id.slice(0, -1)),
  endpointIds().map((id) => `${id}0`),
  endpointIds().map((id) => id.toUpperCase()),
  endpointIds().map((id) => `EP_${id.slice(3)}`),
  endpointIds().map((id) => `hk_${id.slice(3)}`),
  endpointIds().map((id) => `${id.slice(0, -1)}g`),
  endpointIds().map((id) => ` ${id}`),
  fc.constantFrom('ep_', 'ep', ''),
);

/** A query string's values of the wrong kind: the same key twice. */
const repeatedKey = fc.array(fc.constantFrom('a', '1', 'active', 'ep_0'), { minLength: 2, maxLength: 3 });

export const limits: Part = optional(
  field(
    'limit',
    fc.integer({ min: 1, max: 1000 }).map(String),
    fc.oneof(fc.constantFrom('0', '1001', '-1', '1.5', 'abc', '', 'Infinity', 'NaN', '1e4'), repeatedKey),
  ),
);

/**
 * Cursors no listing of this project handed out: refused by their shape, or (well-formed but not sealed
 * for this query) by the store; either way the answer names `cursor`.
 */
export const foreignCursors = (realCursor: string): Arbitrary<Fields> => {
  const base64url = fc.string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')),
    minLength: 1,
    maxLength: 60,
  });
  return fc
    .oneof(
      fc.tuple(base64url, base64url).map(([token, mac]) => `${token}.${mac}`),
      fc.constantFrom('abc', 'a.b.c', 'a..b', '.', 'a b.c', 'é.é', '', `${'a'.repeat(4096)}.b`),
      // A hook listing's cursor, sealed for another query.
      fc.constant(realCursor),
      truncated(realCursor),
      repeatedKey,
    )
    .map((cursor) => ({ value: { cursor }, broken: ['cursor'] }));
};

export const unknownQueryKeys = (keys: readonly string[]): Arbitrary<Fields> =>
  fc.constantFrom(...keys).map((key) => ({ value: { [key]: 'x' }, broken: ['querystring'] }));

const states: Part = optional(
  field(
    'state',
    fc.subarray([...ENDPOINT_STATES], { minLength: 1 }).map((list) => list.join(',')),
    fc.oneof(
      fc.constantFrom('ACTIVE', 'enabled', 'active,', ',', '', 'active,,paused', 'active paused', 'healthy'),
      repeatedKey,
    ),
  ),
);

const healths: Part = optional(
  field(
    'health',
    fc.constantFrom('healthy', 'failing'),
    fc.oneof(fc.constantFrom('Healthy', 'ok', '', 'healthy,failing', 'active'), repeatedKey),
  ),
);

const sorts: Part = optional(
  field(
    'sort',
    fc.constantFrom(...ENDPOINT_ORDERS),
    fc.oneof(fc.constantFrom('failurerate', 'URL', '', 'health', 'url,failureRate', '-url'), repeatedKey),
  ),
);

/** `GET /v1/endpoints`: filters, orders, limits and cursors valid or not; a valid query finds nothing. */
export const endpointListRequests = (keys: ProjectKeys, realCursor: string): Arbitrary<FuzzRequest> =>
  fc
    .tuple(
      anyKey(keys),
      withFaults([
        states,
        healths,
        sorts,
        limits,
        onlyWrong(foreignCursors(realCursor)),
        onlyWrong(
          unknownQueryKeys(['foo', '__proto__', 'constructor', 'State', 'states', 'status', 'toString']),
        ),
      ]),
    )
    .map(([key, query]): FuzzRequest => ({
      operation: 'GET /v1/endpoints',
      method: 'GET',
      url: `/v1/endpoints${queryString(query.value)}`,
      headers: authed(key),
      expected: validationOr(query, EMPTY_PAGE),
    }));

const endpointIdFilters: Part = optional(
  field('endpointId', endpointIds(), fc.oneof(nearEndpointIds, fc.constant(['ep_0', 'ep_1']))),
);

/** `GET /v1/alerts`: an endpoint filter, limits and cursors valid or not; a valid query finds nothing. */
export const alertListRequests = (keys: ProjectKeys, realCursor: string): Arbitrary<FuzzRequest> =>
  fc
    .tuple(
      anyKey(keys),
      withFaults([
        endpointIdFilters,
        limits,
        onlyWrong(foreignCursors(realCursor)),
        onlyWrong(
          unknownQueryKeys(['foo', '__proto__', 'endpoint', 'endpointID', 'state', 'hasOwnProperty']),
        ),
      ]),
    )
    .map(([key, query]): FuzzRequest => ({
      operation: 'GET /v1/alerts',
      method: 'GET',
      url: `/v1/alerts${queryString(query.value)}`,
      headers: authed(key),
      expected: validationOr(query, EMPTY_PAGE),
    }));

/**
 * Endpoint ids in the path: unknown ones of the right shape, near misses, junk, too long, and broken
 * percent-encoding. Every id the router and the params schema let through is answered 404.
 */
export const pathIds = (shapedIds: Arbitrary<string> = endpointIds()): Arbitrary<PathId> =>
  fc.oneof(
    { weight: 4, arbitrary: shapedIds.map((id) => ({ raw: id, tooLong: false })) },
    nearEndpointIds
      .filter((id) => id.length > 0)
      .map((id) => ({ raw: encodeURIComponent(id), tooLong: false })),
    ...malformedPathIds(2),
  );

const PARAMS_ERROR: ExpectedError = { status: 400, code: 'validation_failed', brokenFields: ['id'] };

/** What a route on one endpoint answers: the router, then the params, then the body, then the unknown id. */
export const byIdAnswer = (id: PathId, body: Fields): Expected =>
  id.routerError ?? (id.tooLong ? PARAMS_ERROR : validationOr(body, NOT_FOUND));

/** Neither a note nor an object of alert rules. */
const WRONG_KINDS = fc.constantFrom<unknown>(5, true, [], [1]);

/** One alert rule, and the values it takes or refuses. */
const alertRuleFields: Part[] = [
  field(
    'minSuccessRate',
    fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 0.5)),
    fc.oneof(
      fc.constantFrom(-0.01, 1.01, 2, -1, 100, '0.5', null, true),
      fc.double({ min: 1.0001, max: 1e9 }),
    ),
  ),
  field(
    'windowMinutes',
    fc.integer({ min: 1, max: 60 }),
    fc.constantFrom(0, 61, -1, 1.5, 30.5, '5', null, 1e9),
  ),
  field(
    'minAttempts',
    fc.integer({ min: 1, max: 1_000_000 }),
    fc.constantFrom(0, -1, 1.5, 1_000_001, '3', null, false),
  ),
  field(
    'maxConsecutiveFailures',
    fc.integer({ min: 1, max: 1_000_000 }),
    fc.constantFrom(0, -5, 2.5, 1_000_001, '3', null, []),
  ),
].map(optional);

/** `alertRules`: any subset of the rules, or null; or a rule out of range, or not an object of rules. */
const alertRules: Part = optional({
  valid: fc.oneof(
    fc.tuple(...alertRuleFields.map((part) => part.valid)).map((fields) => ({
      value: { alertRules: Object.assign({}, ...fields.map((part) => part.value)) as object },
      broken: [],
    })),
    fc.constant({ value: { alertRules: null }, broken: [] }),
  ),
  invalid: fc.oneof(
    {
      weight: 3,
      arbitrary: someWrong(alertRuleFields).map(({ value, broken }) => ({
        value: { alertRules: value },
        broken: broken.map((key) => `alertRules.${key}`),
      })),
    },
    fc
      .oneof(
        WRONG_KINDS,
        fc.constantFrom({ unknown: 1 }, { minsuccessrate: 0.5 }, { windowMinutes: 5, x: 1 }),
      )
      .map((value) => ({ value: { alertRules: value }, broken: ['alertRules'] })),
  ),
});

const MAX_AUTO_DISABLE_SECS = 365 * 86_400;

const autoDisableAfterSecs: Part = optional(
  field(
    'autoDisableAfterSecs',
    fc.oneof(
      fc.integer({ min: 0, max: MAX_AUTO_DISABLE_SECS }),
      fc.constantFrom(0, MAX_AUTO_DISABLE_SECS, null),
    ),
    fc.oneof(
      fc.constantFrom(-1, MAX_AUTO_DISABLE_SECS + 1, 1.5, 3600.5, '3600', 1e12),
      fc.constantFrom<unknown>(true, 'x', [], [60], {}),
    ),
  ),
);

/**
 * A PATCH body: alert rules and an auto-disable window, valid or not, perhaps with a key PATCH does not
 * take. A body with neither setting is wrong as a whole.
 */
const endpointSettings: Arbitrary<Fields> = withFaults([
  alertRules,
  autoDisableAfterSecs,
  onlyWrong(unknownKeys),
]).map((body) =>
  'alertRules' in body.value || 'autoDisableAfterSecs' in body.value
    ? body
    : { ...body, broken: [...body.broken, 'body'] },
);

/** The body of a pause or resume: none at all, or JSON with an optional note of 1 to 500 characters. */
export interface StateChangeBody {
  payload?: string;
  fields: Fields;
}

export const NO_FIELDS: Fields = { value: {}, broken: [] };

const notes: Part = optional(
  field(
    'note',
    fc.oneof(
      fc.string({ minLength: 1, maxLength: 500 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.constant('n'.repeat(500)),
    ),
    fc.oneof(fc.constantFrom('', 'n'.repeat(501), 'é'.repeat(501)), WRONG_KINDS, fc.constant(null)),
  ),
);

export const stateChangeBodies: Arbitrary<StateChangeBody> = fc.oneof(
  fc.constant({ fields: NO_FIELDS }),
  fc.constant({ payload: 'null', fields: NO_FIELDS }),
  {
    weight: 4,
    arbitrary: withFaults([notes, onlyWrong(unknownKeys)]).map((fields) => ({
      payload: JSON.stringify(fields.value),
      fields,
    })),
  },
  fc
    .constantFrom<unknown>('pausing', 5, [], [{ note: 'x' }], true)
    .map((body) => ({ payload: JSON.stringify(body), fields: { value: {}, broken: ['body'] } })),
);

const BY_ID_READS: { method: HTTPMethods; suffix: string; operation: string }[] = [
  { method: 'GET', suffix: '', operation: 'GET /v1/endpoints/{id}' },
];

const STATE_CHANGES = ['pause', 'resume'] as const;

/**
 * Routes on one endpoint: with no endpoint in either project, an id the router and the params schema
 * take is unknown, whatever its shape (404), unless the body is wrong, which is checked first (400).
 */
export const endpointByIdRequests = (keys: ProjectKeys): Arbitrary<FuzzRequest> => {
  const reads = fc
    .tuple(anyKey(keys), pathIds(), fc.constantFrom(...BY_ID_READS))
    .map(([key, id, { method, suffix, operation }]): FuzzRequest => ({
      operation,
      method,
      url: `/v1/endpoints/${id.raw}${suffix}`,
      headers: authed(key),
      expected: byIdAnswer(id, NO_FIELDS),
    }));
  const configure = fc
    .tuple(anyKey(keys), pathIds(), endpointSettings)
    .map(([key, id, body]): FuzzRequest => ({
      operation: 'PATCH /v1/endpoints/{id}',
      method: 'PATCH',
      url: `/v1/endpoints/${id.raw}`,
      headers: authed(key, JSON_HEADERS),
      payload: JSON.stringify(body.value),
      expected: byIdAnswer(id, body),
    }));
  const stateChanges = fc
    .tuple(anyKey(keys), pathIds(), fc.constantFrom(...STATE_CHANGES), stateChangeBodies)
    .map(([key, id, change, body]): FuzzRequest => ({
      operation: `POST /v1/endpoints/{id}/${change}`,
      method: 'POST',
      url: `/v1/endpoints/${id.raw}/${change}`,
      headers: body.payload === undefined ? authed(key) : authed(key, JSON_HEADERS),
      ...(body.payload === undefined ? {} : { payload: body.payload }),
      expected: byIdAnswer(id, body.fields),
    }));
  return fc.oneof(
    { weight: 1, arbitrary: reads },
    { weight: 2, arbitrary: configure },
    {
      weight: 2,
      arbitrary: stateChanges,
    },
  );
};
