/**
 * The delivery settings every system shares, so that the alternatives differ from hookrelay only in how
 * hooks are kept and dispatched, never in how hard failures are retried. Pure constants: the naive
 * Temporal workflow imports this module too.
 */

/** In-flight deliveries per worker: Temporal's default activity slots, which hookrelay's worker runs with. */
export const DELIVERY_CONCURRENCY = 100;

/** hookrelay's default policy: 10 attempts, exponential from 30 s, doubling, at most 6 h apart. */
export const RETRY = {
  attempts: 10,
  firstDelayMs: 30_000,
  backoffFactor: 2,
  maxDelayMs: 6 * 60 * 60 * 1000,
} as const;

/** hookrelay's default per-attempt timeout. */
export const DELIVERY_TIMEOUT_MS = 10_000;
