import fc, { type Arbitrary } from 'fast-check';
import type { HTTPMethods } from 'fastify';
import {
  anyKey,
  authed,
  byIdAnswer,
  EMPTY_PAGE,
  foreignCursors,
  hexIds,
  NO_FIELDS,
  pathIds,
  stateChangeBodies,
  unknownQueryKeys,
} from './endpoint-requests';
import { bodiesById, changeBodies, faultyCreates } from './fanout-requests';
import { type FuzzRequest, JSON_HEADERS, queryString, validationOr } from './fuzz-request';
import type { ProjectKeys } from './hook-requests';
import {
  data,
  type Fields,
  field,
  invalidInstants,
  merge,
  onlyWrong,
  optional,
  type Part,
  pathField,
  retryOverrides,
  targets,
  timeZones,
  unknownKeys,
  validInstants,
  withFaults,
  wrongTypes,
} from './samples';

/**
 * Requests to the schedule routes. Neither project ever gets a schedule (every create sent here is
 * invalid), so every schedule id is unknown (404) and every valid listing is empty.
 */

const crons = field(
  'cron',
  fc.constantFrom(
    '* * * * *',
    '30 2 * * *',
    '*/15 9-17 * * MON-FRI',
    '0 0 1,15 * *',
    '0 12 13 * FRI',
    '5 4 * JAN,jul 0',
  ),
  fc.oneof(
    fc.constantFrom(
      '',
      '* * * *',
      '* * * * * *',
      '60 * * * *',
      '* 24 * * *',
      '0 0 30 2 *',
      '*/0 * * * *',
      'daily',
      'x'.repeat(201),
    ),
    wrongTypes,
  ),
);
const intervals = field(
  'interval',
  fc.constantFrom('1s', '2s', '15m', '1h30m', '1d', '365d'),
  fc.oneof(fc.constantFrom('', '0s', '366d', '500ms', 'soon', '1w', '-1m'), wrongTypes),
);

/** A cron or an interval: one of them valid; or wrong, both, or neither (blamed on `cron`). */
const timings: Part = {
  valid: fc.oneof(crons.valid, intervals.valid),
  invalid: fc.oneof(
    crons.invalid,
    intervals.invalid,
    fc.tuple(crons.valid, intervals.valid).map(([a, b]) => ({ ...merge(a, b), broken: ['cron'] })),
    fc.constant({ value: {}, broken: ['cron'] }),
  ),
};

const jitters: Part = optional(
  field(
    'jitter',
    fc.constantFrom('0s', '30s', '1h', '1d'),
    fc.oneof(fc.constantFrom('1d1s', '2d', 'x', ''), wrongTypes),
  ),
);
const overlaps: Part = optional(
  field(
    'overlap',
    fc.constantFrom('skip', 'buffer_one', 'buffer_all', 'allow_all'),
    fc.oneof(fc.constantFrom('SKIP', 'cancel_other', 'terminate_other', ''), wrongTypes),
  ),
);
const descriptions: Part = optional(
  field(
    'description',
    fc.string({ minLength: 1, maxLength: 500 }),
    fc.constantFrom<unknown>('', 'd'.repeat(501), 5, []),
  ),
);
const instantField = (key: string): Part =>
  optional(field(key, fc.constant('2030-01-01T00:00:00Z'), fc.oneof(invalidInstants, wrongTypes)));

const scheduleParts: Part[] = [
  descriptions,
  data,
  retryOverrides,
  optional(timeZones),
  instantField('startAt'),
  jitters,
  overlaps,
  onlyWrong(unknownKeys),
];

const createSchedules = (keys: ProjectKeys) =>
  faultyCreates(keys, '/v1/schedules', [targets, timings, ...scheduleParts]);

const scheduleChanges = changeBodies([optional(pathField), optional(timings), ...scheduleParts]);

