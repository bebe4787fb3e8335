/**
 * How much traffic an endpoint takes, and the bookkeeping its workflow keeps to let held hooks go within
 * it. Pure: the endpoint workflow imports this module.
 */

/** At most `ratePerSecond` requests in any second and `maxInFlight` at once; 0 means no such limit. */
export interface FlowLimits {
  ratePerSecond: number;
  maxInFlight: number;
}

export const NO_FLOW_LIMITS: FlowLimits = { ratePerSecond: 0, maxInFlight: 0 };

/** The bounds the API and the config accept, and the endpoint workflow checks again. */
export const FLOW_LIMIT_BOUNDS = {
  ratePerSecond: { max: 10_000 },
  maxInFlight: { max: 10_000 },
} as const;

export function flowLimitsProblem(limits: Partial<FlowLimits>): string | undefined {
  const { ratePerSecond, maxInFlight } = limits;
  if (
    ratePerSecond !== undefined &&
    !(ratePerSecond >= 0 && ratePerSecond <= FLOW_LIMIT_BOUNDS.ratePerSecond.max)
  ) {
    return `ratePerSecond must be between 0 and ${FLOW_LIMIT_BOUNDS.ratePerSecond.max}`;
  }
  if (
    maxInFlight !== undefined &&
    !(Number.isInteger(maxInFlight) && maxInFlight >= 0 && maxInFlight <= FLOW_LIMIT_BOUNDS.maxInFlight.max)
  ) {
    return `maxInFlight must be an integer between 0 and ${FLOW_LIMIT_BOUNDS.maxInFlight.max}`;
  }
  return undefined;
}

export function hasFlowLimits(limits: FlowLimits): boolean {
  return limits.ratePerSecond > 0 || limits.maxInFlight > 0;
}

/**
 * A released hook sends at the start of its slot, and may send up to this much later (a busy worker wakes
 * late); later than that it does not send, and is held again. Slots are spaced so that any window of one
 * second plus this tolerance holds at most `ratePerSecond` of them: however the sends fall within their
 * slots, no second sees more than the limit.
 */
export const SLOT_TOLERANCE_MS = 150;

/**
 * A send starts within this much of its slot; the rest of the tolerance (100 ms) covers its way to the
 * receiver and the receiver's own delays in seeing it.
 */
export const SEND_WINDOW_MS = 50;

/**
 * A rate-limited endpoint releases each hook some time before its slot (the lead), so that the signal,
 * the hook's workflow task and its attempt's start are done by then, and the attempt waits for its slot
 * instead of missing it. The lead follows how long that takes: longer after a missed slot, a little
 * shorter after each slot kept, within these bounds.
 */
export const RELEASE_LEAD_MS = { initial: 200, min: 100, max: 1_000 } as const;

/**
 * Hooks whose slots begin within this time after the lead are released together: the endpoint wakes
 * for them in rounds, as its timers and messages come, rather than once per slot.
 */
export const RELEASE_HORIZON_MS = 1_000;

/**
 * A released hook reports its attempt; if it does not within this time (its worker died mid-attempt, say),
 * its place is given to the next one. A whole attempt fits in it, with its HTTP timeout of at most 120 s.
 */
export const RELEASE_ACK_TIMEOUT_MS = 3 * 60_000;

/** What an endpoint's next release may be: now (with the slot to send in), later, or after a report. */
export type ReleaseDecision =
  { kind: 'now'; notBefore?: number } | { kind: 'later'; at: number } | { kind: 'full' };

/** The release bookkeeping an endpoint's run hands to the next. */
export interface FlowSnapshot {
  /** Released hooks that have not reported their attempt yet, with when each was released. */
  inFlight: Array<{ workflowId: string; at: number }>;
  /** The latest slot given out (ms). */
  lastSlotAt: number;
  /** A receiver's Retry-After: nothing goes before this (ms). */
  throttledUntil: number;
  /** How long before its slot a hook is released (ms); absent from runs that predate it. */
  leadMs?: number;
}

/**
 * The releases of one endpoint: who is in flight, the slots given out, and a receiver's request to back
 * off. Releasing in due order is the caller's; this decides when the next one may go.
 */
export class EndpointFlow {
  private readonly inFlight: Map<string, number>;
  private lastSlotAt: number;
  private throttledUntil: number;
  private leadMs: number;

  private constructor(snapshot: FlowSnapshot) {
    this.inFlight = new Map(snapshot.inFlight.map(({ workflowId, at }) => [workflowId, at]));
    this.lastSlotAt = snapshot.lastSlotAt;
    this.throttledUntil = snapshot.throttledUntil;
    this.leadMs = snapshot.leadMs ?? RELEASE_LEAD_MS.initial;
  }

