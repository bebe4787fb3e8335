import { type Distribution, distribution } from '../bench/stats';
import { cutsAttempts, type Disruption } from './disruptor';
import type { AcceptedHook } from './idempotent-scheduler';

/** One request the receiver got: the hook it names (`webhook-id`) and when it was read. */
export interface Arrival {
  hookId: string;
  at: number;
}

/** A hook that arrived more than once, and for each repeat the kill that explains it, if any. */
export interface RepeatedHook {
  hookId: string;
  arrivals: number[];
  /** One entry per repeat (arrivals[i + 1]): the disruption it follows from, or null when none does. */
  explainedBy: (Disruption | null)[];
}

export interface DeliveryFindings {
  accepted: number;
  arrivals: number;
  /** Accepted hooks that arrived at least once. */
  delivered: number;
  /** Accepted hooks that never arrived. */
  lost: string[];
  /** Arrivals of hooks that were never accepted: a second hook the scheduler never saw. */
  unexpected: number;
  /** Arrivals beyond each hook's first. */
  duplicates: number;
  explainedDuplicates: number;
  repeated: RepeatedHook[];
  /** First arrival of the hook delivered last, and how long after the last recovery it came. */
  lastDeliveryAt: number | undefined;
  lastRecoveryToLastDeliveryMs: number | undefined;
  /** First arrival minus due time, over the hooks due while every part was up and settled. */
  healthyLatenessMs: Distribution;
  /** The same over every delivered hook. */
  latenessMs: Distribution;
}

export interface FindingsInput {
  accepted: readonly AcceptedHook[];
  arrivals: readonly Arrival[];
  disruptions: readonly Disruption[];
  /**
   * How long before a kill an attempt may have been made and still be in flight: the attempt deadline, after
   * which Temporal gives up on the attempt and makes it again.
   */
  attemptDeadlineMs: number;
  /** How long after a disruption's end the stack counts as disturbed still. */
  settleMs: number;
}

/**
 * A request fully written by a process just before it was killed is read by the receiver a moment after the
 * kill was sent.
 */
const KILL_READ_TOLERANCE_MS = 1_000;

/** A hook due just before a kill may still be in flight when it comes: its lateness is the kill's too. */
export const DISRUPTION_LEAD_IN_MS = 1_000;

/**
 * What a run's arrivals say. A repeat is explained when the arrival before it came while the attempt could
 * still be in flight at the kill of a worker or of the Temporal server (within the attempt deadline before
 * it), and the repeat came after that kill: the kill took the attempt's result with it, so Temporal made
 * the attempt again (at least once delivery; receivers dedupe on `webhook-id`). Any other repeat is a bug.
 */
export function deliveryFindings(input: FindingsInput): DeliveryFindings {
  const arrivalsById = new Map<string, number[]>();
  for (const arrival of input.arrivals) {
    const times = arrivalsById.get(arrival.hookId) ?? [];
    times.push(arrival.at);
    arrivalsById.set(arrival.hookId, times);
  }
  const acceptedIds = new Set(input.accepted.map((hook) => hook.id));
  const kills = input.disruptions.filter(cutsAttempts);
  const explain = (previous: number, repeat: number) =>
    kills.find(
      (kill) =>
        previous >= kill.downAt - input.attemptDeadlineMs &&
        previous <= kill.downAt + KILL_READ_TOLERANCE_MS &&
        repeat >= kill.downAt,
    ) ?? null;

  const repeated: RepeatedHook[] = [];
  let unexpected = 0;
  for (const [hookId, times] of arrivalsById) {
    if (!acceptedIds.has(hookId)) unexpected += times.length;
    times.sort((a, b) => a - b);
    if (times.length < 2) continue;
    const explainedBy = times.slice(1).map((repeat, index) => explain(times[index] ?? repeat, repeat));
    repeated.push({ hookId, arrivals: times, explainedBy });
  }

  const disturbed = input.disruptions.map((disruption) => ({
    from: disruption.downAt - DISRUPTION_LEAD_IN_MS,
    to: disruption.readyAt + input.settleMs,
  }));
  const lateness: number[] = [];
  const healthyLateness: number[] = [];
  const lost: string[] = [];
  let lastDeliveryAt: number | undefined;
  for (const hook of input.accepted) {
    const first = arrivalsById.get(hook.id)?.[0];
    if (first === undefined) {
      lost.push(hook.id);
      continue;
    }
    lastDeliveryAt = Math.max(lastDeliveryAt ?? first, first);
    lateness.push(first - hook.dueAt);
    if (!disturbed.some((window) => hook.dueAt >= window.from && hook.dueAt <= window.to)) {
      healthyLateness.push(first - hook.dueAt);
    }
  }

  const repeats = repeated.flatMap((hook) => hook.explainedBy);
  const lastRecoveryAt = input.disruptions.reduce<number | undefined>(
    (latest, disruption) => Math.max(latest ?? disruption.readyAt, disruption.readyAt),
    undefined,
  );
  return {
    accepted: input.accepted.length,
    arrivals: input.arrivals.length,
    delivered: input.accepted.length - lost.length,
    lost,
    unexpected,
    duplicates: repeats.length,
    explainedDuplicates: repeats.filter((kill) => kill !== null).length,
    repeated,
    lastDeliveryAt,
    lastRecoveryToLastDeliveryMs:
      lastDeliveryAt === undefined || lastRecoveryAt === undefined
        ? undefined
        : lastDeliveryAt - lastRecoveryAt,
    healthyLatenessMs: distribution(healthyLateness),
    latenessMs: distribution(lateness),
  };
}
