/**
 * Records real Temporal histories of schedules, as JSON fixtures for replay.test.ts:
 *
 *   npx tsx test/workflows/record-schedule-histories.ts [outDir]
 *
 * Through the real API, against a receiver on 127.0.0.1: a schedule runs every 2 s until one of its runs
 * has started its hook and the hook is delivered; the run's workflow (`schedule-run`) and the hook it
 * made (`scheduled-hook`, which records the schedule and sends it in its body) are written, and the
 * schedule deleted. Nothing is written unless every step reached its state.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { scheduleTemporalId } from '../../src/workflows/schedule-record';
import { hookWorkflowId } from '../../src/workflows/hook-record';
import type { TestReceiver } from '../support/receiver';
import type { TestStack } from '../support/stack';
import { recordAgainstReceiver } from './support/history-fixture';

const PROJECT = 'rec-schedules';
const WAIT_MS = 20_000;

async function drive(stack: TestStack, receiver: TestReceiver) {
  const created = await stack.request(PROJECT, 'POST', '/v1/schedules', {
    path: '/every-2s',
    interval: '2s',
    data: { report: 'hourly' },
  });
  if (created.statusCode !== 201) throw new Error(`schedule not created: ${created.body}`);
  const scheduleId = created.json<{ data: { id: string } }>().data.id;
  const [arrival] = await receiver.waitFor(1, WAIT_MS);
  const hookId = String(arrival?.headers['webhook-id']);
  await stack.waitForHook(PROJECT, hookId, (hook) => hook.status === 'completed', WAIT_MS);
  const schedule = stack.client.schedule.getHandle(scheduleTemporalId(PROJECT, scheduleId));
  const { recentActions } = (await schedule.describe()).info;
  await schedule.delete();
  const run = recentActions[0]?.action.workflow.workflowId;
  if (!run) throw new Error('the schedule recorded no run');
  const runHandle = stack.client.workflow.getHandle(run);
  if ((await runHandle.result()) !== hookId) throw new Error('the first run did not make the first hook');
  return {
    'schedule-run': runHandle,
    'scheduled-hook': stack.client.workflow.getHandle(hookWorkflowId(PROJECT, hookId)),
  } satisfies Record<string, WorkflowHandle>;
}

recordAgainstReceiver({ project: (baseUrl) => ({ id: PROJECT, baseUrl }) }, drive);
