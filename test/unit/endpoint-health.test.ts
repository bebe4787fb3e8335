import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AlertRules, type AttemptReport, DEFAULT_ALERT_RULES } from '../../src/domain/endpoint';
import {
  autoDisableDue,
  EndpointHealth,
  type HealthSnapshot,
  judgeHealth,
  LATENCY_BUCKET_BOUNDS_MS,
} from '../../src/domain/endpoint-health';
import { sumMinutes } from '../../src/domain/project-overview';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// A whole hour, so that every offset below says which minute and hour bucket it falls in.
const T0 = Date.parse('2030-01-01T12:00:00.000Z');

const iso = (ms: number): string => new Date(ms).toISOString();

let nextHook = 0;
function attempt(
  atMs: number,
  ok: boolean,
  durationMs = 100,
  extra: Partial<AttemptReport> = {},
): AttemptReport {
  nextHook += 1;
  return { hookId: `hook_${nextHook}`, attempt: 1, at: iso(atMs), ok, durationMs, ...extra };
}

function recorded(...batches: AttemptReport[][]): EndpointHealth {
  const health = EndpointHealth.restore();
  for (const batch of batches) health.record(batch);
  return health;
}

/** `count` attempts `gapMs` apart from `startMs`, failing where `fails(i)` says. */
function series(
  startMs: number,
  count: number,
  gapMs: number,
  fails: (i: number) => boolean,
): AttemptReport[] {
  return Array.from({ length: count }, (_, i) => attempt(startMs + i * gapMs, !fails(i)));
}

const roundTrip = (snapshot: HealthSnapshot): HealthSnapshot =>
  JSON.parse(JSON.stringify(snapshot)) as HealthSnapshot;

