import type { RetryOverride } from './hook';
import type { SubscriptionTarget } from './subscription';

/**
 * Recurring schedules: a hook made again and again, at the times a cron expression or an interval names,
 * each run an ordinary hook of its own. Pure types and constants.
 */

/** Every schedule id has this shape. */
export const SCHEDULE_ID_PATTERN = /^sch_[0-9a-f]{24}$/;

/**
 * What a run does while an earlier run has not yet started its hook (no worker was there to run it, say):
 * skip it, keep one or all of them to run after it, or run them all at once.
 */
export const OVERLAP_POLICIES = ['skip', 'buffer_one', 'buffer_all', 'allow_all'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** When a schedule runs: a cron expression read in `timezone`, or a fixed interval. */
export type ScheduleTiming = { cron: string; interval?: undefined } | { interval: string; cron?: undefined };

/** A schedule's definition, as a user gave it: what every run's hook is, and when runs happen. */
export interface ScheduleDefinition {
  description?: string;
  target: SubscriptionTarget;
  data: unknown;
  retryOverride?: RetryOverride;
  timing: ScheduleTiming;
  /** IANA name; cron times are wall-clock times in it. */
  timezone: string;
  /** No run before (ISO). */
  startAt?: string;
  /** No run after (ISO). */
  endAt?: string;
  /** Each run is delayed by a random part of this ("30s"), spreading runs due at the same time. */
  jitter?: string;
  overlap: OverlapPolicy;
}

/** One run a schedule made: when it was due, when it ran, and the hook it started. */
export interface ScheduleRun {
  scheduledAt: string;
  startedAt: string;
  hookId: string;
}

/** A schedule as the API shows it. */
export interface ScheduleView extends ScheduleDefinition {
  id: string;
  paused: boolean;
  note?: string;
  /** The next (at most 5) run times, as Temporal computes them. */
  nextRunTimes: string[];
  /** The latest runs, oldest first. */
  recentRuns: ScheduleRun[];
  createdAt: string;
  updatedAt: string;
}

/** The optional fields of a definition that a change may remove, with `null`. */
const REMOVABLE = ['description', 'retryOverride', 'startAt', 'endAt', 'jitter'] as const;
type Removable = (typeof REMOVABLE)[number];

/** A change to some fields of a schedule's definition; `null` removes an optional one. */
export type SchedulePatch = Partial<Omit<ScheduleDefinition, Removable>> & {
  [K in Removable]?: ScheduleDefinition[K] | null;
};

/** Where a hook came from, when a schedule made it: the receiver gets it beside the data. */
export interface HookScheduleOrigin {
  id: string;
  /** The time the run was due (ISO), before any jitter. */
  scheduledAt: string;
}

/** The definition with a patch applied: `undefined` keeps a field, `null` removes a removable one. */
export function patchedDefinition(definition: ScheduleDefinition, patch: SchedulePatch): ScheduleDefinition {
  const removed = new Set<string>(REMOVABLE.filter((key) => patch[key] === null));
  const changes = Object.entries(patch).filter(([key, value]) => value !== undefined && !removed.has(key));
  const kept = Object.entries(definition).filter(([key]) => !removed.has(key));
  // Every value comes from the definition or from a patch of the same fields.
  return Object.fromEntries([...kept, ...changes]) as unknown as ScheduleDefinition;
}
