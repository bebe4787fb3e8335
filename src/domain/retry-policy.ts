import type { RetryOverride, RetryPolicy } from './hook';

/**
 * How long a hook waits between failed attempts. Pure and deterministic: the workflow computes every
 * delay itself (so each one is recorded in its history) and passes in its own replay-safe random number.
 */

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  strategy: 'exponential',
  maxAttempts: 10,
  delaySecs: 30,
  backoffFactor: 2,
  maxDelaySecs: 21_600,
  jitter: 0.2,
  scheduleSecs: [30, 120, 600, 3600, 21_600, 86_400],
};

/** A receiver's Retry-After is honoured up to this long, so a hostile one cannot park a hook for a year. */
export const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/** `base` with every field that `override` sets replaced. */
export function resolveRetryPolicy(base: RetryPolicy, override: RetryOverride = {}): RetryPolicy {
  return {
    strategy: override.strategy ?? base.strategy,
    maxAttempts: override.maxAttempts ?? impliedMaxAttempts(override) ?? base.maxAttempts,
    delaySecs: override.delaySecs ?? base.delaySecs,
    backoffFactor: override.backoffFactor ?? base.backoffFactor,
    maxDelaySecs: override.maxDelaySecs ?? base.maxDelaySecs,
    jitter: override.jitter ?? base.jitter,
    // A copy, so that a resolved policy never shares its array with DEFAULT_RETRY_POLICY or a config object.
    scheduleSecs: [...(override.scheduleSecs ?? base.scheduleSecs)],
  };
}

/**
 * Someone who spells out a schedule without counting attempts means "try once, then once after each of
 * these delays": the first attempt plus one per scheduled delay, so no delay is skipped or repeated.
 */
function impliedMaxAttempts(override: RetryOverride): number | undefined {
  if (override.strategy !== 'schedule' || override.scheduleSecs === undefined) return undefined;
  return override.scheduleSecs.length + 1;
}

/**
 * The delay after attempt `failedAttempt` (1-based) failed, jittered by `random` in [0, 1), capped at
 * maxDelaySecs and rounded to whole milliseconds.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number, random: number): number {
  const jittered = baseDelaySecs(policy, failedAttempt) * (1 + policy.jitter * (2 * random - 1));
  return Math.round(Math.max(0, Math.min(jittered, policy.maxDelaySecs)) * 1000);
}

function baseDelaySecs(policy: RetryPolicy, failedAttempt: number): number {
  switch (policy.strategy) {
    case 'fixed':
      return policy.delaySecs;
    case 'exponential':
      return Math.min(policy.delaySecs * policy.backoffFactor ** (failedAttempt - 1), policy.maxDelaySecs);
    case 'schedule': {
      const index = Math.min(failedAttempt, policy.scheduleSecs.length) - 1;
      // The schema never lets a schedule be empty; should one slip through, the base delay is the sane reading.
      return policy.scheduleSecs[index] ?? policy.delaySecs;
    }
  }
}

/** Whether another attempt may follow after `attemptsMade` attempts. */
export function hasAttemptsLeft(policy: RetryPolicy, attemptsMade: number): boolean {
  return attemptsMade < policy.maxAttempts;
}

/** The policy's delay, raised to the receiver's Retry-After (itself bounded by MAX_RETRY_AFTER_MS). */
export function nextDelayMs(
  policy: RetryPolicy,
  failedAttempt: number,
  random: number,
  retryAfterMs?: number,
): number {
  return Math.max(
    retryDelayMs(policy, failedAttempt, random),
    Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS),
  );
}
