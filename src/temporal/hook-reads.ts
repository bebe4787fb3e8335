import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { InvalidCursorError } from '../domain/errors';
import type { HookState } from '../domain/hook';
import type { HookFilter, HookPage, HookReads } from '../domain/hook-store';
import type { CursorSeal } from '../security/server-secret';
import { hookSummaryOf } from '../workflows/hook-record';
import { hookStateQuery } from '../workflows/messages';
import { type HookHandle, hookHandle, orHookNotFound, withWorkerDeadline } from './hook-handles';
import { executionInfoFromRaw } from './sdk-internals';
import { hookListQuery } from './visibility-query';

/**
 * Hooks as Temporal holds them: one hook is its workflow's result once closed, or the answer to a query
 * while it runs; a list page is one visibility call whose records carry everything a summary shows.
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
  stateOf(handle: HookHandle, description: WorkflowExecutionDescription): Promise<HookState> {
    if (description.status.name === 'COMPLETED') return handle.result();
    // Running, or closed abnormally (terminated by an operator): the query replays the history.
    return withWorkerDeadline(this.client, () => handle.query(hookStateQuery));
  }

  async list(
    projectId: string,
    filter: HookFilter,
    page: { limit: number; cursor?: string },
  ): Promise<HookPage> {
    const { namespace, loadedDataConverter } = this.client.options;
    const query = hookListQuery(projectId, filter);
    const nextPageToken = page.cursor === undefined ? undefined : this.cursors.openCursor(page.cursor, query);
    if (page.cursor !== undefined && !nextPageToken) {
      throw new InvalidCursorError('cursor is not valid for this query');
    }
    const response = await withWorkerDeadline(this.client, () =>
      this.client.workflowService.listWorkflowExecutions({
        namespace,
        query,
        pageSize: page.limit,
        nextPageToken,
      }),
    );
    const hooks = await Promise.all(
      response.executions.map(async (raw) => {
        const info = await executionInfoFromRaw(raw, loadedDataConverter, raw, namespace);
        return hookSummaryOf({
          workflowId: info.workflowId,
          memo: info.memo,
          searchAttributes: info.typedSearchAttributes,
          closeTime: info.closeTime,
        });
      }),
    );
    const token = response.nextPageToken;
    return { hooks, nextCursor: token.length ? this.cursors.sealCursor(token, query) : undefined };
  }
}
