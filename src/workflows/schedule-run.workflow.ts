import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createScheduleActivities } from '../activities/start-scheduled-hook';
import { ScheduledStartTime, type ScheduleRunInput } from './schedule-record';

const { startScheduledHook } = proxyActivities<ReturnType<typeof createScheduleActivities>>({
  // A retried start finds the hook it already started, under the same id.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * One run of a schedule, started by its Temporal Schedule: makes the run's hook, an ordinary hook due
 * now, and completes with its id. The hook is named by this run's workflow id, so it is made once.
 */
export async function scheduleRunWorkflow(input: ScheduleRunInput): Promise<string> {
  const info = workflowInfo();
  const scheduledAt = info.typedSearchAttributes.get(ScheduledStartTime) ?? info.runStartTime;
  return startScheduledHook({
    ...input,
    runWorkflowId: info.workflowId,
    scheduledAt: scheduledAt.toISOString(),
  });
}
