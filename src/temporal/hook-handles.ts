import { type Client, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { HookNotFoundError } from '../domain/errors';
import { hookWorkflowId } from '../workflows/hook-record';
import type { hookWorkflow } from '../workflows/hook.workflow';

/** How long a call that needs a worker (query, update) or a visibility scan may take before we give up. */
const WORKER_CALL_TIMEOUT_MS = 15_000;

export type HookHandle = WorkflowHandle<typeof hookWorkflow>;

/** The handle of a hook's workflow; no call is made until it is used. */
export function hookHandle(client: Client, projectId: string, hookId: string): HookHandle {
  return client.workflow.getHandle<typeof hookWorkflow>(hookWorkflowId(projectId, hookId));
}

/**
 * Bounds a call that a worker must answer (query, update), or a visibility scan, so that the API never
 * hangs on a lost worker or a slow store: past the deadline it fails as unavailable.
 */
export function withWorkerDeadline<T>(client: Client, call: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + WORKER_CALL_TIMEOUT_MS, call);
}

/** Temporal's "no such workflow" in the domain's words. */
export async function orHookNotFound<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new HookNotFoundError('hook not found');
    throw error;
  }
}
