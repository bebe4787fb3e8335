import type { Client } from '@temporalio/client';
import { HookNextAttemptAt } from '../workflows/search-attributes';

/** Hooks not finished yet: due later, being delivered, awaiting an ack, or waiting for a retry. */
const UNFINISHED_QUERY = "HookStatus IN ('pending', 'retry') AND ExecutionStatus = 'Running'";

/**
 * How many overdue hooks the scan for the oldest one reads at most. Visibility on the dev server's SQL
 * store cannot ORDER BY a custom attribute, so the minimum is taken over a bounded scan; with more
 * overdue hooks than this the age shown is a lower bound (already alarming enough to act on).
 */
const OVERDUE_SCAN_LIMIT = 1000;

export interface HookBacklog {
  /** Hooks with status pending or retry. */
  pending: number;
  /** Seconds since the most overdue hook was due (nextAttemptAt in the past); 0 when none is overdue. */
  oldestOverdueAgeSeconds: number;
}

/** The backlog as Temporal visibility sees it; visibility trails the workflows by a moment. */
export async function readHookBacklog(client: Client, now: Date): Promise<HookBacklog> {
  const [{ count }, oldestDueAt] = await Promise.all([
    client.workflow.count(UNFINISHED_QUERY),
    oldestNextAttemptAt(client, `${UNFINISHED_QUERY} AND HookNextAttemptAt < "${now.toISOString()}"`),
  ]);
  return {
    pending: count,
    oldestOverdueAgeSeconds: oldestDueAt === undefined ? 0 : (now.getTime() - oldestDueAt) / 1000,
  };
}

async function oldestNextAttemptAt(client: Client, query: string): Promise<number | undefined> {
  let oldest: number | undefined;
  let scanned = 0;
  for await (const execution of client.workflow.list({ query, pageSize: OVERDUE_SCAN_LIMIT })) {
    const dueAt = execution.typedSearchAttributes.get(HookNextAttemptAt)?.getTime();
    if (dueAt !== undefined && (oldest === undefined || dueAt < oldest)) oldest = dueAt;
    if (++scanned >= OVERDUE_SCAN_LIMIT) break;
  }
  return oldest;
}
