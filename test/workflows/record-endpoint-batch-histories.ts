/**
 * Records real Temporal histories of an endpoint set to batch, as JSON fixtures for replay.test.ts:
 *
 *   npx tsx test/workflows/record-endpoint-batch-histories.ts [outDir]
 *
 * Through the real API against a receiver on 127.0.0.1: an endpoint is set to batch, three hooks with no
 * batch key of their own go out in its batch, and the setting is cleared again. Recorded: the endpoint
 * workflow (`endpoint-batching`), the endpoint's batch (`endpoint-batch`) and one of the hooks it batched
 * (`endpoint-batched-hook`). Nothing is written unless every step reached its state.
 */
import { batchWorkflowId } from '../../src/activities/join-batch';
import { ENDPOINT_BATCH_KEY } from '../../src/domain/batch';
import { endpointWorkflowId } from '../../src/workflows/endpoint-record';
import { hookWorkflowId } from '../../src/workflows/hook-record';
import type { TestReceiver } from '../support/receiver';
import type { TestStack } from '../support/stack';
import { endpointOfFirstHook, recordAgainstReceiver } from './support/history-fixture';

const PROJECT = 'rec-endpoint-batch';
const WAIT_MS = 20_000;

async function drive(stack: TestStack, receiver: TestReceiver) {
  const api = stack.api(PROJECT);
  const url = `${receiver.url}/batched`;
  const endpointId = await endpointOfFirstHook(stack, PROJECT, url, WAIT_MS);
  await api.endpoints.configure(endpointId, { batch: { maxSize: 3, windowSecs: 1 } });
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  const hooks = [];
  for (let n = 0; n < 3; n += 1)
    hooks.push(await stack.schedule(PROJECT, { url, postIn: '0s', data: { n } }));
  for (const hook of hooks) {
    const done = await stack.waitForHook(PROJECT, hook.id, (state) => state.status === 'completed', WAIT_MS);
    if (done.batch?.key !== ENDPOINT_BATCH_KEY)
      throw new Error(`${hook.id} did not go in the endpoint's batch`);
  }
  await api.endpoints.configure(endpointId, { batch: null });
  const member = hooks[0];
  if (!member) throw new Error('no member');
  return {
    'endpoint-batching': stack.client.workflow.getHandle(endpointWorkflowId(PROJECT, endpointId)),
    'endpoint-batch': stack.client.workflow.getHandle(batchWorkflowId(PROJECT, url, ENDPOINT_BATCH_KEY)),
    'endpoint-batched-hook': stack.client.workflow.getHandle(hookWorkflowId(PROJECT, member.id)),
  };
}

recordAgainstReceiver(
  {
    project: () => ({ id: PROJECT, allowUrlTargets: true }),
    worker: { endpointReportIntervalMs: 200, endpointStateRefreshMs: 200 },
  },
  drive,
);
