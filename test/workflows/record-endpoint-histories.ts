/**
 * Records real Temporal histories of an endpoint's life, as JSON fixtures for replay.test.ts:
 *
 *   npx tsx test/workflows/record-endpoint-histories.ts [outDir]
 *
 * One endpoint is driven through the real API against a receiver on 127.0.0.1: it fails (an alert),
 * recovers (a notice), is paused while a hook comes due (the hook is held), is resumed (the hook is
 * released and delivered), and gets its own rules. Recorded: the endpoint workflow's history so far
 * (`endpoint-lifecycle`; it runs forever), the first alert's (`alert`), and the held hook's
 * (`held-released`). Endpoint workflows live as long as their endpoint, so these are kept like the
 * hook fixtures (see histories/README.md). Nothing is written unless every step reached its state.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { AlertView, EndpointView } from '../../src/domain/endpoint';
import type { HookState } from '../../src/domain/hook';
import { generateSigningSecret } from '../../src/security/signing';
import { alertWorkflowId, endpointWorkflowId } from '../../src/workflows/endpoint-record';
import { hookWorkflowId } from '../../src/workflows/hook-record';
import { TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';
import { recordingDir, writeHistoryFixtures } from './support/history-fixture';

const PROJECT = 'rec-endpoints';
const WAIT_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function drive(stack: TestStack, receiver: TestReceiver, channel: TestReceiver) {
  const json = async <T>(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<T> => {
    const response = await stack.request(PROJECT, method, url, body);
    if (response.statusCode >= 300)
      throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json<{ data: T }>().data;
  };
  const url = `${receiver.url}/in`;
  const attempted = async (postIn: string): Promise<HookState> => {
    const hook = await stack.schedule(PROJECT, { url, postIn, data: { n: 1 } });
    return stack.waitForHook(
      PROJECT,
      hook.id,
      (state) => state.status === 'completed' || state.status === 'failed',
      WAIT_MS,
    );
  };

  receiver.respondWith(() => ({ status: 500 }));
  const failed = await attempted('0s');
  await attempted('0s');
  receiver.respondWith(() => ({ status: 200 }));
  await attempted('0s');
  const endpoint = await json<{ endpoint?: { id: string } }>('GET', `/v1/hooks/${failed.id}`);
  const endpointId = endpoint.endpoint?.id ?? '';
  const alerts = await until('both alerts sent', async () => {
    const listed = await json<AlertView[]>('GET', `/v1/alerts?endpointId=${endpointId}`);
    return listed.length === 2 && listed.every((alert) => alert.deliveries[0]?.status === 'sent')
      ? listed
      : undefined;
  });
  await channel.waitFor(2, WAIT_MS);

  await json('POST', `/v1/endpoints/${endpointId}/pause`, { note: 'recording' });
  await sleep(1_000);
  const held = await stack.schedule(PROJECT, { url, postIn: '1s', data: { n: 2 } });
  await until('the hook held', async () => {
    const view = await json<EndpointView>('GET', `/v1/endpoints/${endpointId}`);
    return view.heldHooks === 1 ? view : undefined;
  });
  await json('POST', `/v1/endpoints/${endpointId}/resume`);
  await stack.waitForHook(PROJECT, held.id, (state) => state.status === 'completed', WAIT_MS);
  await json('PATCH', `/v1/endpoints/${endpointId}`, { alertRules: { minSuccessRate: 0.5 } });
  await until('the release reported', async () => {
    const view = await json<EndpointView>('GET', `/v1/endpoints/${endpointId}`);
    return view.heldHooks === 0 && view.overrides.alertRules ? view : undefined;
  });
  const first = alerts.find((alert) => alert.kind === 'failing');
  if (!first) throw new Error('no failing alert');
  return {
    'endpoint-lifecycle': stack.client.workflow.getHandle(endpointWorkflowId(PROJECT, endpointId)),
    alert: stack.client.workflow.getHandle(alertWorkflowId(PROJECT, first.id)),
    'held-released': stack.client.workflow.getHandle(hookWorkflowId(PROJECT, held.id)),
  } satisfies Record<string, WorkflowHandle>;
}

async function main(): Promise<void> {
  const outDir = await recordingDir();
  const receiver = await TestReceiver.start();
  const channel = await TestReceiver.start(() => ({ status: 204 }));
  let stack: TestStack | undefined;
  try {
    stack = await TestStack.start(
      [
        {
          id: PROJECT,
          allowUrlTargets: true,
          retry: { maxAttempts: 1 },
          endpoints: {
            alertRules: { maxConsecutiveFailures: 1 },
            alertChannels: [
              { type: 'webhook', url: `${channel.url}/alerts`, secret: generateSigningSecret() },
            ],
          },
        },
      ],
      { endpointReportIntervalMs: 200, endpointStateRefreshMs: 200 },
    );
    await writeHistoryFixtures(outDir, await drive(stack, receiver, channel));
  } finally {
    try {
      await stack?.close();
    } finally {
      await receiver.close();
      await channel.close();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