describe('EndpointHealth windows', () => {
  const now = T0 + 30 * MINUTE + 10 * SECOND;

  it('counts an attempt 61 min ago in lastDay only, and one 25 h ago in neither', () => {
    const health = recorded([
      attempt(now - MINUTE, false, 200),
      attempt(now - 61 * MINUTE, true, 100),
      attempt(now - 25 * HOUR, true, 100),
    ]);
    const stats = health.stats(now);
    assert.deepEqual(stats.lastHour, {
      attempts: 1,
      failures: 1,
      successRate: 0,
      latencyP50Ms: 200,
      latencyP95Ms: 200,
    });
    assert.deepEqual(stats.lastDay, {
      attempts: 2,
      failures: 1,
      successRate: 0.5,
      latencyP50Ms: 100,
      latencyP95Ms: 200,
    });
  });

  it('keeps only the buckets inside the windows in the snapshot', () => {
    const health = recorded([
      attempt(now - MINUTE, false),
      attempt(now - 61 * MINUTE, true),
      attempt(now - 25 * HOUR, true),
    ]);
    const snapshot = health.snapshot();
    assert.deepEqual(
      snapshot.minutes.map((bucket) => bucket.start),
      [T0 + 29 * MINUTE],
    );
    assert.deepEqual(
      snapshot.hours.map((bucket) => bucket.start),
      [T0 - HOUR, T0],
    );
  });

  it('prunes buckets that newer reports push out of the windows', () => {
    const health = recorded([attempt(T0, true)], [attempt(T0 + 90 * MINUTE, true)]);
    assert.deepEqual(
      health.snapshot().minutes.map((bucket) => bucket.start),
      [T0 + 90 * MINUTE],
    );
    assert.equal(health.snapshot().hours.length, 2);
    health.record([attempt(T0 + 24 * HOUR, true)]);
    assert.deepEqual(
      health.snapshot().hours.map((bucket) => bucket.start),
      [T0 + HOUR, T0 + 24 * HOUR],
    );
  });

  it('ignores a report older than a day before the newest one', () => {
    const health = recorded([attempt(T0 + 24 * HOUR, true)], [attempt(T0 + 59 * MINUTE, false)]);
    assert.equal(health.stats(T0 + 24 * HOUR).lastDay.attempts, 1);
    assert.equal(health.snapshot().hours.length, 1);
  });

  it('reads nothing once the window has passed, without new reports', () => {
    const health = recorded([attempt(T0, false)]);
    const stats = health.stats(T0 + 2 * DAY);
    const empty = { attempts: 0, failures: 0, successRate: null, latencyP50Ms: null, latencyP95Ms: null };
    assert.deepEqual(stats.lastHour, empty);
    assert.deepEqual(stats.lastDay, empty);
    assert.equal(stats.failureStreak, 1);
  });

  it('windowStats covers the current minute and the ones before it', () => {
    const health = recorded([
      attempt(now - 14 * MINUTE, false),
      attempt(now - 15 * MINUTE, false),
      attempt(now - 5 * SECOND, true),
    ]);
    assert.deepEqual(health.windowStats(now, 15), {
      attempts: 2,
      failures: 1,
      successRate: 0.5,
      latencyP50Ms: 100,
      latencyP95Ms: 100,
    });
    assert.equal(health.windowStats(now, 16).attempts, 3);
    assert.equal(health.windowStats(now, 1).attempts, 1);
    // Clamped to the 60 minutes the minute buckets hold.
    assert.equal(health.windowStats(now, 600).attempts, 3);
  });

  it('counts a report a little ahead of now (a worker clock ahead of the workflow)', () => {
    const health = recorded([attempt(T0 + MINUTE + 2 * SECOND, true)]);
    assert.equal(health.windowStats(T0 + MINUTE - SECOND, 15).attempts, 1);
  });

  it('buckets reports by their own time whatever order they come in', () => {
    const inOrder = series(T0, 120, 30 * SECOND, (i) => i % 3 === 0);
    const health = recorded(inOrder.slice(60).reverse(), inOrder.slice(0, 60).reverse());
    const end = T0 + HOUR - SECOND;
    const sameInOrder = recorded(inOrder);
    assert.deepEqual(health.stats(end), sameInOrder.stats(end));
    assert.deepEqual(health.snapshot().minutes, sameInOrder.snapshot().minutes);
    assert.equal(health.stats(end).lastHour.attempts, 120);
    assert.equal(health.stats(end).lastHour.failures, 40);
  });
});

describe('EndpointHealth percentiles', () => {
  const latencies = (durations: number[]) => {
    const health = recorded(durations.map((durationMs, i) => attempt(T0 + i * SECOND, true, durationMs)));
    const { latencyP50Ms, latencyP95Ms } = health.stats(T0 + MINUTE).lastHour;
    return [latencyP50Ms, latencyP95Ms];
  };

  it('reads the upper bound of the bucket holding the rank', () => {
    const tenToTwoHundred = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    // The 10th is 100 ms (bucket ≤ 100); the 19th is 190 ms (bucket ≤ 250, capped at the 200 ms seen).
    assert.deepEqual(latencies(tenToTwoHundred), [100, 200]);
  });

  it('caps the bound at the longest duration seen', () => {
    assert.deepEqual(latencies(Array<number>(20).fill(7)), [7, 7]);
    assert.deepEqual(latencies([...Array<number>(90).fill(30), ...Array<number>(10).fill(3000)]), [50, 3000]);
  });

  it('reads the longest duration for the bucket above every bound', () => {
    // The 2nd of the three is 150 s, but the histogram only knows it is above 120 s.
    assert.deepEqual(latencies([200_000, 150_000, 10]), [200_000, 200_000]);
  });

  it('counts a nonsense duration as 0 ms', () => {
    assert.deepEqual(latencies([-5, Number.NaN]), [0, 0]);
  });

  it('keeps one count per bound plus one above them', () => {
    const [bucket] = recorded([attempt(T0, true, 200_000)]).snapshot().minutes;
    assert.ok(bucket);
    assert.equal(bucket.latencyCounts.length, LATENCY_BUCKET_BOUNDS_MS.length + 1);
    assert.equal(bucket.latencyCounts.at(-1), 1);
  });
});