/** A backfill's range: valid ones are 1 s to 7 days long; wrong ones are malformed, reversed or too long. */
const DAY_MS = 86_400_000;
const ranges: Part = {
  valid: fc.tuple(validInstants, fc.integer({ min: 1_000, max: 7 * DAY_MS })).map(([from, spanMs]) => ({
    value: { from, to: new Date(Date.parse(from) + spanMs).toISOString() },
    broken: [],
  })),
  invalid: fc.oneof(
    fc
      .tuple(fc.oneof(invalidInstants, wrongTypes), validInstants)
      .map(([from, to]) => ({ value: { from, to }, broken: ['from'] })),
    fc
      .tuple(validInstants, fc.oneof(invalidInstants, wrongTypes))
      .map(([from, to]) => ({ value: { from, to }, broken: ['to'] })),
    fc.constantFrom(
      { value: { from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }, broken: ['to'] },
      { value: { from: '2030-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' }, broken: ['to'] },
      { value: { from: '2030-01-01T00:00:00Z', to: '2030-01-08T00:00:01Z' }, broken: ['to'] },
      { value: { to: '2030-01-01T00:00:00Z' }, broken: ['from'] },
    ),
  ),
};
const backfills: Arbitrary<Fields> = withFaults([ranges, overlaps, onlyWrong(unknownKeys)]);

const scheduleIds = hexIds('sch_', 24);

const BY_ID: { method: HTTPMethods; suffix: string }[] = [
  { method: 'GET', suffix: '' },
  { method: 'DELETE', suffix: '' },
  { method: 'POST', suffix: '/trigger' },
];

const scheduleLimits: Part = optional(
  field(
    'limit',
    fc.integer({ min: 1, max: 100 }).map(String),
    fc.constantFrom('0', '101', '-1', '1.5', 'abc', ''),
  ),
);

/** The schedule routes: there is none in either project, so every id is unknown (404). */
export const scheduleRequests = (keys: ProjectKeys, realCursor: string): Arbitrary<FuzzRequest> => {
  const list = fc
    .tuple(
      anyKey(keys),
      withFaults([
        scheduleLimits,
        onlyWrong(foreignCursors(realCursor)),
        onlyWrong(unknownQueryKeys(['type', 'status', '__proto__'])),
      ]),
    )
    .map(([key, query]): FuzzRequest => ({
      operation: 'GET /v1/schedules',
      method: 'GET',
      url: `/v1/schedules${queryString(query.value)}`,
      headers: authed(key),
      expected: validationOr(query, EMPTY_PAGE),
    }));
  const byId = fc
    .tuple(anyKey(keys), pathIds(scheduleIds), fc.constantFrom(...BY_ID))
    .map(([key, id, { method, suffix }]): FuzzRequest => ({
      operation: `${method} /v1/schedules/{id}${suffix}`,
      method,
      url: `/v1/schedules/${id.raw}${suffix}`,
      headers: authed(key),
      expected: byIdAnswer(id, NO_FIELDS),
    }));
  const change = bodiesById(keys, 'PATCH', '/v1/schedules', '', scheduleIds, scheduleChanges);
  const pauseOrResume = fc
    .tuple(anyKey(keys), pathIds(scheduleIds), fc.constantFrom('pause', 'resume'), stateChangeBodies)
    .map(([key, id, action, body]): FuzzRequest => ({
      operation: `POST /v1/schedules/{id}/${action}`,
      method: 'POST',
      url: `/v1/schedules/${id.raw}/${action}`,
      headers: body.payload === undefined ? authed(key) : authed(key, JSON_HEADERS),
      ...(body.payload === undefined ? {} : { payload: body.payload }),
      expected: byIdAnswer(id, body.fields),
    }));
  const backfill = bodiesById(keys, 'POST', '/v1/schedules', '/backfill', scheduleIds, backfills);
  return fc.oneof(list, byId, { weight: 2, arbitrary: change }, pauseOrResume, backfill, {
    weight: 2,
    arbitrary: createSchedules(keys),
  });
};
