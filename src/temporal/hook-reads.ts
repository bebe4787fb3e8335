import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import {
  type Attempt,
  HOOK_STATUSES,
  type HookState,
  type HookStatus,
  type HookWorkflowInput,
} from '../domain/hook';
import type { ProjectOverview } from '../domain/project-overview';
import type { HookFilter, HookPage, HookReads } from '../domain/hook-store';
import type { CursorSeal } from '../security/server-secret';
import { attemptOfMemoUpdate, hookStateOf, hookSummaryOf, publishesState } from '../workflows/hook-record';
import { hookStateQuery } from '../workflows/messages';
import { type HookHandle, hookHandle, orHookNotFound, withWorkerDeadline } from './hook-handles';
import { oldestOverdueHook } from './overdue-scan';
import { hookListQuery, overdueHooksQuery } from './visibility-query';
import { visibilityPage } from './visibility-page';

type Payload = Parameters<Client['options']['loadedDataConverter']['payloadConverter']['fromPayload']>[0];

/**
 * Hooks as Temporal holds them, read from its own records so that no worker is needed: a closed hook is
 * its workflow's result; an open one is rebuilt from its memo and history (see hook-record.ts). A list
 * page is one visibility call whose records carry everything a summary shows.
 */
export class TemporalHookReads implements HookReads {
  constructor(
    private readonly client: Client,
    private readonly cursors: CursorSeal,
  ) {}

  async get(projectId: string, hookId: string): Promise<HookState> {
    const handle = hookHandle(this.client, projectId, hookId);
    return this.stateOf(handle, await orHookNotFound(() => handle.describe()));
  }

  /** The state of a hook whose description is already at hand. */
  async stateOf(handle: HookHandle, description: WorkflowExecutionDescription): Promise<HookState> {
    if (description.status.name === 'COMPLETED') return handle.result();
    const fromRecords = await this.fromRecords(handle, description);
    if (fromRecords) return fromRecords;
    // A hook started before its workflow published its state: only the workflow itself can answer,
    // through a query, which needs a worker and replays the history.
    return withWorkerDeadline(this.client, () => handle.query(hookStateQuery));
  }

  /** The hook from its memo and history, or undefined when its workflow does not publish its state. */
  private async fromRecords(
    handle: HookHandle,
    description: WorkflowExecutionDescription,
  ): Promise<HookState | undefined> {
    if (!publishesState(description.memo)) return undefined;
    // The memo as of the history's end, folded from its start and every change, so that the state and
    // the attempts come from the same moment even if the hook moves on while we read.
    const history = await withWorkerDeadline(this.client, () => handle.fetchHistory());
    let input: HookWorkflowInput | undefined;
    let memo: Record<string, unknown> = {};
    const publishedAttempts: Attempt[] = [];
    for (const event of history.events ?? []) {
      const started = event.workflowExecutionStartedEventAttributes;
      if (started) {
        const payload = started.input?.payloads?.[0];
        if (payload) input = this.decode(payload) as HookWorkflowInput;
        memo = this.decodeFields(started.memo?.fields);
      }
      const changed = event.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields;
      if (changed) {
        const update = this.decodeFields(changed);
        memo = { ...memo, ...update };
        const attempt = attemptOfMemoUpdate(update);
        if (attempt) publishedAttempts.push(attempt);
      }
    }
    return input && hookStateOf({ memo, input, publishedAttempts });
  }

  private decodeFields(fields: Record<string, Payload> | null | undefined): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(fields ?? {}).map(([key, payload]) => [key, this.decode(payload)]),
    );
  }

  /** hookrelay configures no payload codec, so the payload converter reads history payloads as they are. */
  private decode(payload: Payload): unknown {
    return this.client.options.loadedDataConverter.payloadConverter.fromPayload(payload);
  }

  async list(
    projectId: string,
    filter: HookFilter,
    page: { limit: number; cursor?: string },
  ): Promise<HookPage> {
    const { executions, nextCursor } = await visibilityPage(
      this.client,
      this.cursors,
      hookListQuery(projectId, filter),
      page,
    );
    const hooks = executions.map((info) =>
      hookSummaryOf({
        workflowId: info.workflowId,
        memo: info.memo,
        searchAttributes: info.typedSearchAttributes,
        closeTime: info.closeTime,
      }),
    );
    return { hooks, nextCursor };
  }

  async standing(projectId: string, now: Date): Promise<Pick<ProjectOverview, 'counts' | 'overdue'>> {
    const [counts, overdue, oldest] = await Promise.all([
      Promise.all(
        HOOK_STATUSES.map(async (status) => {
          const { count } = await this.client.workflow.count(
            hookListQuery(projectId, { statuses: [status] }),
          );
          return [status, count] as const;
        }),
      ),
      this.client.workflow.count(overdueHooksQuery(now, projectId)),
      oldestOverdueHook(this.client, overdueHooksQuery(now, projectId)),
    ]);
    return {
      counts: Object.fromEntries(counts) as Record<HookStatus, number>,
      overdue: {
        count: overdue.count,
        oldest: oldest
          ? hookSummaryOf({
              workflowId: oldest.execution.workflowId,
              memo: oldest.execution.memo,
              searchAttributes: oldest.execution.typedSearchAttributes,
            })
          : null,
      },
    };
  }
}
