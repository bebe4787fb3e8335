import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { InvalidCursorError } from '../domain/errors';
import type { CursorSeal } from '../security/server-secret';
import { withWorkerDeadline } from './hook-handles';
import { executionInfoFromRaw } from './sdk-internals';

/**
 * One page of a visibility query, its records decoded, with a cursor that wraps Temporal's page token
 * sealed to this query: a cursor from another query (another project's, say) is refused.
 */
export async function visibilityPage(
  client: Client,
  cursors: CursorSeal,
  query: string,
  page: { limit: number; cursor?: string },
): Promise<{ executions: WorkflowExecutionInfo[]; nextCursor?: string }> {
  const { namespace, loadedDataConverter } = client.options;
  const nextPageToken = openedCursor(cursors, query, page.cursor);
  const response = await withWorkerDeadline(client, () =>
    client.workflowService.listWorkflowExecutions({ namespace, query, pageSize: page.limit, nextPageToken }),
  );
  const executions = await Promise.all(
    response.executions.map((raw) => executionInfoFromRaw(raw, loadedDataConverter, raw, namespace)),
  );
  const token = response.nextPageToken;
  return { executions, nextCursor: token.length ? cursors.sealCursor(token, query) : undefined };
}

/** Temporal's page token inside a cursor sealed to `query`; a cursor sealed to another query is refused. */
export function openedCursor(
  cursors: CursorSeal,
  query: string,
  cursor: string | undefined,
): Uint8Array | undefined {
  if (cursor === undefined) return undefined;
  const token = cursors.openCursor(cursor, query);
  if (!token) throw new InvalidCursorError('cursor is not valid for this query');
  return token;
}
