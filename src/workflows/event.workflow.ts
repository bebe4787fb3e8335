import { proxyActivities } from '@temporalio/workflow';
import type { createFanoutActivities } from '../activities/schedule-event-hooks';
import type { EventWorkflowInput } from './event-record';

const { scheduleEventHooks } = proxyActivities<ReturnType<typeof createFanoutActivities>>({
  // Each try starts the hooks not started yet; a hook already started counts as done.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * One published event: schedules a hook per delivery, then completes with their ids. Started once, by the
 * API that accepted the event, so an accepted event always fans out, even if the API stops right after.
 */
export async function eventWorkflow(input: EventWorkflowInput): Promise<string[]> {
  if (input.deliveries.length > 0) await scheduleEventHooks(input);
  return input.deliveries.map((delivery) => delivery.hookId);
}
