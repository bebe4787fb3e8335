import {
  ApplicationFailure,
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { HookConflictError } from '../domain/errors';
import type { HookState } from '../domain/hook';
import { newHookId } from '../domain/hook-ids';
import { initialHookState } from '../domain/hook-state';
import type { HookCommands, Idempotency } from '../domain/hook-store';
import { idempotentHookId, requestFingerprint } from '../domain/idempotency';
import type { NewHook } from '../domain/new-hook';
import { requestHashOf } from '../workflows/hook-record';
import type { hookWorkflow } from '../workflows/hook.workflow';
import {
  cancelHookUpdate,
  HOOK_STATE_CONFLICT,
  rescheduleHookUpdate,
  retryHookUpdate,
} from '../workflows/messages';
import { type HookHandle, hookHandle, withWorkerDeadline } from './hook-handles';
import type { TemporalHookReads } from './hook-reads';
import { hookWorkflowStartOptions, newHookWorkflowInput } from './hook-start';

export interface HookCommandOptions {
  taskQueue: string;
  /** How long a failed hook can still be retried; the namespace retention, so both end together. */
  retryWindowMs: number;
}

/**
 * Changes to hooks as Temporal carries them out: scheduling starts the hook's workflow; cancelling,
 * rescheduling and retrying are workflow updates, which the workflow validates against its own state.
 */
export class TemporalHookCommands implements HookCommands {
  constructor(
    private readonly client: Client,
    private readonly reads: TemporalHookReads,
    private readonly options: HookCommandOptions,
  ) {}

  /**
   * Starts the hook's workflow. With an Idempotency-Key the hook id is derived from the key, so a
   * repeated or concurrent request finds the existing workflow instead of starting a second one.
   */
  async schedule(
    projectId: string,
    hook: NewHook,
    idempotency?: Idempotency,
  ): Promise<{ hook: HookState; created: boolean }> {
    const hookId = idempotency ? idempotentHookId(projectId, idempotency.key) : newHookId();
    const input = newHookWorkflowInput(hook, {
      hookId,
      projectId,
      retryWindowMs: this.options.retryWindowMs,
    });
    const requestHash = idempotency ? requestFingerprint(idempotency.request) : undefined;
    try {
      await this.client.workflow.start<typeof hookWorkflow>(
        'hookWorkflow',
        hookWorkflowStartOptions(input, { taskQueue: this.options.taskQueue, requestHash }),
      );
      return { hook: initialHookState(input), created: true };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError) || !requestHash) throw error;
      const handle = hookHandle(this.client, projectId, hookId);
      const existing = await handle.describe();
      if (requestHashOf(existing.memo) !== requestHash) {
        throw new HookConflictError('this Idempotency-Key was already used with a different request');
      }
      return { hook: await this.reads.stateOf(handle, existing), created: false };
    }
  }

  cancel(projectId: string, hookId: string): Promise<HookState> {
    return this.update(projectId, hookId, 'cancelled', (handle) => handle.executeUpdate(cancelHookUpdate));
  }

  retry(projectId: string, hookId: string): Promise<HookState> {
    return this.update(projectId, hookId, 'retried', (handle) => handle.executeUpdate(retryHookUpdate));
  }

  reschedule(projectId: string, hookId: string, postAt: Date): Promise<HookState> {
    return this.update(projectId, hookId, 'rescheduled', (handle) =>
      handle.executeUpdate(rescheduleHookUpdate, { args: [postAt.toISOString()] }),
    );
  }

  /** Runs a workflow update; the workflow's refusals, and a finished hook, become conflicts. */
  private async update(
    projectId: string,
    hookId: string,
    verb: string,
    call: (handle: HookHandle) => Promise<HookState>,
  ): Promise<HookState> {
    const handle = hookHandle(this.client, projectId, hookId);
    try {
      return await withWorkerDeadline(this.client, () => call(handle));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && isStateConflict(error.cause)) {
        throw new HookConflictError(error.cause.message);
      }
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    // No running workflow took the update: either the hook does not exist, or it has already finished.
    const hook = await this.reads.get(projectId, hookId);
    throw new HookConflictError(`hook is ${hook.status} and can no longer be ${verb}`);
  }
}

function isStateConflict(cause: unknown): cause is ApplicationFailure {
  return cause instanceof ApplicationFailure && cause.type === HOOK_STATE_CONFLICT;
}
