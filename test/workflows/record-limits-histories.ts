/**
 * Records real Temporal histories of a limited endpoint, as JSON fixtures for replay.test.ts:
 *
 *   npx tsx test/workflows/record-limits-histories.ts [outDir]
 *
 * One endpoint gets limits through the real API (3 a second, 2 in flight); six hooks come due at once
 * and are handed to it by the activity, released in slots and reported; the receiver answers one of
 * them 429 with Retry-After, which backs the endpoint off, and that hook's retry waits for it. Recorded:
 * the endpoint workflow's history so far (`endpoint-limited`; it runs forever), a hook held and
 * released in a slot (`limited-released`), and the hook refused with 429 (`limited-throttled`).
 * Nothing is written unless every step reached its state.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { EndpointView } from '../../src/domain/endpoint';
import type { HookState } from '../../src/domain/hook';
import { endpointWorkflowId } from '../../src/workflows/endpoint-record';
import { hookWorkflowId } from '../../src/workflows/hook-record';
import { pollFor } from '../support/poll';
import { TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';
import { recordAgainstReceiver } from './support/history-fixture';

const PROJECT = 'rec-limits';
const WAIT_MS = 30_000;

async function drive(stack: TestStack, receiver: TestReceiver): Promise<Record<string, WorkflowHandle>> {
  const api = stack.api(PROJECT);
  const url = `${receiver.url}/limited`;
  const first = await stack.schedule(PROJECT, { url, postIn: '0s', data: { n: 0 } });
  const delivered = await stack.waitForHook(
    PROJECT,
    first.id,
    (hook) => hook.status === 'completed',
    WAIT_MS,
  );
  const endpointId = (await api.hooks.get(delivered.id)).endpoint?.id;
  if (!endpointId) throw new Error('the hook has no endpoint');
  await api.endpoints.configure(endpointId, { limits: { ratePerSecond: 3, maxInFlight: 2 } });
  // Long enough for every worker's gate to see the limits.
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  let refused: string | undefined;
  receiver.respondWith((arrival) => {
    const { data } = JSON.parse(arrival.body) as { data: { n: number } };
    if (data.n !== 3 || refused) return { status: 200 };
    refused = String(arrival.headers['webhook-id']);
    return { status: 429, headers: { 'retry-after': '1' } };
  });
  const postAt = new Date(Date.now() + 2_000).toISOString();
  const hooks: HookState[] = [];
  for (let n = 1; n <= 6; n += 1) hooks.push(await stack.schedule(PROJECT, { url, postAt, data: { n } }));
  for (const hook of hooks) {
    await stack.waitForHook(PROJECT, hook.id, (state) => state.status === 'completed', WAIT_MS);
  }
  const throttled = hooks.find((hook) => hook.id === refused);
  const released = hooks.find((hook) => hook.id !== refused);
  if (!throttled || !released) throw new Error('no hook was refused with 429');
  await pollFor(
    'the endpoint to have let every hook go',
    async () => {
      const view: EndpointView = await api.endpoints.get(endpointId);
      return view.heldHooks === 0 && view.inFlight === 0 && !view.throttledUntil ? view : undefined;
    },
    WAIT_MS,
  );
  return {
    'endpoint-limited': stack.client.workflow.getHandle(endpointWorkflowId(PROJECT, endpointId)),
    'limited-released': stack.client.workflow.getHandle(hookWorkflowId(PROJECT, released.id)),
    'limited-throttled': stack.client.workflow.getHandle(hookWorkflowId(PROJECT, throttled.id)),
  };
}

recordAgainstReceiver(
  {
    project: () => ({
      id: PROJECT,
      allowUrlTargets: true,
      retry: { maxAttempts: 2, delaySecs: 0.5, jitter: 0 },
    }),
    worker: { endpointReportIntervalMs: 200, endpointStateRefreshMs: 200 },
  },
  drive,
);
