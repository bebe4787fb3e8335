import { createHash } from 'node:crypto';
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { CALLBACK_MEMO_KEY, type CallbackMemo, type CallbackSignal } from '../domain/async-ack';
import type { HookState, HookWorkflowInput } from '../domain/hook';
import { initialHookState } from '../domain/hook-state';
import { stableStringify } from '../lib/stable-json';
import {
  callbackSignal,
  cancelHookUpdate,
  HOOK_STATE_CONFLICT,
  hookStateQuery,
} from '../workflows/definitions';
import type { hookWorkflow } from '../workflows/hook.workflow';
import {
  HookAttempts,
  HookCreatedAt,
  HookNextAttemptAt,
  HookPath,
  HookPostAt,
  HookProject,
  HookStatusKey,
} from '../workflows/search-attributes';
import { hookWorkflowId, idempotentHookId, newHookId } from './workflow-ids';

export class HookNotFoundError extends Error {}
export class HookConflictError extends Error {}

/** A hook to schedule, as the API has validated and resolved it. */
export type NewHook = Omit<HookWorkflowInput, 'hookId' | 'projectId' | 'createdAt'>;

/** How long a call that needs a worker (query, update) may wait before the API gives up. */
const WORKER_CALL_TIMEOUT_MS = 15_000;

/**
 * The API's view of hooks, kept entirely in Temporal: scheduling starts a workflow, reading queries it
 * (or reads its result once closed), cancelling sends it an update.
 */
export class HookStore {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /**
   * Starts the hook's workflow. With an Idempotency-Key the hook id is derived from the key, so a
   * repeated or concurrent request finds the existing workflow instead of starting a second one.
   */
  async schedule(
    projectId: string,
    hook: NewHook,
    idempotency?: { key: string; request: unknown },
  ): Promise<{ hook: HookState; created: boolean }> {
    const hookId = idempotency ? idempotentHookId(projectId, idempotency.key) : newHookId();
    const input: HookWorkflowInput = { ...hook, hookId, projectId, createdAt: new Date().toISOString() };
    const requestHash = idempotency ? fingerprint(idempotency.request) : undefined;
    try {
      await this.client.workflow.start<typeof hookWorkflow>('hookWorkflow', {
        taskQueue: this.taskQueue,
        workflowId: hookWorkflowId(projectId, hookId),
        args: [input],
        // Kept for the whole retention period: the key can never schedule a second hook.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: requestHash ? { requestHash } : undefined,
        typedSearchAttributes: [
          { key: HookProject, value: projectId },
          { key: HookStatusKey, value: 'pending' },
          { key: HookPath, value: hook.target.path ?? hook.target.url },
          { key: HookAttempts, value: 0 },
          { key: HookPostAt, value: new Date(hook.postAt) },
          { key: HookCreatedAt, value: new Date(input.createdAt) },
          { key: HookNextAttemptAt, value: new Date(hook.postAt) },
        ],
      });
      return { hook: initialHookState(input), created: true };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError) || !requestHash) throw error;
      const existing = await this.client.workflow.getHandle(hookWorkflowId(projectId, hookId)).describe();
      if (existing.memo?.requestHash !== requestHash) {
        throw new HookConflictError('this Idempotency-Key was already used with a different request');
      }
      return { hook: await this.get(projectId, hookId), created: false };
    }
  }

  async get(projectId: string, hookId: string): Promise<HookState> {
    const handle = this.client.workflow.getHandle<typeof hookWorkflow>(hookWorkflowId(projectId, hookId));
    const description = await this.withNotFound(() => handle.describe());
    if (description.status.name === 'COMPLETED') return handle.result();
    // Running, or closed abnormally (terminated by an operator): the query replays the history.
    return this.withWorkerDeadline(() => handle.query(hookStateQuery));
  }

  async cancel(projectId: string, hookId: string): Promise<HookState> {
    const handle = this.client.workflow.getHandle(hookWorkflowId(projectId, hookId));
    try {
      return await this.withWorkerDeadline(() => handle.executeUpdate(cancelHookUpdate));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && isStateConflict(error.cause)) {
        throw new HookConflictError(error.cause.message);
      }
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    // No running workflow took the update: either the hook does not exist, or it has already finished.
    const hook = await this.get(projectId, hookId);
    throw new HookConflictError(`hook is ${hook.status} and can no longer be cancelled`);
  }

  /**
   * What an ack/nack is judged against: the hook's status and the callback memo its workflow publishes.
   * Both come from Temporal's own records, so this works while every worker is down.
   */
  async callbackState(
    projectId: string,
    hookId: string,
  ): Promise<{ cancelled: boolean; memo?: CallbackMemo }> {
    const handle = this.client.workflow.getHandle(hookWorkflowId(projectId, hookId));
    const description = await this.withNotFound(() => handle.describe());
    return {
      cancelled: description.typedSearchAttributes.get(HookStatusKey) === 'cancelled',
      memo: description.memo?.[CALLBACK_MEMO_KEY] as CallbackMemo | undefined,
    };
  }

  /** Hands an ack/nack to the workflow; Temporal keeps the signal until a worker applies it. */
  async sendCallback(projectId: string, hookId: string, signal: CallbackSignal): Promise<void> {
    const handle = this.client.workflow.getHandle(hookWorkflowId(projectId, hookId));
    await this.withNotFound(() => handle.signal(callbackSignal, signal));
  }

  /** True when the Temporal frontend answers. */
  async isReachable(): Promise<boolean> {
    try {
      await this.client.connection.withDeadline(Date.now() + 2_000, () =>
        this.client.connection.workflowService.getSystemInfo({}),
      );
      return true;
    } catch {
      return false;
    }
  }

  private async withNotFound<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new HookNotFoundError('hook not found');
      throw error;
    }
  }

  private withWorkerDeadline<T>(call: () => Promise<T>): Promise<T> {
    return this.client.connection.withDeadline(Date.now() + WORKER_CALL_TIMEOUT_MS, call);
  }
}

function fingerprint(request: unknown): string {
  return createHash('sha256').update(stableStringify(request)).digest('hex');
}

function isStateConflict(cause: unknown): cause is ApplicationFailure {
  return cause instanceof ApplicationFailure && cause.type === HOOK_STATE_CONFLICT;
}
