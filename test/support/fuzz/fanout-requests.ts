import fc, { type Arbitrary } from 'fast-check';
import type { HTTPMethods } from 'fastify';
import {
  anyKey,
  authed,
  byIdAnswer,
  EMPTY_PAGE,
  foreignCursors,
  hexIds,
  limits,
  NO_FIELDS,
  pathIds,
} from './endpoint-requests';
import { type FuzzRequest, JSON_HEADERS, queryString, validationOr } from './fuzz-request';
import type { ProjectKeys } from './hook-requests';
import {
  data,
  type Fields,
  field,
  onlyWrong,
  optional,
  type Part,
  pathField,
  targets,
  unknownKeys,
  withFaults,
  wrongTypes,
} from './samples';

/**
 * Requests to the subscription and event routes. Neither project ever gets a subscription (every create
 * sent here is invalid), so an event's valid publish schedules nothing; events are published with the
 * `urls` key and listed with the `paths` key, whose listings stay empty.
 */

const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const eventTypes = fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => segments.join('.'));
const badEventTypes: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('', 'order created', 'a..b', '.a', 'a.', 'a.*', '**', 'é', 'x'.repeat(201), 'a\nb'),
  wrongTypes,
);

const patterns = fc.oneof(
  eventTypes,
  eventTypes.map((type) => `${type}.*`),
  eventTypes.map((type) => `${type}.**`),
  fc.constant('**'),
);
const badPatternLists: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom([], ['**.a'], ['a.**.b'], ['a b'], ['*a'], ['a', ''], 'a.b', [5], null),
  fc.constant(Array<string>(51).fill('a')),
);

const filters: Part = optional(
  field(
    'filter',
    fc.dictionary(
      fc.stringMatching(/^[a-z]{1,5}(\.[a-z]{1,5}){0,7}$/),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
      {
        maxKeys: 20,
      },
    ),
    fc.constantFrom<unknown>(
      { 'a.b.c.d.e.f.g.h.i': 1 },
      { 'a b': 1 },
      { 'a..b': 1 },
      { a: { b: 1 } },
      { a: [1] },
      [],
      'tier=gold',
      5,
    ),
  ),
);

const descriptions: Part = optional(
  field(
    'description',
    fc.string({ minLength: 1, maxLength: 500 }),
    fc.constantFrom<unknown>('', 'd'.repeat(501), 5, []),
  ),
);
const enabledFlags: Part = optional(
  field('enabled', fc.boolean(), fc.constantFrom<unknown>('true', 1, null, [])),
);
const patternLists: Part = field(
  'eventTypes',
  fc.array(patterns, { minLength: 1, maxLength: 50 }),
  badPatternLists,
);

/** `POST <url>` with bodies of one or two faults only, so that nothing is ever created. */
export const faultyCreates = (
  keys: ProjectKeys,
  url: string,
  parts: readonly Part[],
): Arbitrary<FuzzRequest> =>
  fc
    .tuple(
      anyKey(keys),
      withFaults(parts).filter((body) => body.broken.length > 0),
    )
    .map(([key, body]) => ({
      operation: `POST ${url}`,
      method: 'POST',
      url,
      headers: authed(key, JSON_HEADERS),
      payload: JSON.stringify(body.value),
      expected: validationOr(body, { status: 201 }),
    }));

/** A PATCH body: any fields, valid or not; an empty one is wrong as a whole. */
export const changeBodies = (parts: readonly Part[]): Arbitrary<Fields> =>
  withFaults(parts).map((body) =>
    Object.keys(body.value).length > 0 ? body : { ...body, broken: ['body'] },
  );

/**
 * `<method> <collection>/{id}<suffix>` with a body, on ids of `ids`' shape that no record has: 404 unless
 * the router, the params or the body refuse it first.
 */
export const bodiesById = (
  keys: ProjectKeys,
  method: HTTPMethods,
  collection: string,
  suffix: string,
  ids: Arbitrary<string>,
  bodies: Arbitrary<Fields>,
): Arbitrary<FuzzRequest> =>
  fc.tuple(anyKey(keys), pathIds(ids), bodies).map(([key, id, body]) => ({
    operation: `${method} ${collection}/{id}${suffix}`,
    method,
    url: `${collection}/${id.raw}${suffix}`,
    headers: authed(key, JSON_HEADERS),
    payload: JSON.stringify(body.value),
    expected: byIdAnswer(id, body),
  }));

