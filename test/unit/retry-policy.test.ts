import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RetryOverride, RetryPolicy } from '../../src/domain/hook';
import {
  DEFAULT_RETRY_POLICY,
  hasAttemptsLeft,
  MAX_RETRY_AFTER_MS,
  nextDelayMs,
  resolveRetryPolicy,
  retryDelayMs,
} from '../../src/domain/retry-policy';

// random = 0.5 puts the jitter factor at exactly 1.
const NO_JITTER = 0.5;
const ALMOST_ONE = 1 - Number.EPSILON;

const fixed: RetryPolicy = { ...DEFAULT_RETRY_POLICY, strategy: 'fixed', delaySecs: 45 };
const exponential: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxDelaySecs: 1000 };
const schedule: RetryPolicy = { ...DEFAULT_RETRY_POLICY, strategy: 'schedule', scheduleSecs: [5, 60, 300] };

function delays(policy: RetryPolicy, attempts: number, random = NO_JITTER): number[] {
  return Array.from({ length: attempts }, (_, i) => retryDelayMs(policy, i + 1, random));
}

describe('DEFAULT_RETRY_POLICY', () => {
  it('is exponential with the documented values', () => {
    assert.deepEqual(DEFAULT_RETRY_POLICY, {
      strategy: 'exponential',
      maxAttempts: 10,
      delaySecs: 30,
      backoffFactor: 2,
      maxDelaySecs: 21_600,
      jitter: 0.2,
      scheduleSecs: [30, 120, 600, 3600, 21_600, 86_400],
    });
  });
});

describe('retryDelayMs', () => {
  it('fixed: always delaySecs', () => {
    assert.deepEqual(delays(fixed, 4), [45_000, 45_000, 45_000, 45_000]);
  });

  it('exponential: delaySecs times backoffFactor per attempt, capped at maxDelaySecs', () => {
    assert.deepEqual(delays(exponential, 7), [30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_000_000]);
  });

  it('exponential with the defaults reaches the 6-hour cap at attempt 11', () => {
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 10, NO_JITTER), 15_360_000);
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 11, NO_JITTER), 21_600_000);
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 100, NO_JITTER), 21_600_000);
  });

  it('schedule: one entry per attempt, the last one repeating', () => {
    assert.deepEqual(delays(schedule, 5), [5000, 60_000, 300_000, 300_000, 300_000]);
  });

  it('schedule entries are capped at maxDelaySecs too', () => {
    const capped = { ...schedule, scheduleSecs: [30, 86_400] };
    assert.deepEqual(delays(capped, 3), [30_000, 21_600_000, 21_600_000]);
  });

  it('jitter spreads the delay over ±jitter', () => {
    assert.equal(retryDelayMs(fixed, 1, 0), 36_000);
    assert.equal(retryDelayMs(fixed, 1, ALMOST_ONE), 54_000);
    assert.equal(retryDelayMs(fixed, 1, 0.75), 49_500);
    assert.equal(retryDelayMs({ ...exponential, jitter: 1 }, 3, 0), 0);
  });

  it('jitter never lifts a delay above maxDelaySecs', () => {
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 20, ALMOST_ONE), 21_600_000);
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 20, 0), 17_280_000);
    assert.equal(retryDelayMs({ ...fixed, maxDelaySecs: 50 }, 1, ALMOST_ONE), 50_000);
  });

  it('rounds to whole milliseconds', () => {
    assert.equal(retryDelayMs({ ...fixed, delaySecs: 0.0015, jitter: 0 }, 1, NO_JITTER), 2);
    assert.equal(retryDelayMs({ ...fixed, delaySecs: 1, jitter: 0.2 }, 1, 0.1234567), 849);
  });
});

describe('nextDelayMs', () => {
  it('is the policy delay without Retry-After or with a shorter one', () => {
    assert.equal(nextDelayMs(fixed, 1, NO_JITTER), 45_000);
    assert.equal(nextDelayMs(fixed, 1, NO_JITTER, 10_000), 45_000);
  });

  it('uses Retry-After as a floor', () => {
    assert.equal(nextDelayMs(fixed, 1, NO_JITTER, 120_000), 120_000);
    // A floor, not a policy delay: it may exceed maxDelaySecs.
    assert.equal(nextDelayMs({ ...fixed, maxDelaySecs: 60 }, 1, NO_JITTER, 7_200_000), 7_200_000);
  });

  it('bounds Retry-After at 24 hours', () => {
    assert.equal(MAX_RETRY_AFTER_MS, 86_400_000);
    assert.equal(nextDelayMs(fixed, 1, NO_JITTER, 365 * 86_400_000), 86_400_000);
  });
});

describe('resolveRetryPolicy', () => {
  it('returns the base without an override', () => {
    assert.deepEqual(resolveRetryPolicy(DEFAULT_RETRY_POLICY), DEFAULT_RETRY_POLICY);
    assert.deepEqual(resolveRetryPolicy(DEFAULT_RETRY_POLICY, {}), DEFAULT_RETRY_POLICY);
  });

  it('replaces only the fields the override sets', () => {
    assert.deepEqual(resolveRetryPolicy(DEFAULT_RETRY_POLICY, { maxAttempts: 3, jitter: 0, delaySecs: 5 }), {
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: 3,
      jitter: 0,
      delaySecs: 5,
    });
  });

  it('ignores fields set to undefined', () => {
    assert.deepEqual(
      resolveRetryPolicy(DEFAULT_RETRY_POLICY, { maxAttempts: undefined, strategy: 'fixed' }),
      { ...DEFAULT_RETRY_POLICY, strategy: 'fixed' },
    );
  });

  it('gives a schedule without maxAttempts one attempt per delay plus the first', () => {
    const policy = resolveRetryPolicy(DEFAULT_RETRY_POLICY, {
      strategy: 'schedule',
      scheduleSecs: [10, 20, 30],
    });
    assert.equal(policy.maxAttempts, 4);
    assert.deepEqual(policy.scheduleSecs, [10, 20, 30]);
  });

  it('keeps an explicit maxAttempts next to a schedule', () => {
    const override: RetryOverride = { strategy: 'schedule', scheduleSecs: [10, 20, 30], maxAttempts: 8 };
    assert.equal(resolveRetryPolicy(DEFAULT_RETRY_POLICY, override).maxAttempts, 8);
  });

  it('keeps the base maxAttempts when the override switches to schedule without its own delays', () => {
    assert.equal(resolveRetryPolicy(DEFAULT_RETRY_POLICY, { strategy: 'schedule' }).maxAttempts, 10);
  });

  it('never shares the schedule array with its inputs', () => {
    const policy = resolveRetryPolicy(DEFAULT_RETRY_POLICY);
    policy.scheduleSecs.push(1);
    assert.equal(DEFAULT_RETRY_POLICY.scheduleSecs.length, 6);
  });
});

describe('hasAttemptsLeft', () => {
  it('allows attempts until maxAttempts have been made', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 };
    assert.equal(hasAttemptsLeft(policy, 1), true);
    assert.equal(hasAttemptsLeft(policy, 2), true);
    assert.equal(hasAttemptsLeft(policy, 3), false);
    assert.equal(hasAttemptsLeft(policy, 4), false);
    assert.equal(hasAttemptsLeft({ ...policy, maxAttempts: 1 }, 1), false);
  });
});
