import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { nextAttemptAtOf } from '../workflows/hook-record';

/**
 * How many overdue hooks a scan for the oldest one reads at most. Visibility on the dev server's SQL
 * store cannot ORDER BY a custom attribute, so the minimum is taken over a bounded scan; with more
 * overdue hooks than this the one found is among the oldest, not surely the oldest (already alarming
 * enough to act on).
 */
const OVERDUE_SCAN_LIMIT = 1000;

/** The hook among those `query` matches whose next attempt was due first, with that time. */
export async function oldestOverdueHook(
  client: Client,
  query: string,
): Promise<{ execution: WorkflowExecutionInfo; dueAt: number } | undefined> {
  let oldest: { execution: WorkflowExecutionInfo; dueAt: number } | undefined;
  let scanned = 0;
  for await (const execution of client.workflow.list({ query, pageSize: OVERDUE_SCAN_LIMIT })) {
    const dueAt = nextAttemptAtOf(execution.typedSearchAttributes)?.getTime();
    if (dueAt !== undefined && (oldest === undefined || dueAt < oldest.dueAt)) oldest = { execution, dueAt };
    if (++scanned >= OVERDUE_SCAN_LIMIT) break;
  }
  return oldest;
}
