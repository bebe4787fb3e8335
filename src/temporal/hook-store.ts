import { createHash } from 'node:crypto';
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
  type WorkflowHandle,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
// Decodes raw visibility records the way client.workflow.list() does; used because we page by token.
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig } from '../config/schema';
import { CALLBACK_MEMO_KEY, type CallbackMemo, type CallbackSignal } from '../domain/async-ack';
import type { HookState, HookStatus, HookWorkflowInput, RetryOverride } from '../domain/hook';
import { initialHookState } from '../domain/hook-state';
import { stableStringify } from '../lib/stable-json';
import {
  callbackSignal,
  cancelHookUpdate,
  HOOK_STATE_CONFLICT,
  hookStateQuery,
  rescheduleHookUpdate,
  retryHookUpdate,
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
import { type HookBacklog, readHookBacklog } from './hook-backlog';
import { decodeCursor, encodeCursor } from './page-cursor';
import { type HookFilter, hookListQuery } from './visibility-query';
import { hookWorkflowId, idempotentHookId, newHookId } from './workflow-ids';

export class HookNotFoundError extends Error {}
export class HookConflictError extends Error {}
export class InvalidCursorError extends Error {}

/** The fixed facts of a hook, kept in its memo so that a list page needs no call per hook. */
interface HookSummaryMemo {
  path?: string;
  url?: string;
  targetUrl: string;
  async: boolean;
  retryOverride?: RetryOverride;
}
const SUMMARY_MEMO_KEY = 'hook';

/** A hook as a list page shows it: everything but its data and attempt history. */
export type HookSummary = Omit<HookState, 'data' | 'attemptHistory' | 'updatedAt' | 'failureError'>;

/** A hook to schedule, as the API has validated and resolved it. */
export type NewHook = Omit<HookWorkflowInput, 'hookId' | 'projectId' | 'createdAt' | 'retryWindowMs'>;

export interface HookStoreOptions {
  taskQueue: string;
  /** Signs list cursors, so that only cursors this service handed out are accepted. */
  cursorKey: string;
  /** How long a failed hook can still be retried; the namespace retention, so both end together. */
  retryWindowMs: number;
}

/** The store's settings as the configuration gives them. */
export function hookStoreOptions(config: Pick<AppConfig, 'temporal' | 'callbackSecret'>): HookStoreOptions {
  return {
    taskQueue: config.temporal.taskQueue,
    cursorKey: config.callbackSecret,
    retryWindowMs: config.temporal.retentionDays * 86_400_000,
  };
}

/** How long a call that needs a worker (query, update) or a visibility scan may take before the API gives up. */
const WORKER_CALL_TIMEOUT_MS = 15_000;

/**
 * The API's view of hooks, kept entirely in Temporal: scheduling starts a workflow, reading queries it
 * (or reads its result once closed), cancelling, rescheduling and retrying are updates to it.
 */
export class HookStore {
  constructor(
    private readonly client: Client,
    private readonly options: HookStoreOptions,
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
    const input: HookWorkflowInput = {
      ...hook,
      hookId,
      projectId,
      createdAt: new Date().toISOString(),
      retryWindowMs: this.options.retryWindowMs,
    };
    const requestHash = idempotency ? fingerprint(idempotency.request) : undefined;
    try {
      await this.start(input, requestHash);
      return { hook: initialHookState(input), created: true };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError) || !requestHash) throw error;
      const handle = this.client.workflow.getHandle<typeof hookWorkflow>(hookWorkflowId(projectId, hookId));
      const existing = await handle.describe();
      if (existing.memo?.requestHash !== requestHash) {
        throw new HookConflictError('this Idempotency-Key was already used with a different request');
      }
      return { hook: await this.readState(handle, existing), created: false };
    }
  }

  private async start(input: HookWorkflowInput, requestHash: string | undefined): Promise<void> {
    const summary: HookSummaryMemo = {
      ...input.target,
      targetUrl: input.targetUrl,
      async: input.async,
      retryOverride: input.retryOverride,
    };
    await this.client.workflow.start<typeof hookWorkflow>('hookWorkflow', {
      taskQueue: this.options.taskQueue,
      workflowId: hookWorkflowId(input.projectId, input.hookId),
      args: [input],
      // One hook, one workflow run: an id (hence an Idempotency-Key) never starts a second run.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { [SUMMARY_MEMO_KEY]: summary, ...(requestHash ? { requestHash } : {}) },
      typedSearchAttributes: [
        { key: HookProject, value: input.projectId },
        { key: HookStatusKey, value: 'pending' },
        { key: HookPath, value: input.target.path ?? input.target.url },
        { key: HookAttempts, value: 0 },
        { key: HookPostAt, value: new Date(input.postAt) },
        { key: HookCreatedAt, value: new Date(input.createdAt) },
        { key: HookNextAttemptAt, value: new Date(input.postAt) },
      ],
    });
  }

  /**
   * One page of a project's hooks from Temporal visibility, newest first. Visibility is eventually
   * consistent: a hook scheduled or changed a moment ago may show its previous status for a short while.
   * Items are summaries (no data, no attempt history): a page costs one visibility call, not one per hook.
   */
  async list(
    projectId: string,
    filter: HookFilter,
    page: { limit: number; cursor?: string },
  ): Promise<{ hooks: HookSummary[]; nextCursor?: string }> {
    const { namespace, loadedDataConverter } = this.client.options;
    const query = hookListQuery(projectId, filter);
    const nextPageToken =
      page.cursor === undefined ? undefined : decodeCursor(page.cursor, query, this.options.cursorKey);
    if (page.cursor !== undefined && !nextPageToken) {
      throw new InvalidCursorError('cursor is not valid for this query');
    }
    const response = await this.client.connection.withDeadline(Date.now() + WORKER_CALL_TIMEOUT_MS, () =>
      this.client.workflowService.listWorkflowExecutions({
        namespace,
        query,
        pageSize: page.limit,
        nextPageToken,
      }),
    );
    const hooks = await Promise.all(
      response.executions.map(async (raw) =>
        toSummary(await executionInfoFromRaw(raw, loadedDataConverter, raw, namespace)),
      ),
    );
    const token = response.nextPageToken;
    return {
      hooks,
      nextCursor: token.length ? encodeCursor(token, query, this.options.cursorKey) : undefined,
    };
  }

  async get(projectId: string, hookId: string): Promise<HookState> {
    const handle = this.client.workflow.getHandle<typeof hookWorkflow>(hookWorkflowId(projectId, hookId));
    return this.readState(handle, await this.withNotFound(() => handle.describe()));
  }

  /** A closed hook's state is its workflow's result; an open one is asked through a query. */
  private readState(
    handle: WorkflowHandle<typeof hookWorkflow>,
    description: WorkflowExecutionDescription,
  ): Promise<HookState> {
    if (description.status.name === 'COMPLETED') return handle.result();
    // Running, or closed abnormally (terminated by an operator): the query replays the history.
    return this.withWorkerDeadline(() => handle.query(hookStateQuery));
  }

  async cancel(projectId: string, hookId: string): Promise<HookState> {
    return this.update(projectId, hookId, 'cancelled', (handle) => handle.executeUpdate(cancelHookUpdate));
  }

  /** A new delivery cycle for a failed hook, under the same id and with its earlier attempts kept. */
  async retry(projectId: string, hookId: string): Promise<HookState> {
    return this.update(projectId, hookId, 'retried', (handle) => handle.executeUpdate(retryHookUpdate));
  }

  async reschedule(projectId: string, hookId: string, postAt: string): Promise<HookState> {
    return this.update(projectId, hookId, 'rescheduled', (handle) =>
      handle.executeUpdate(rescheduleHookUpdate, { args: [postAt] }),
    );
  }

  /** Runs a workflow update; the workflow's refusals, and a finished hook, become conflicts. */
  private async update(
    projectId: string,
    hookId: string,
    verb: string,
    call: (handle: WorkflowHandle) => Promise<HookState>,
  ): Promise<HookState> {
    const handle = this.client.workflow.getHandle(hookWorkflowId(projectId, hookId));
    try {
      return await this.withWorkerDeadline(() => call(handle));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && isStateConflict(error.cause)) {
        throw new HookConflictError(error.cause.message);
      }
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    // No running workflow took the update: either the hook does not exist, or it has already finished.
    const hook = await this.get(projectId, hookId);
    throw new HookConflictError(`hook is ${hook.status} and can no longer be ${verb}`);
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

  /** Pending hooks and the most overdue one, for the /metrics gauges; gives up at `deadline` (epoch ms). */
  backlog(deadline: number): Promise<HookBacklog> {
    return this.client.connection.withDeadline(deadline, () => readHookBacklog(this.client, new Date()));
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

function toSummary(info: WorkflowExecutionInfo): HookSummary {
  const attributes = info.typedSearchAttributes;
  const memo = info.memo?.[SUMMARY_MEMO_KEY] as HookSummaryMemo;
  const iso = (date: Date | undefined) => date?.toISOString();
  const nextAttemptAt = iso(attributes.get(HookNextAttemptAt));
  return {
    id: info.workflowId.split(':').at(-1) ?? info.workflowId,
    ...memo,
    postAt: iso(attributes.get(HookPostAt)) ?? '',
    status: (attributes.get(HookStatusKey) ?? 'pending') as HookStatus,
    attempts: attributes.get(HookAttempts) ?? 0,
    createdAt: iso(attributes.get(HookCreatedAt)) ?? '',
    ...(nextAttemptAt ? { nextAttemptAt } : {}),
    ...(info.closeTime ? { completedAt: info.closeTime.toISOString() } : {}),
  };
}