const createSubscriptions = (keys: ProjectKeys) =>
  faultyCreates(keys, '/v1/subscriptions', [
    targets,
    patternLists,
    filters,
    descriptions,
    enabledFlags,
    onlyWrong(unknownKeys),
  ]);

const subscriptionChanges = changeBodies([
  optional(pathField),
  optional(patternLists),
  filters,
  descriptions,
  enabledFlags,
  onlyWrong(unknownKeys),
]);

const subscriptionIds = hexIds('sub_', 24);

const BY_ID: { method: HTTPMethods; operation: string }[] = [
  { method: 'GET', operation: 'GET /v1/subscriptions/{id}' },
  { method: 'DELETE', operation: 'DELETE /v1/subscriptions/{id}' },
];

/** The subscription routes: there is none in either project, so every id is unknown (404). */
export const subscriptionRequests = (keys: ProjectKeys): Arbitrary<FuzzRequest> => {
  const list = anyKey(keys).map((key): FuzzRequest => ({
    operation: 'GET /v1/subscriptions',
    method: 'GET',
    url: '/v1/subscriptions',
    headers: authed(key),
    expected: { status: 200, body: { data: [] } },
  }));
  const byId = fc
    .tuple(anyKey(keys), pathIds(subscriptionIds), fc.constantFrom(...BY_ID))
    .map(([key, id, { method, operation }]): FuzzRequest => ({
      operation,
      method,
      url: `/v1/subscriptions/${id.raw}`,
      headers: authed(key),
      expected: byIdAnswer(id, NO_FIELDS),
    }));
  const change = bodiesById(keys, 'PATCH', '/v1/subscriptions', '', subscriptionIds, subscriptionChanges);
  return fc.oneof(
    list,
    byId,
    { weight: 2, arbitrary: change },
    { weight: 2, arbitrary: createSubscriptions(keys) },
  );
};

/** A sender's event id: only wrong ones, since a repeat of a valid one answers 200 rather than 201. */
const badEventIds = onlyWrong(
  fc
    .constantFrom<unknown>('', 'a b', 'x'.repeat(101), 'é', 'a/b', 5, null, [])
    .map((id) => ({ value: { id }, broken: ['id'] })),
);

/** `POST /v1/events` with the `urls` key: a valid event matches no subscription and answers 201. */
const publishEvents = (keys: ProjectKeys): Arbitrary<FuzzRequest> =>
  withFaults([
    field('type', eventTypes, badEventTypes),
    data,
    badEventIds,
    // `id` is a field of this body: left out of the unknown keys.
    onlyWrong(unknownKeys.filter((fields) => !('id' in fields.value))),
  ]).map((body) => ({
    operation: 'POST /v1/events',
    method: 'POST',
    url: '/v1/events',
    headers: authed(keys.urls, JSON_HEADERS),
    payload: JSON.stringify(body.value),
    expected: validationOr(body, { status: 201 }),
  }));

/** `GET /v1/events` with the `paths` key, which never publishes: a valid query finds nothing. */
const listEvents = (keys: ProjectKeys, realCursor: string): Arbitrary<FuzzRequest> =>
  withFaults([
    optional(field('type', eventTypes, fc.constantFrom('', 'a b', 'a.*', 'x'.repeat(201)))),
    limits,
    onlyWrong(foreignCursors(realCursor)),
    onlyWrong(
      fc
        .constantFrom('foo', 'types', 'eventType', '__proto__', 'toString')
        .map((key) => ({ value: { [key]: 'x' }, broken: ['querystring'] })),
    ),
  ]).map((query) => ({
    operation: 'GET /v1/events',
    method: 'GET',
    url: `/v1/events${queryString(query.value)}`,
    headers: authed(keys.paths),
    expected: validationOr(query, EMPTY_PAGE),
  }));

/** `GET /v1/events/{id}`: no event has an id of these shapes in the `paths` project. */
const readEvents = (keys: ProjectKeys): Arbitrary<FuzzRequest> =>
  pathIds(hexIds('ev_', 32)).map((id) => ({
    operation: 'GET /v1/events/{id}',
    method: 'GET',
    url: `/v1/events/${id.raw}`,
    headers: authed(keys.paths),
    expected: byIdAnswer(id, NO_FIELDS),
  }));

export const eventRequests = (keys: ProjectKeys, realCursor: string): Arbitrary<FuzzRequest> =>
  fc.oneof(publishEvents(keys), listEvents(keys, realCursor), readEvents(keys));
