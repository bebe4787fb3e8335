import { createHmac } from 'node:crypto';
import fc, { type Arbitrary } from 'fast-check';
import type { ExpectedError } from '../api-error';
import { anyKey, authed, EMPTY_PAGE, foreignCursors, limits, unknownQueryKeys } from './endpoint-requests';
import {
  type Expected,
  type FuzzRequest,
  malformedPathIds,
  NOT_FOUND,
  type PathId,
  queryString,
  validationOr,
} from './fuzz-request';
import type { ProjectKeys } from './hook-requests';
import { field, onlyWrong, optional, withFaults } from './samples';

/**
 * Requests to the ingestion routes. The `paths` project has one source, FUZZ_SOURCE, whose sender's
 * secret only FUZZ_SOURCE_SECRET knows: a request signed with it is one whose body is refused (not JSON,
 * or no usable event id), so nothing is ever kept or forwarded, and every ingested-event listing is
 * empty.
 */

export const FUZZ_SOURCE = {
  id: 'fuzz-source',
  verification: { scheme: 'hmac-sha256' as const, secrets: ['fuzz-source-secret'] },
  eventId: { pointer: '/id' },
  maxBodyBytes: 4096,
  forward: { targets: [{ path: '/ingested' }] },
};
const SECRET = FUZZ_SOURCE.verification.secrets[0] ?? '';

const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');

/** Bodies a correct signature does not save: not JSON, or JSON without a usable event id. */
const refusedBodies: Arbitrary<{ body: string; code: string }> = fc.oneof(
  fc
    .constantFrom(
      '',
      '{',
      'nul',
      '{"id":',
      "{'id':'a'}",
      '{"a":1}{"b":2}',
      `${'['.repeat(2000)}${']'.repeat(2000)}`,
    )
    .map((body) => ({ body, code: 'invalid_json' })),
  fc
    .constantFrom<unknown>({}, { id: null }, { id: '' }, { id: { a: 1 } }, { id: [] }, [], 5, 'text', null)
    .map((body) => ({ body: JSON.stringify(body), code: 'missing_event_id' })),
  fc
    .constantFrom('a b', 'x'.repeat(101), 'é', 'a/b', 'a\nb')
    .map((id) => ({ body: JSON.stringify({ id }), code: 'invalid_event_id' })),
  fc
    .constantFrom('', 'a b', 'a..b', 5, true)
    .map((type) => ({ body: JSON.stringify({ id: 'evt_1', type }), code: 'invalid_event_type' })),
);

const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
];

/** `POST /v1/ingest/{sourceId}`: unsigned, forged, oversized, or signed over a body that is refused. */
const ingestRequests: Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.oneof(
      fc.string({ maxLength: 200 }).map((body) => ({
        body,
        headers: {},
        expected: { status: 401, code: 'signature_missing' },
      })),
      fc
        .tuple(fc.string({ maxLength: 200 }), fc.string({ minLength: 1, maxLength: 80 }))
        .map(([body, signature]) => ({
          body,
          headers: { 'x-signature': signature },
          expected: { status: 401, code: 'signature_invalid' },
        })),
      fc.integer({ min: FUZZ_SOURCE.maxBodyBytes + 1, max: 4 * FUZZ_SOURCE.maxBodyBytes }).map((size) => {
        const body = JSON.stringify({ id: 'evt_big', pad: 'x'.repeat(size) });
        return {
          body,
          headers: { 'x-signature': sign(body) },
          expected: { status: 413, code: 'payload_too_large' },
        };
      }),
      refusedBodies.map(({ body, code }) => ({
        body,
        headers: { 'x-signature': sign(body) },
        expected: { status: 400, code },
      })),
    ),
    fc.constantFrom(...CONTENT_TYPES),
  )
  .map(([{ body, headers, expected }, contentType]) => ({
    operation: 'POST /v1/ingest/{sourceId}',
    method: 'POST',
    url: `/v1/ingest/${FUZZ_SOURCE.id}`,
    headers: { 'content-type': contentType, ...headers },
    payload: body,
    expected,
  }));

