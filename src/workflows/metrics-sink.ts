import { proxySinks, type Sinks } from '@temporalio/workflow';
import type { AttemptOutcome } from '../domain/hook';

/**
 * What the hook workflow reports for metrics. Workflow code is sandboxed and replayed, so it cannot
 * touch a metrics registry; a sink call is handed to the worker after the workflow task, and is not
 * repeated when the history is replayed. It is repeated when a workflow task runs again after the
 * server refused its completion, so each call names its fact (the attempt it concerns) for the worker
 * to count it once.
 */
export interface HookMetricsSinks extends Sinks {
  hookMetrics: {
    /** Attempt `attempt` has an outcome: the HTTP answer, then for an async attempt how its wait ended. */
    attemptOutcome(projectId: string, attempt: number, outcome: AttemptOutcome): void;
    /** The hook reached a final delivery status after `attempts` attempts in all. */
    hookFinished(projectId: string, attempts: number, status: 'completed' | 'failed'): void;
  };
}

export const { hookMetrics } = proxySinks<HookMetricsSinks>();