describe('EndpointHealth streak', () => {
  const t = (seconds: number): number => T0 + seconds * SECOND;

  it('adds failures across batches and starts failingSince at the first', () => {
    const health = recorded(
      [attempt(t(0), true)],
      [attempt(t(1), false), attempt(t(2), false)],
      [attempt(t(3), false, 100, { hookId: 'hook_last', statusCode: 503, error: 'HTTP 503' })],
    );
    const stats = health.stats(t(10));
    assert.equal(stats.failureStreak, 3);
    assert.equal(stats.failingSince, iso(t(1)));
    assert.equal(stats.lastSuccessAt, iso(t(0)));
    assert.deepEqual(stats.lastFailure, {
      at: iso(t(3)),
      hookId: 'hook_last',
      statusCode: 503,
      error: 'HTTP 503',
    });
  });

  it('a success resets the streak and clears failingSince', () => {
    const health = recorded([attempt(t(1), false), attempt(t(2), false)], [attempt(t(3), true)]);
    const stats = health.stats(t(10));
    assert.equal(stats.failureStreak, 0);
    assert.equal(stats.failingSince, undefined);
    assert.equal(stats.lastSuccessAt, iso(t(3)));
    assert.equal(stats.lastFailure?.at, iso(t(2)));
  });

  it('follows the order of `at` within a batch', () => {
    const health = recorded([attempt(t(4), false), attempt(t(3), true), attempt(t(1), false)]);
    assert.equal(health.failureStreak, 1);
    assert.equal(health.failingSince, iso(t(4)));
    assert.equal(health.stats(t(10)).lastSuccessAt, iso(t(3)));
  });

  it('a late failure after the last success moves failingSince back', () => {
    const health = recorded([attempt(t(0), true), attempt(t(5), false)], [attempt(t(3), false)]);
    assert.equal(health.failureStreak, 2);
    assert.equal(health.failingSince, iso(t(3)));
    assert.equal(health.stats(t(10)).lastFailure?.at, iso(t(5)));
  });

  it('ignores for the streak a failure older than the latest success, but keeps it as lastFailure', () => {
    const health = recorded([attempt(t(10), true)], [attempt(t(8), false, 100, { error: 'timeout' })]);
    const stats = health.stats(t(20));
    assert.equal(stats.failureStreak, 0);
    assert.equal(stats.failingSince, undefined);
    assert.deepEqual(stats.lastFailure?.error, 'timeout');
    // It still counts in the windows.
    assert.equal(stats.lastHour.failures, 1);
  });

  it('ignores a success older than the latest one', () => {
    const health = recorded([attempt(t(10), true)], [attempt(t(5), true)]);
    assert.equal(health.stats(t(20)).lastSuccessAt, iso(t(10)));
  });

  it('a late success ends only the failures before it', () => {
    const health = recorded(
      [attempt(t(1), false), attempt(t(2), false), attempt(t(4), false), attempt(t(5), false)],
      [attempt(t(3), true)],
    );
    assert.equal(health.failureStreak, 2);
    assert.equal(health.failingSince, iso(t(4)));
    assert.equal(health.stats(t(10)).lastSuccessAt, iso(t(3)));
  });

  it('a late success behind more failures than the tail counts the failures kept after it', () => {
    const failures = series(t(10), 40, SECOND, () => true);
    const health = recorded(failures, [attempt(t(0), true)]);
    // The 8 oldest failures fell out of the 32 kept: they are taken to be older than the success.
    assert.equal(health.failureStreak, 32);
    assert.equal(health.failingSince, iso(t(18)));
  });

  it('ignores a report whose `at` is not an instant', () => {
    const health = recorded([{ hookId: 'hook_x', attempt: 1, at: 'yesterday', ok: false, durationMs: 5 }]);
    assert.equal(health.failureStreak, 0);
    assert.equal(health.stats(T0).lastDay.attempts, 0);
  });

  it('caps a long error kept as lastFailure', () => {
    const health = recorded([attempt(T0, false, 100, { error: 'x'.repeat(10_000) })]);
    assert.equal(health.stats(T0).lastFailure?.error?.length, 1024);
  });
});