/** Source ids no project has: refused before the body is read, whatever the body. */
const unknownSources: Arbitrary<FuzzRequest> = fc
  .oneof(
    fc
      .stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/)
      .filter((id) => id !== FUZZ_SOURCE.id)
      .map((raw): PathId => ({ raw, tooLong: false })),
    ...malformedPathIds(2, [FUZZ_SOURCE.id]),
  )
  .map((id) => ({
    operation: 'POST /v1/ingest/{sourceId}',
    method: 'POST',
    url: `/v1/ingest/${id.raw}`,
    headers: { 'content-type': 'application/json', 'x-signature': sign('{}') },
    payload: '{}',
    expected: id.routerError ?? { status: 404, code: 'source_not_found' },
  }));

const eventIds = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/);

/** An ingested event's path: its source and event id, each right, unknown, or malformed. */
const eventPaths: Arbitrary<{ raw: string; expected: Expected }> = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<PathId>({ raw: FUZZ_SOURCE.id, tooLong: false }) },
      ...malformedPathIds(1, [FUZZ_SOURCE.id]),
    ),
    fc.oneof(
      { weight: 3, arbitrary: eventIds.map((raw): PathId => ({ raw, tooLong: false })) },
      ...malformedPathIds(1),
    ),
  )
  .map(([source, event]) => {
    const broken = [...(source.tooLong ? ['sourceId'] : []), ...(event.tooLong ? ['eventId'] : [])];
    const paramsError: ExpectedError = { status: 400, code: 'validation_failed', brokenFields: broken };
    return {
      raw: `${source.raw}/${event.raw}`,
      expected: source.routerError ?? event.routerError ?? (broken.length > 0 ? paramsError : NOT_FOUND),
    };
  });

/** `GET /v1/ingested-events`: nothing was ever kept, so a valid query finds nothing. */
const listRequests = (keys: ProjectKeys, realCursor: string): Arbitrary<FuzzRequest> =>
  fc
    .tuple(
      anyKey(keys),
      withFaults([
        optional(field('eventId', eventIds, fc.constantFrom('', 'a b', 'x'.repeat(101), 'a/b'))),
        optional(
          field('source', fc.constantFrom(FUZZ_SOURCE.id, 'other'), fc.constantFrom('', 'x'.repeat(101))),
        ),
        optional(field('type', fc.constantFrom('order.paid', 'a'), fc.constantFrom('', 'a b', 'a.*'))),
        limits,
        onlyWrong(foreignCursors(realCursor)),
        onlyWrong(unknownQueryKeys(['foo', '__proto__', 'status', 'eventType', 'toString'])),
      ]),
    )
    .map(([key, query]) => ({
      operation: 'GET /v1/ingested-events',
      method: 'GET',
      url: `/v1/ingested-events${queryString(query.value)}`,
      headers: authed(key),
      expected: validationOr(query, EMPTY_PAGE),
    }));

/** Reading or replaying one ingested event: none exists, in either project. */
const byIdRequests = (keys: ProjectKeys): Arbitrary<FuzzRequest> =>
  fc.tuple(anyKey(keys), eventPaths, fc.boolean()).map(([key, path, replay]) => ({
    operation: replay
      ? 'POST /v1/ingested-events/{sourceId}/{eventId}/replay'
      : 'GET /v1/ingested-events/{sourceId}/{eventId}',
    method: replay ? 'POST' : 'GET',
    url: `/v1/ingested-events/${path.raw}${replay ? '/replay' : ''}`,
    headers: authed(key),
    expected: path.expected,
  }));

export const ingestionRequests = (keys: ProjectKeys, realCursor: string): Arbitrary<FuzzRequest> =>
  fc.oneof({ weight: 3, arbitrary: ingestRequests }, unknownSources, listRequests(keys, realCursor), {
    weight: 2,
    arbitrary: byIdRequests(keys),
  });
