import type { InjectedSinks } from '@temporalio/worker';
import { countAttemptOutcome, countHookFinished } from '../metrics/hook-metrics';
import type { HookMetricsSinks } from '../workflows/metrics-sink';

/** The worker's end of the workflow's metrics sink: prom-client counters in this process's registry. */
export const hookMetricsSinks: InjectedSinks<HookMetricsSinks> = {
  hookMetrics: {
    // Not called during replay (the default): a replayed history would count its attempts again.
    attemptOutcome: {
      fn: (_info, projectId, outcome) => {
        countAttemptOutcome(projectId, outcome);
      },
    },
    hookFinished: {
      fn: (_info, projectId, status) => {
        countHookFinished(projectId, status);
      },
    },
  },
};
