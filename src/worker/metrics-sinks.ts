import type { InjectedSinks } from '@temporalio/worker';
import { countAttemptOutcome, countHookFinished } from '../metrics/hook-metrics';
import { RecentFacts } from '../metrics/recent-facts';
import type { HookMetricsSinks } from '../workflows/metrics-sink';

/** Far more facts than a worker tells between a workflow task and its rerun. */
const RECENT_FACTS = 100_000;

/**
 * The worker's end of the workflow's metrics sink: prom-client counters in this process's registry.
 * Not called during replay (the default), or a replayed history would count its attempts again; and a
 * fact a rerun workflow task tells again is counted once.
 */
export function hookMetricsSinks(): InjectedSinks<HookMetricsSinks> {
  const facts = new RecentFacts(RECENT_FACTS);
  return {
    hookMetrics: {
      attemptOutcome: {
        fn: (info, projectId, attempt, outcome) => {
          if (facts.isNew(`${info.runId}/${attempt}/${outcome}`)) countAttemptOutcome(projectId, outcome);
        },
      },
      hookFinished: {
        fn: (info, projectId, attempts, status) => {
          if (facts.isNew(`${info.runId}/${attempts}/${status}`)) countHookFinished(projectId, status);
        },
      },
    },
  };
}
