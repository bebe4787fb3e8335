/**
 * Records real Temporal histories of batching, as JSON fixtures for replay.test.ts:
 *
 *   npx tsx test/workflows/record-batching-histories.ts [outDir]
 *
 * Through the real API, against a receiver on 127.0.0.1 that fails the first request: two hooks of one key
 * fill a batch whose request fails and is retried as a whole (`batch-retried`, and one of its members,
 * `batched-hook-retried`); then of two hooks gathering under another key one is cancelled, the batch lets
 * it go and sends the other (`batch-with-leave`, and the cancelled member, `batched-hook-cancelled`).
 * Nothing is written unless every step reached its state.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { batchWorkflowId } from '../../src/activities/join-batch';
import type { HookState } from '../../src/domain/hook';
import { batchViewQuery } from '../../src/workflows/batch-messages';
import { hookWorkflowId } from '../../src/workflows/hook-record';
import { pollFor } from '../support/poll';
import type { TestReceiver } from '../support/receiver';
import type { TestStack } from '../support/stack';
import { recordAgainstReceiver } from './support/history-fixture';

const PROJECT = 'rec-batch';
const WAIT_MS = 20_000;

async function drive(stack: TestStack, receiver: TestReceiver) {
  const schedule = (key: string, maxSize: number, n: number) =>
    stack.schedule(PROJECT, {
      path: '/batch',
      postIn: '0s',
      data: { n },
      batch: { key, maxSize, windowSecs: 2 },
    });
  const finished = (hook: HookState, status: HookState['status']) =>
    stack.waitForHook(PROJECT, hook.id, (current) => current.status === status, WAIT_MS);
  const batchHandle = (key: string) =>
    stack.client.workflow.getHandle(batchWorkflowId(PROJECT, `${receiver.url}/batch`, key));

  const retried = await Promise.all([schedule('retried', 2, 1), schedule('retried', 2, 2)]);
  for (const hook of retried) {
    const done = await finished(hook, 'completed');
    if (done.attempts !== 2) throw new Error(`expected 2 attempts, got ${done.attempts}`);
  }
  await batchHandle('retried').result();

  const [cancelled, kept] = await Promise.all([
    schedule('with-leave', 100, 3),
    schedule('with-leave', 100, 4),
  ]);
  await pollFor('two members gathering', async () => {
    // Not found until the first member has started the batch.
    const view = await batchHandle('with-leave')
      .query(batchViewQuery)
      .catch(() => undefined);
    return view?.gathering.length === 2 ? view : undefined;
  });
  await stack.api(PROJECT).hooks.cancel(cancelled.id);
  await finished(kept, 'completed');
  await batchHandle('with-leave').result();
  const cancelledHandle = stack.client.workflow.getHandle(hookWorkflowId(PROJECT, cancelled.id));
  await cancelledHandle.result();

  return {
    'batch-retried': batchHandle('retried'),
    'batched-hook-retried': stack.client.workflow.getHandle(hookWorkflowId(PROJECT, retried[0].id)),
    'batch-with-leave': batchHandle('with-leave'),
    'batched-hook-cancelled': cancelledHandle,
  } satisfies Record<string, WorkflowHandle>;
}

recordAgainstReceiver(
  {
    project: (baseUrl) => ({ id: PROJECT, baseUrl, retry: { strategy: 'fixed', delaySecs: 1, jitter: 0 } }),
    // The first request fails, so that the first batch is retried.
    responder: (_, index) => ({ status: index === 0 ? 500 : 200 }),
  },
  drive,
);