  static restore(snapshot?: FlowSnapshot): EndpointFlow {
    return new EndpointFlow(snapshot ?? { inFlight: [], lastSlotAt: 0, throttledUntil: 0 });
  }

  snapshot(): FlowSnapshot {
    return {
      inFlight: [...this.inFlight].map(([workflowId, at]) => ({ workflowId, at })),
      lastSlotAt: this.lastSlotAt,
      throttledUntil: this.throttledUntil,
      leadMs: this.leadMs,
    };
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  isInFlight(workflowId: string): boolean {
    return this.inFlight.has(workflowId);
  }

  isThrottled(now: number): boolean {
    return now < this.throttledUntil;
  }

  /** When the current back-off ends, if one is in force. */
  throttledUntilAt(now: number): number | undefined {
    return this.isThrottled(now) ? this.throttledUntil : undefined;
  }

  /**
   * Whether the next held hook may go. Without limits (an endpoint let go after a pause or a back-off),
   * one at a time, so that the hooks arrive in due order; with them, as many as the limits allow.
   */
  nextRelease(limits: FlowLimits, now: number): ReleaseDecision {
    const maxInFlight = hasFlowLimits(limits) ? limits.maxInFlight || Infinity : 1;
    if (this.inFlight.size >= maxInFlight) return { kind: 'full' };
    if (limits.ratePerSecond <= 0) {
      return now < this.throttledUntil ? { kind: 'later', at: this.throttledUntil } : { kind: 'now' };
    }
    // Never a slot sooner than the lead: the hook could not be there in time.
    const slot = Math.max(now + this.leadMs, this.throttledUntil, this.lastSlotAt + slotSpacingMs(limits));
    const releaseAt = slot - this.leadMs - RELEASE_HORIZON_MS;
    return releaseAt <= now ? { kind: 'now', notBefore: slot } : { kind: 'later', at: releaseAt };
  }

  released(workflowId: string, now: number, notBefore: number | undefined): void {
    this.inFlight.set(workflowId, now);
    if (notBefore !== undefined) this.lastSlotAt = notBefore;
  }

  /** The hook made its attempt (or finished): its place is free, and it kept its slot. */
  attempted(workflowId: string): void {
    if (this.inFlight.delete(workflowId)) {
      this.leadMs = Math.max(RELEASE_LEAD_MS.min, Math.round(this.leadMs * 0.95));
    }
  }

  /**
   * The hook was held again: a pause came first, or it missed its slot. Its place is free, and the next
   * releases leave more time before their slots.
   */
  heldAgain(workflowId: string): void {
    if (this.inFlight.delete(workflowId)) {
      this.leadMs = Math.min(RELEASE_LEAD_MS.max, Math.round(this.leadMs * 1.25));
    }
  }

  /** The hook could not be told of its release (it has closed): its place is free. */
  gone(workflowId: string): void {
    this.inFlight.delete(workflowId);
  }

  /** Releases that never reported within RELEASE_ACK_TIMEOUT_MS give up their place; their ids. */
  expire(now: number): string[] {
    const expired = [...this.inFlight].filter(([, at]) => now - at >= RELEASE_ACK_TIMEOUT_MS);
    for (const [workflowId] of expired) this.inFlight.delete(workflowId);
    return expired.map(([workflowId]) => workflowId);
  }

  /** When the oldest release times out, if any is in flight. */
  nextExpiryAt(): number | undefined {
    if (this.inFlight.size === 0) return undefined;
    return Math.min(...this.inFlight.values()) + RELEASE_ACK_TIMEOUT_MS;
  }

  /** A receiver answered 429 (or 503) with Retry-After: the whole endpoint waits until then. */
  throttle(until: number): void {
    this.throttledUntil = Math.max(this.throttledUntil, until);
  }
}

/**
 * The time between two slots: one second and the tolerance, shared by the allowed requests, in whole
 * milliseconds (rounded up) so that slot arithmetic is exact.
 */
function slotSpacingMs(limits: FlowLimits): number {
  return limits.ratePerSecond > 0 ? Math.ceil((1000 + SLOT_TOLERANCE_MS) / limits.ratePerSecond) : 0;
}

/** The limits in force: the endpoint's own over the project's. */
export function effectiveFlowLimits(
  projectLimits: FlowLimits | undefined,
  overrides: Partial<FlowLimits> | undefined,
): FlowLimits {
  return { ...NO_FLOW_LIMITS, ...projectLimits, ...overrides };
}
