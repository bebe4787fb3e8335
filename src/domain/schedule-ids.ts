import { createHash, randomBytes } from 'node:crypto';
import { hookIdFromHex } from './hook-ids';

export function newScheduleId(): string {
  return `sch_${randomBytes(12).toString('hex')}`;
}

/**
 * The hook a schedule's run makes, named by the run's workflow id (which Temporal derives from the
 * schedule and the run's scheduled time): a retried run finds the hook it already started, and a read of
 * the schedule names each recent run's hook without asking the run.
 */
export function scheduledHookId(projectId: string, runWorkflowId: string): string {
  const digest = createHash('sha256').update(`${projectId}\0${runWorkflowId}`, 'utf8').digest('hex');
  return hookIdFromHex(digest.slice(0, 32));
}