describe('EndpointHealth snapshot', () => {
  // A deterministic mix of outcomes, durations and disorder.
  function traffic(count: number, spanMs: number): AttemptReport[] {
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    return Array.from({ length: count }, (_, i) => {
      const jitterMs = Math.floor(next() * 3000);
      return attempt(
        T0 + Math.floor((i * spanMs) / count) + jitterMs,
        next() > 0.1,
        Math.floor(next() * 2000),
      );
    });
  }

  function inBatches(health: EndpointHealth, reports: AttemptReport[], size: number): void {
    for (let i = 0; i < reports.length; i += size) health.record(reports.slice(i, i + size));
  }

  it('round-trips through JSON with the same stats, and goes on the same way', () => {
    const reports = traffic(5000, 3 * HOUR);
    const original = EndpointHealth.restore();
    inBatches(original, reports.slice(0, 4000), 25);
    const restored = EndpointHealth.restore(roundTrip(original.snapshot()));
    const end = T0 + 3 * HOUR + MINUTE;
    assert.deepEqual(restored.stats(end), original.stats(end));
    assert.deepEqual(restored.windowStats(end, 15), original.windowStats(end, 15));
    inBatches(original, reports.slice(4000), 25);
    inBatches(restored, reports.slice(4000), 25);
    assert.deepEqual(restored.snapshot(), original.snapshot());
    assert.deepEqual(restored.stats(end), original.stats(end));
  });

  it('restore copies the snapshot rather than sharing it', () => {
    const snapshot = recorded([attempt(T0, false)]).snapshot();
    const health = EndpointHealth.restore(snapshot);
    health.record([attempt(T0 + SECOND, false)]);
    assert.equal(snapshot.failureStreak, 1);
    assert.equal(snapshot.minutes[0]?.attempts, 1);
  });

  it('stays small after a day of heavy traffic', () => {
    const spanMs = 30 * HOUR;
    const reports = traffic(100_000, spanMs);
    const health = EndpointHealth.restore();
    inBatches(health, reports, 50);
    const snapshot = health.snapshot();
    const now = T0 + spanMs + 3 * SECOND;
    assert.equal(snapshot.minutes.length, 60);
    assert.equal(snapshot.hours.length, 24);
    assert.ok(JSON.stringify(snapshot).length < 20_000, `${JSON.stringify(snapshot).length} chars`);

    const firstHourCounted = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
    const lastDay = reports.filter((report) => Date.parse(report.at) >= firstHourCounted);
    const stats = health.stats(now);
    assert.equal(stats.lastDay.attempts, lastDay.length);
    assert.equal(stats.lastDay.failures, lastDay.filter((report) => !report.ok).length);
  });
});

