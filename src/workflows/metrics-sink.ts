import { proxySinks, type Sinks } from '@temporalio/workflow';
import type { AttemptOutcome } from '../domain/hook';

/**
 * What the hook workflow reports for metrics. Workflow code is sandboxed and replayed, so it cannot
 * touch a metrics registry; a sink call is handed to the worker after the workflow task, and is not
 * repeated when the history is replayed.
 */
export interface HookMetricsSinks extends Sinks {
  hookMetrics: {
    /** An attempt has an outcome: the HTTP answer, then for an async attempt how its wait ended. */
    attemptOutcome(projectId: string, outcome: AttemptOutcome): void;
    /** The hook reached a final delivery status. */
    hookFinished(projectId: string, status: 'completed' | 'failed'): void;
  };
}

export const { hookMetrics } = proxySinks<HookMetricsSinks>();
