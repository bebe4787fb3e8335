import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createScheduleBodySchema, updateScheduleBodySchema } from '../../src/api/schedule-schemas';
import { CronSyntaxError, gapShiftedRuns, nextCronTimes, parseCron } from '../../src/domain/cron';
import { patchedDefinition, type ScheduleDefinition } from '../../src/domain/schedule';
import { cronCalendars } from '../../src/temporal/schedule-spec';

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe('cron expressions', () => {
  it('reads values, ranges, steps, lists and names', () => {
    const fields = parseCron('*/20 9-11,14 * JAN,jul MON-FRI');
    assert.deepEqual(fields.minute, [0, 20, 40]);
    assert.deepEqual(fields.hour, [9, 10, 11, 14]);
    assert.equal(fields.dayOfMonth, '*');
    assert.deepEqual(fields.month, [1, 7]);
    assert.deepEqual(fields.dayOfWeek, [1, 2, 3, 4, 5]);
    assert.deepEqual(parseCron('0 0 * * 7').dayOfWeek, [0], '7 is Sunday too');
  });

  it('refuses what is not a five-field cron', () => {
    for (const bad of [
      '* * * *',
      '* * * * * *',
      '60 * * * *',
      '* 24 * * *',
      '* * 0 * *',
      '* * * 13 *',
      '5-1 * * * *',
      '*/0 * * * *',
      'x * * * *',
      '*-5 * * * *',
    ]) {
      assert.throws(() => parseCron(bad), CronSyntaxError, bad);
    }
  });

  it('matches a day by either day field when both restrict, as cron does', () => {
    // The 13th of each month, and every Friday: from Thursday 2026-11-12 UTC.
    const times = nextCronTimes(parseCron('0 12 13 * FRI'), 'UTC', new Date('2026-11-12T00:00:00Z'), 3);
    assert.deepEqual(iso(times), [
      '2026-11-13T12:00:00.000Z',
      '2026-11-20T12:00:00.000Z',
      '2026-11-27T12:00:00.000Z',
    ]);
  });
});

describe('next run times across DST changes (daily 02:30, Europe/Paris)', () => {
  const daily = parseCron('30 2 * * *');

  it('runs once on the spring-forward day, at 03:30 CEST, the hour the clock skipped', () => {
    const times = nextCronTimes(daily, 'Europe/Paris', new Date('2026-03-27T12:00:00Z'), 4);
    assert.deepEqual(iso(times), [
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:30:00.000Z', // 02:30 does not exist: 03:30 CEST
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('runs once on the fall-back day, though 02:30 shows twice', () => {
    const times = nextCronTimes(daily, 'Europe/Paris', new Date('2026-10-24T12:00:00Z'), 3);
    assert.deepEqual(iso(times), [
      '2026-10-25T01:30:00.000Z', // the second 02:30 (CET), as Temporal runs it
      '2026-10-26T01:30:00.000Z',
      '2026-10-27T01:30:00.000Z',
    ]);
  });

  it('names the runs a gap moves, which the Schedule gets as one-off calendar entries', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const until = new Date('2028-01-01T00:00:00Z');
    assert.deepEqual(gapShiftedRuns(daily, 'Europe/Paris', from, until), [
      { year: 2026, month: 3, day: 29, hour: 3, minute: 30 },
      { year: 2027, month: 3, day: 28, hour: 3, minute: 30 },
    ]);
    // Every quarter of an hour already runs at 03:00-03:45: nothing is moved, nothing runs twice.
    assert.deepEqual(gapShiftedRuns(parseCron('*/15 * * * *'), 'Europe/Paris', from, until), []);
    // No gap in UTC; none on days the cron does not name (29 March 2026 is a Sunday).
    assert.deepEqual(gapShiftedRuns(daily, 'UTC', from, until), []);
    assert.deepEqual(gapShiftedRuns(parseCron('30 2 * * MON'), 'Europe/Paris', from, until), []);

    const calendars = cronCalendars(daily, 'Europe/Paris', from);
    assert.equal(calendars.length, 1 + 20, 'the cron, and one moved run a year for 20 years');
    assert.deepEqual(calendars[1], {
      year: 2026,
      month: 'MARCH',
      dayOfMonth: 29,
      hour: 3,
      minute: 30,
      second: 0,
      comment: 'moved forward by a DST gap',
    });
  });

  it('gives a cron restricting both day fields two calendars, one per field', () => {
    const calendars = cronCalendars(parseCron('0 12 13 * FRI'), 'UTC', new Date('2026-01-01T00:00:00Z'));
    assert.deepEqual(
      calendars.map(({ dayOfMonth, dayOfWeek }) => ({ dayOfMonth, dayOfWeek })),
      [
        { dayOfMonth: [13], dayOfWeek: '*' },
        { dayOfMonth: '*', dayOfWeek: ['FRIDAY'] },
      ],
    );
  });
});

describe('schedule requests', () => {
  const valid = { path: '/tick', interval: '2s' };

  it('accepts a cron or an interval, and refuses both, neither, or bad values', () => {
    assert.ok(createScheduleBodySchema.safeParse(valid).success);
    assert.ok(
      createScheduleBodySchema.safeParse({ path: '/t', cron: '30 2 * * *', timezone: 'Europe/Paris' })
        .success,
    );
    const refused = [
      { path: '/t' },
      { ...valid, cron: '* * * * *' },
      { ...valid, interval: '500ms' },
      { ...valid, interval: '0s' },
      { path: '/t', cron: '0 0 31 2 *' },
      { ...valid, timezone: '+01:00' },
      { ...valid, startAt: '2030-01-01T00:00:00Z', endAt: '2030-01-01T00:00:00Z' },
      { ...valid, jitter: '2d' },
      { ...valid, overlap: 'cancel_other' },
      { ...valid, url: 'https://example.com/' },
      { ...valid, extra: true },
    ];
    for (const body of refused)
      assert.equal(createScheduleBodySchema.safeParse(body).success, false, JSON.stringify(body));
    assert.equal(updateScheduleBodySchema.safeParse({}).success, false, 'a change changes something');
  });

  it('applies a change: null removes an optional field, data may become null', () => {
    const definition: ScheduleDefinition = {
      description: 'nightly',
      target: { path: '/a' },
      data: { n: 1 },
      timing: { cron: '0 0 * * *' },
      timezone: 'UTC',
      jitter: '30s',
      overlap: 'skip',
    };
    const changed = patchedDefinition(definition, {
      description: null,
      data: null,
      timing: { interval: '1h' },
      jitter: undefined,
    });
    assert.deepEqual(changed, {
      target: { path: '/a' },
      data: null,
      timing: { interval: '1h' },
      timezone: 'UTC',
      jitter: '30s',
      overlap: 'skip',
    });
  });
});
