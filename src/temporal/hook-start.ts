import type { WorkflowStartOptions } from '@temporalio/client';
import { attemptDeadlineMs } from '../domain/delivery';
import type { HookWorkflowInput } from '../domain/hook';
import { initialHookState } from '../domain/hook-state';
import type { NewHook } from '../domain/new-hook';
import { hookWorkflowId, initialHookRecord } from '../workflows/hook-record';
import type { hookWorkflow } from '../workflows/hook.workflow';

/**
 * Temporal refuses a longer workflow task timeout. A local activity that outlasts 80 % of the task
 * timeout still completes: the SDK heartbeats the task, at the cost of a few more events.
 */
const MAX_WORKFLOW_TASK_TIMEOUT_MS = 120_000;

/** A new hook's workflow input, in the workflow shape of this release (see the flags on HookWorkflowInput). */
export function newHookWorkflowInput(
  hook: NewHook,
  ids: { hookId: string; projectId: string; retryWindowMs: number },
): HookWorkflowInput {
  return {
    ...hook,
    ...ids,
    createdAt: new Date().toISOString(),
    publishesState: true,
    leanHistory: true,
  };
}

/**
 * How a hook's workflow is started: its id, its whole record (memo and search attributes) and, until the
 * hook is due, no run at all. Used by the API and by the workflow tests, so both start hooks alike.
 */
export function hookWorkflowStartOptions(
  input: HookWorkflowInput,
  options: { taskQueue: string; requestHash?: string },
): WorkflowStartOptions<typeof hookWorkflow> {
  const untilDue = Date.parse(input.postAt) - Date.now();
  return {
    taskQueue: options.taskQueue,
    workflowId: hookWorkflowId(input.projectId, input.hookId),
    args: [input],
    // One hook, one workflow run: an id (hence an Idempotency-Key) never starts a second run.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    // Until the hook is due its workflow does not run at all: no task, no timer, nothing in a worker's
    // cache. Everything a read needs is in the record written here. A cancel or reschedule runs it
    // early, and it then sleeps out the rest (HookLifecycle never trusts the start time).
    startDelay: untilDue > 0 ? untilDue : undefined,
    // Attempts run as local activities inside a workflow task, so the task must outlive an attempt.
    workflowTaskTimeout: Math.min(attemptDeadlineMs(input.deliveryTimeoutMs), MAX_WORKFLOW_TASK_TIMEOUT_MS),
    ...initialHookRecord(input.projectId, initialHookState(input), options.requestHash),
  };
}
