/**
 * How big and how long each scenario is. `full` is what `npm run bench` runs (about 40 minutes on a
 * 2-core machine); `smoke` is a few dozen hooks per scenario, to prove in CI that the harness works.
 */
export interface SuiteSettings {
  mode: 'full' | 'smoke';
  /** Concurrent schedule calls of the client in Accept, Burst and Footprint. */
  clientConcurrency: number;
  /** Hooks due at once before each scenario: connections, caches and JIT warmed, the path proven. */
  warmupHooks: number;
  /** A fresh instance of each system for each scenario, so that no scenario inherits another's hooks. */
  freshSystemPerScenario: boolean;
  accept: {
    durationMs: number;
    maxHooks: number;
    /** How far ahead the hooks are due: after the scenario ends in a full run, so none is delivered. */
    dueInMs: number;
  };
  burst: {
    hooks: number;
    /** Bounds of the time between the first schedule call and the shared due instant. */
    minLeadMs: number;
    maxLeadMs: number;
    /** How long after the due instant the last hook may take. */
    drainMs: number;
  };
  steady: {
    durationMs: number;
    /** Each hook is scheduled this long before it is due. */
    leadMs: number;
    /** Rates tried, doubling; the search starts at the highest one the Burst delivery rate reached. */
    rates: number[];
    /** A rate holds while the 99th percentile of lateness stays below this. */
    lateLimitMs: number;
    drainMs: number;
    maxInFlight: number;
  };
  footprint: {
    /** Hooks delivered while CPU is measured. */
    deliveries: number;
    /** Hooks left sleeping while memory and store size are measured. */
    sleeping: number;
    sleepingDueInMs: number;
    /** How long to wait for the processes to go idle after scheduling. */
    quietTimeoutMs: number;
    drainMs: number;
  };
  idle: {
    /** Hooks spread evenly over `durationMs`, one at a time: nothing else is in flight. */
    hooks: number;
    durationMs: number;
    /** Each hook is scheduled this long before it is due. */
    leadMs: number;
    /** How long to wait, before the first hook, for the warm-up's trailing work to be done. */
    quietTimeoutMs: number;
    drainMs: number;
  };
  startup: {
    /** Starts timed after the first (cold) one. */
    warmStarts: number;
  };
  ingest: {
    /** Events sent at `ratePerSecond`, each a new event id; stopped after `durationMs`. */
    events: number;
    ratePerSecond: number;
    durationMs: number;
    /** Of those, sent again: the duplicate path's answers. */
    duplicates: number;
    /** How long the forwarded hooks may take to arrive after the last answer. */
    drainMs: number;
  };
  dashboard: {
    /** Hooks delivered first, so that pages have attempts, minutes and an endpoint to show. */
    delivered: number;
    /** Hooks left sleeping while the pages are loaded: the size the page-load target is set for. */
    sleeping: number;
    sleepingDueInMs: number;
    /** Timed loads of each page, after one that warms the browser's cache. */
    loads: number;
    quietTimeoutMs: number;
    drainMs: number;
  };
}

export const FULL_SETTINGS: SuiteSettings = {
  mode: 'full',
  clientConcurrency: 32,
  warmupHooks: 50,
  freshSystemPerScenario: true,
  accept: { durationMs: 10_000, maxHooks: 200_000, dueInMs: 60 * 60 * 1000 },
  burst: { hooks: 2_000, minLeadMs: 5_000, maxLeadMs: 120_000, drainMs: 120_000 },
  steady: {
    // Each rate is held for a minute, as the Steady protocol asks; the two full steps per system (the
    // best rate and half of it) dominate the run. `--steady-seconds 30` shortens a run by about 5 minutes.
    durationMs: 60_000,
    leadMs: 5_000,
    rates: [5, 10, 20, 40, 80, 160, 320, 640, 1280],
    lateLimitMs: 1_000,
    drainMs: 30_000,
    maxInFlight: 256,
  },
  footprint: {
    deliveries: 1_000,
    sleeping: 10_000,
    sleepingDueInMs: 60 * 60 * 1000,
    // A Temporal worker runs each new workflow's first task after the API has accepted it; the hooks
    // only sleep once that backlog is worked off.
    quietTimeoutMs: 180_000,
    drainMs: 120_000,
  },
  // One hook a second for 50 s: on an idle stack each is delivered before the next is due, so none
  // queues behind another, and 50 of them give a median that one slow hook does not move.
  idle: { hooks: 50, durationMs: 50_000, leadMs: 3_000, quietTimeoutMs: 30_000, drainMs: 30_000 },
  startup: { warmStarts: 5 },
  // A steady rate, as senders post: the answer time at that rate, not the most a stack takes.
  ingest: { events: 600, ratePerSecond: 20, durationMs: 40_000, duplicates: 200, drainMs: 60_000 },
  dashboard: {
    delivered: 200,
    sleeping: 10_000,
    sleepingDueInMs: 60 * 60 * 1000,
    loads: 10,
    quietTimeoutMs: 180_000,
    drainMs: 120_000,
  },
};

export const SMOKE_SETTINGS: SuiteSettings = {
  mode: 'smoke',
  clientConcurrency: 8,
  warmupHooks: 4,
  // One instance per system for all scenarios: a smoke run proves the path, it does not compare.
  freshSystemPerScenario: false,
  accept: { durationMs: 1_000, maxHooks: 40, dueInMs: 1_000 },
  burst: { hooks: 30, minLeadMs: 1_000, maxLeadMs: 10_000, drainMs: 20_000 },
  steady: {
    durationMs: 2_000,
    leadMs: 1_000,
    rates: [5, 10],
    lateLimitMs: 1_000,
    drainMs: 15_000,
    maxInFlight: 64,
  },
  footprint: { deliveries: 20, sleeping: 30, sleepingDueInMs: 3_000, quietTimeoutMs: 1_000, drainMs: 20_000 },
  idle: { hooks: 5, durationMs: 2_500, leadMs: 1_000, quietTimeoutMs: 1_000, drainMs: 15_000 },
  startup: { warmStarts: 1 },
  ingest: { events: 30, ratePerSecond: 10, durationMs: 5_000, duplicates: 10, drainMs: 20_000 },
  dashboard: {
    delivered: 10,
    sleeping: 30,
    sleepingDueInMs: 3_000,
    loads: 1,
    quietTimeoutMs: 1_000,
    drainMs: 20_000,
  },
};
