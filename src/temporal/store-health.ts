import type { Client } from '@temporalio/client';
import type { HookBacklog, StoreHealth } from '../domain/hook-store';
import { oldestOverdueHook } from './overdue-scan';
import { overdueHooksQuery, UNFINISHED_HOOKS_QUERY } from './visibility-query';

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
      const [{ count }, oldest] = await Promise.all([
        this.client.workflow.count(UNFINISHED_HOOKS_QUERY),
        oldestOverdueHook(this.client, overdueHooksQuery(now)),
      ]);
      return {
        pending: count,
        oldestOverdueAgeSeconds: oldest === undefined ? 0 : (now.getTime() - oldest.dueAt) / 1000,
      };
    });
  }
}