describe('judgeHealth', () => {
  const rules = DEFAULT_ALERT_RULES;
  const now = T0 + 14 * MINUTE + 30 * SECOND;
  const judge = (reports: AttemptReport[], overrides: Partial<AlertRules> = {}) =>
    judgeHealth(recorded(reports), { ...rules, ...overrides }, now);

  it('11 consecutive failures: failing, for the streak', () => {
    assert.deepEqual(judge(series(T0, 11, SECOND, () => true)), {
      health: 'failing',
      reasons: ['11 consecutive failures (more than 10)'],
    });
  });

  it('10 consecutive failures: healthy', () => {
    assert.deepEqual(judge(series(T0, 10, SECOND, () => true)), { health: 'healthy', reasons: [] });
  });

  it('a quarter of 40 attempts failing, never more than one in a row: failing, for the rate', () => {
    assert.deepEqual(judge(series(T0, 40, 20 * SECOND, (i) => i % 4 === 0)), {
      health: 'failing',
      reasons: ['success rate 75.0 % over the last 15 min (40 attempts) is below 90 %'],
    });
  });

  it('5 % of 40 attempts failing: healthy', () => {
    assert.deepEqual(judge(series(T0, 40, 20 * SECOND, (i) => i % 20 === 0)), {
      health: 'healthy',
      reasons: [],
    });
  });

  it('19 failures out of 19 attempts, with a high streak limit: healthy, below minAttempts', () => {
    const reports = series(T0, 19, 20 * SECOND, () => true);
    assert.deepEqual(judge(reports, { maxConsecutiveFailures: 100 }), { health: 'healthy', reasons: [] });
    assert.deepEqual(
      judge([...reports, attempt(T0 + 19 * 20 * SECOND, false)], { maxConsecutiveFailures: 100 }),
      {
        health: 'failing',
        reasons: ['success rate 0.0 % over the last 15 min (20 attempts) is below 90 %'],
      },
    );
  });

  it('gives both reasons when both rules hold', () => {
    assert.deepEqual(judge(series(T0, 25, 20 * SECOND, () => true)).reasons, [
      'success rate 0.0 % over the last 15 min (25 attempts) is below 90 %',
      '25 consecutive failures (more than 10)',
    ]);
  });

  it('looks only at the rules window', () => {
    const old = series(now - 20 * MINUTE, 30, 10 * SECOND, () => true);
    assert.deepEqual(judge(old, { maxConsecutiveFailures: 100 }), { health: 'healthy', reasons: [] });
    assert.equal(judge(old, { maxConsecutiveFailures: 100, windowMinutes: 30 }).health, 'failing');
  });

  it('writes rates and thresholds as people read them', () => {
    const reports = series(T0, 100, 5 * SECOND, (i) => i % 7 < 3 && i < 99);
    assert.equal(reports.filter((report) => !report.ok).length, 43);
    assert.deepEqual(judge(reports, { minSuccessRate: 0.995, maxConsecutiveFailures: 100 }).reasons, [
      'success rate 57.0 % over the last 15 min (100 attempts) is below 99.5 %',
    ]);
    // 1791 / 1991 = 89.955 %: rounded down, not up to a "90.0 %" that would not read as below 90 %.
    const justUnder = series(T0, 1991, 400, (i) => i % 10 === 0);
    assert.deepEqual(judge(justUnder).reasons, [
      'success rate 89.9 % over the last 15 min (1991 attempts) is below 90 %',
    ]);
    assert.deepEqual(
      judge(
        series(T0, 1, SECOND, () => true),
        { maxConsecutiveFailures: 0 },
      ).reasons,
      ['1 consecutive failure (more than 0)'],
    );
  });
});

describe('autoDisableDue', () => {
  const fiveDays = 5 * DAY;
  const hourlyFailures = series(T0, 5 * 24 + 1, HOUR, () => true);

  it('once the endpoint has failed without a success for the whole period', () => {
    const health = recorded([attempt(T0 - HOUR, true)], hourlyFailures);
    assert.equal(autoDisableDue(health, fiveDays, T0 + fiveDays), true);
    assert.equal(autoDisableDue(health, fiveDays, T0 + fiveDays - 1), false);
  });

  it('counts from a later resume when one is given', () => {
    const health = recorded([attempt(T0 - HOUR, true)], hourlyFailures);
    const resumedAt = T0 + DAY;
    assert.equal(autoDisableDue(health, fiveDays, T0 + fiveDays, resumedAt), false);
    assert.equal(autoDisableDue(health, fiveDays, resumedAt + fiveDays, resumedAt), true);
  });

  it('not after a success', () => {
    const health = recorded(hourlyFailures, [attempt(T0 + fiveDays + MINUTE, true)]);
    assert.equal(autoDisableDue(health, fiveDays, T0 + 10 * DAY), false);
  });

  it('counts from the first failure after a late success', () => {
    const health = recorded(hourlyFailures, [attempt(T0 + fiveDays - 2 * SECOND, true)]);
    assert.equal(health.failureStreak, 1);
    assert.equal(autoDisableDue(health, fiveDays, T0 + fiveDays + MINUTE), false);
    assert.equal(autoDisableDue(health, fiveDays, T0 + 2 * fiveDays), true);
  });

  it('not without any report', () => {
    assert.equal(autoDisableDue(EndpointHealth.restore(), fiveDays, T0), false);
  });
});

