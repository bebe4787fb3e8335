/**
 * Records a real Temporal history of a batch held by its endpoint, as a JSON fixture for replay.test.ts:
 *
 *   npx tsx test/workflows/record-batch-held-histories.ts [outDir]
 *
 * Through the real API against a receiver on 127.0.0.1: the endpoint is paused, three hooks of one key
 * fill a batch, whose request the endpoint holds; once resumed, it lets the batch go and the request is
 * delivered. Recorded: the batch workflow (`batch-held-released`) and one of its members
 * (`batched-hook-held`). Nothing is written unless every step reached its state.
 */
import { batchWorkflowId } from '../../src/activities/join-batch';
import { hookWorkflowId } from '../../src/workflows/hook-record';
import { pollFor } from '../support/poll';
import type { TestReceiver } from '../support/receiver';
import type { TestStack } from '../support/stack';
import { endpointOfFirstHook, recordAgainstReceiver } from './support/history-fixture';

const PROJECT = 'rec-batch-held';
const WAIT_MS = 20_000;
const KEY = 'held';

async function drive(stack: TestStack, receiver: TestReceiver) {
  const api = stack.api(PROJECT);
  const url = `${receiver.url}/held`;
  const endpointId = await endpointOfFirstHook(stack, PROJECT, url, WAIT_MS);
  await api.endpoints.pause(endpointId, { note: 'recording' });
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  const batch = { key: KEY, maxSize: 3, windowSecs: 1 };
  const hooks = [];
  for (let n = 0; n < 3; n += 1)
    hooks.push(await stack.schedule(PROJECT, { url, postIn: '0s', data: { n }, batch }));
  await pollFor(
    'the endpoint to hold the batch',
    async () => ((await api.endpoints.get(endpointId)).heldHooks === 1 ? true : undefined),
    WAIT_MS,
  );
  await api.endpoints.resume(endpointId);
  for (const hook of hooks) {
    await stack.waitForHook(PROJECT, hook.id, (state) => state.status === 'completed', WAIT_MS);
  }
  const member = hooks[0];
  if (!member) throw new Error('no member');
  return {
    'batch-held-released': stack.client.workflow.getHandle(batchWorkflowId(PROJECT, url, KEY)),
    'batched-hook-held': stack.client.workflow.getHandle(hookWorkflowId(PROJECT, member.id)),
  };
}

recordAgainstReceiver(
  {
    project: () => ({ id: PROJECT, allowUrlTargets: true }),
    worker: { endpointReportIntervalMs: 200, endpointStateRefreshMs: 200 },
  },
  drive,
);
