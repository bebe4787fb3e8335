import type { Distribution } from '../bench/stats';
import type { Disruption } from './disruptor';
import type { DeliveryFindings } from './findings';
import type { SchedulingCounts } from './idempotent-scheduler';
import type { ChaosSettings } from './settings';

/** Everything a chaos run found. Times are epoch milliseconds. */
export interface ChaosResult {
  settings: ChaosSettings;
  /** When the first hook was POSTed: the report counts time from here. */
  scheduledFrom: number;
  dueFrom: number;
  dueUntil: number;
  finishedAt: number;
  scheduling: SchedulingCounts & {
    /** Hooks the load runner handed to the scheduler (all of them, unless it ran out of time). */
    attempted: number;
    /** How far behind its timetable the scheduler fell at worst, waiting for a free connection. */
    maxLagMs: number;
    /** Milliseconds from the first try of a POST to its acceptance, retries included. */
    acceptLatencyMs: Distribution;
    /** The first few distinct reasons a POST was not accepted. */
    errors: string[];
    /** Hook workflows in Temporal once the run is over: one per accepted hook. */
    workflowsInTemporal: number;
  };
  disruptions: Disruption[];
  deliveries: DeliveryFindings;
}

/** Why the run failed; none when nothing was lost, every repeat is explained and every hook was accepted once. */
export function chaosProblems(result: ChaosResult): string[] {
  const { scheduling, deliveries } = result;
  const problems: string[] = [];
  const count = (what: string, n: number) => {
    if (n > 0) problems.push(`${what}: ${n}`);
  };
  count('accepted hooks that never arrived', deliveries.lost.length);
  count('repeated arrivals no kill explains', deliveries.duplicates - deliveries.explainedDuplicates);
  count('arrivals of hooks that were never accepted', deliveries.unexpected);
  count('hooks never POSTed, the run having run out of time', result.settings.hooks - scheduling.attempted);
  count('POSTs refused', scheduling.rejected);
  count('POSTs still failing when their retries ran out', scheduling.gaveUp);
  count('hooks accepted under another id than their Idempotency-Key names', scheduling.unexpectedIds);
  if (scheduling.workflowsInTemporal !== deliveries.accepted) {
    problems.push(
      `Temporal holds ${scheduling.workflowsInTemporal} hook workflows for ${deliveries.accepted} accepted hooks`,
    );
  }
  return problems;
}