describe('EndpointHealth series for charts', () => {
  it('gives the last 60 minutes oldest first, empty ones included, with first-attempt lateness', () => {
    const health = recorded([
      attempt(T0 + 10 * SECOND, true, 100, { latenessMs: 200 }),
      attempt(T0 + 20 * SECOND, false, 100, { latenessMs: 600 }),
      attempt(T0 + 30 * SECOND, true, 100, { attempt: 2 }),
      attempt(T0 - 5 * MINUTE, true),
    ]);
    const minutes = health.minutes(T0 + 30 * SECOND);
    assert.equal(minutes.length, 60);
    assert.equal(minutes[0]?.start, iso(T0 - 59 * MINUTE));
    assert.deepEqual(minutes.at(-1), {
      start: iso(T0),
      attempts: 3,
      failures: 1,
      firstAttempts: 2,
      latenessAvgMs: 400,
      latenessMaxMs: 600,
    });
    assert.deepEqual(minutes.at(-6), {
      start: iso(T0 - 5 * MINUTE),
      attempts: 1,
      failures: 0,
      firstAttempts: 0,
      latenessAvgMs: null,
      latenessMaxMs: null,
    });
    assert.equal(
      minutes.reduce((total, minute) => total + minute.attempts, 0),
      4,
    );
  });

  it('gives the last 24 hours in stats.hourly, and drops what has left the day', () => {
    const health = recorded([attempt(T0 - 3 * HOUR, false), attempt(T0 + MINUTE, true)]);
    const { hourly } = health.stats(T0 + MINUTE);
    assert.equal(hourly.length, 24);
    assert.deepEqual(hourly.at(-1), { start: iso(T0), attempts: 1, failures: 0 });
    assert.deepEqual(hourly.at(-4), { start: iso(T0 - 3 * HOUR), attempts: 1, failures: 1 });
    assert.deepEqual(
      health.stats(T0 + 23 * HOUR).hourly.filter((hour) => hour.attempts > 0),
      [{ start: iso(T0), attempts: 1, failures: 0 }],
    );
  });

  it('reads buckets written before lateness was reported as having none', () => {
    const snapshot = recorded([attempt(T0, true)]).snapshot();
    const old = JSON.parse(JSON.stringify(snapshot)) as HealthSnapshot;
    for (const bucket of old.minutes) {
      delete bucket.lateStarts;
      delete bucket.latenessSumMs;
      delete bucket.latenessMaxMs;
    }
    assert.deepEqual(EndpointHealth.restore(old).minutes(T0).at(-1), {
      start: iso(T0),
      attempts: 1,
      failures: 0,
      firstAttempts: 0,
      latenessAvgMs: null,
      latenessMaxMs: null,
    });
  });
});

describe('sumMinutes', () => {
  it('adds endpoints minute by minute and averages lateness over first attempts, not endpoints', () => {
    const one = recorded([attempt(T0, true, 100, { latenessMs: 100 })]).minutes(T0);
    const other = recorded([
      attempt(T0, false, 100, { latenessMs: 400 }),
      attempt(T0, true, 100, { latenessMs: 400 }),
    ]).minutes(T0);
    const total = sumMinutes([one, other]);
    assert.equal(total.length, 60);
    assert.deepEqual(total.at(-1), {
      start: iso(T0),
      attempts: 3,
      failures: 1,
      firstAttempts: 3,
      latenessAvgMs: 300,
      latenessMaxMs: 400,
    });
    assert.deepEqual(sumMinutes([]), []);
  });
});
