import type { Client } from '@temporalio/client';
import type { HookBacklog, StoreHealth } from '../domain/hook-store';
import { nextAttemptAtOf } from '../workflows/hook-record';
import { overdueHooksQuery, UNFINISHED_HOOKS_QUERY } from './visibility-query';

/**
 * How many overdue hooks the scan for the oldest one reads at most. Visibility on the dev server's SQL
 * store cannot ORDER BY a custom attribute, so the minimum is taken over a bounded scan; with more
 * overdue hooks than this the age shown is a lower bound (already alarming enough to act on).
 */
const OVERDUE_SCAN_LIMIT = 1000;

/** How long readiness waits for the Temporal frontend. */
const REACHABLE_TIMEOUT_MS = 2_000;

/** Temporal's health as hookrelay sees it: the frontend answers, and the backlog visibility reports. */
export class TemporalStoreHealth implements StoreHealth {
  constructor(private readonly client: Client) {}

  async isReachable(): Promise<boolean> {
    try {
      await this.client.connection.withDeadline(Date.now() + REACHABLE_TIMEOUT_MS, () =>
        this.client.connection.workflowService.getSystemInfo({}),
      );
      return true;
    } catch {
      return false;
    }
  }

  /** The backlog as Temporal visibility sees it; visibility trails the workflows by a moment. */
  backlog(deadline: number): Promise<HookBacklog> {
    return this.client.connection.withDeadline(deadline, async () => {
      const now = new Date();
      const [{ count }, oldestDueAt] = await Promise.all([
        this.client.workflow.count(UNFINISHED_HOOKS_QUERY),
        this.oldestNextAttemptAt(overdueHooksQuery(now)),
      ]);
      return {
        pending: count,
        oldestOverdueAgeSeconds: oldestDueAt === undefined ? 0 : (now.getTime() - oldestDueAt) / 1000,
      };
    });
  }

  private async oldestNextAttemptAt(query: string): Promise<number | undefined> {
    let oldest: number | undefined;
    let scanned = 0;
    for await (const execution of this.client.workflow.list({ query, pageSize: OVERDUE_SCAN_LIMIT })) {
      const dueAt = nextAttemptAtOf(execution.typedSearchAttributes)?.getTime();
      if (dueAt !== undefined && (oldest === undefined || dueAt < oldest)) oldest = dueAt;
      if (++scanned >= OVERDUE_SCAN_LIMIT) break;
    }
    return oldest;
  }
}
