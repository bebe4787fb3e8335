/** How big a chaos run is, how long it lasts, and how hard its processes are hit. */
export interface ChaosSettings {
  /** Hooks scheduled, due one after another at an even pace over `dueSpanMs`. */
  hooks: number;
  /** The span the hooks come due over; the processes are killed during it. */
  dueSpanMs: number;
  /** Each hook is POSTed this long before it is due, so scheduling runs through the kills too. */
  leadMs: number;
  /** Time from one SIGKILL of the worker to the next. */
  workerKillIntervalMs: number;
  /** When the API process and the Temporal server are each killed once, as a fraction of the due span. */
  apiKillAt: number;
  temporalKillAt: number;
  /** POSTs in flight at most, as an application with a bounded connection pool. */
  maxInFlight: number;
  /**
   * The project's delivery timeout. An attempt in flight at a kill is made again once Temporal gives up on
   * the killed worker, after this plus a grace period (the attempt deadline), so it bounds both how late
   * such a hook is and how far before a kill a repeated arrival may lie.
   */
  deliveryTimeoutSecs: number;
  /**
   * A disruption lasts from just before a kill (a hook due then may still be in flight) until the part is
   * ready again plus this; hooks due outside every disruption are the healthy ones.
   */
  settleMs: number;
  /** How long after the last recovery every accepted hook may take to arrive. */
  drainTimeoutMs: number;
}

/** `npm run chaos`: 10,000 hooks, the worker killed every 10 s. */
export const FULL_SETTINGS: ChaosSettings = {
  hooks: 10_000,
  dueSpanMs: 10 * 60_000,
  leadMs: 15_000,
  workerKillIntervalMs: 10_000,
  apiKillAt: 0.3,
  temporalKillAt: 0.6,
  maxInFlight: 32,
  deliveryTimeoutSecs: 10,
  settleMs: 3_000,
  drainTimeoutMs: 15 * 60_000,
};

/** The bounded run inside `npm test`: every kind of kill, in about a minute. */
export const TEST_SETTINGS: ChaosSettings = {
  hooks: 300,
  dueSpanMs: 40_000,
  leadMs: 5_000,
  workerKillIntervalMs: 8_000,
  apiKillAt: 0.3,
  temporalKillAt: 0.6,
  maxInFlight: 16,
  // Repeats come once Temporal gives up on a killed worker's attempt; a shorter timeout brings them sooner.
  deliveryTimeoutSecs: 5,
  settleMs: 3_000,
  drainTimeoutMs: 60_000,
};
