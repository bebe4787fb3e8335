import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { writeConfigFile } from '../support/config-file';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '../../src/temporal/sdk-internals';
import { Webhook } from 'standardwebhooks';
import { generateSigningSecret } from '../../src/security/signing';
import { generateApiKey, hashApiKey } from '../../src/security/api-keys';
import { generateServerSecret } from '../../src/security/server-secret';
import type { DevServer } from '../../src/devserver/dev-server';
import { startHookDevServer } from '../../src/devserver/hook-dev-server';
import { freePort } from '../../src/lib/ports';
import { obtainTemporalCli } from '../../src/devserver/temporal-cli';
import type { HookState } from '../../src/domain/hook';
import { hookWorkflowId } from '../../src/workflows/hook-record';
import {
  type EntryProcess,
  startEntryProcess,
  stopEntryProcess,
  waitForOutput,
} from '../support/entry-process';
import { pollFor } from '../support/poll';
import { TestReceiver } from '../support/receiver';

/**
 * `npm run worker` and `npm run api` as separate processes against a Temporal they did not start,
 * configured through the environment only, as in a production deployment.
 */
describe('worker and API as separate processes against an external Temporal', () => {
  let dir: string;
  let devServer: DevServer;
  let receiver: TestReceiver;
  let worker: EntryProcess | undefined;
  let api: EntryProcess | undefined;
  const apiKey = generateApiKey();
  const signingSecret = generateSigningSecret();
  const env: NodeJS.ProcessEnv = { ...process.env };
  let apiUrl: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hookrelay-standalone-'));
    receiver = await TestReceiver.start();
    devServer = await startHookDevServer({
      binary: await obtainTemporalCli(),
      dataDir: dir,
      port: await freePort(),
      namespace: 'production',
      sqliteSynchronous: 'FULL',
    });
    const configFile = await writeConfigFile(dir, [
      { id: 'standalone', apiKeyHash: hashApiKey(apiKey), signingSecret, baseUrl: receiver.url },
    ]);
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    Object.assign(env, {
      HOOKRELAY_CONFIG: configFile,
      HOOKRELAY_CALLBACK_SECRET: generateServerSecret(),
      HOOKRELAY_API_PORT: String(apiPort),
      HOOKRELAY_WORKER_METRICS_PORT: String(await freePort()),
      HOOKRELAY_RETENTION_DAYS: '14',
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_NAMESPACE: 'production',
      TEMPORAL_TASK_QUEUE: 'standalone-hooks',
      HOOKRELAY_LOG_LEVEL: 'info',
    });
  });

  after(async () => {
    worker?.child.kill('SIGKILL');
    api?.child.kill('SIGKILL');
    await devServer.stop();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('schedules through one process, delivers through the other, and both stop cleanly', async () => {
    [worker, api] = await Promise.all([
      startEntryProcess('worker', env, 'worker polling'),
      startEntryProcess('api', env, 'API listening'),
    ]);

    const response = await fetch(`${apiUrl}/v1/hooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/standalone', postIn: '1s', data: { ok: true } }),
    });
    assert.equal(response.status, 201);
    const hook = ((await response.json()) as { data: HookState }).data;

    const [arrival] = await receiver.waitFor(1, 15_000);
    assert.ok(arrival);
    assert.equal(arrival.path, '/standalone');
    new Webhook(signingSecret).verify(arrival.body, {
      'webhook-id': String(arrival.headers['webhook-id']),
      'webhook-timestamp': String(arrival.headers['webhook-timestamp']),
      'webhook-signature': String(arrival.headers['webhook-signature']),
    });

    const connection = await Connection.connect({ address: devServer.address });
    try {
      const client = new Client({ connection, namespace: 'production' });
      const result = (await client.workflow
        .getHandle(hookWorkflowId('standalone', hook.id))
        .result()) as HookState;
      assert.equal(result.status, 'completed');
      const namespace = await client.workflowService.describeNamespace({ namespace: 'production' });
      assert.equal(
        tsToMs(namespace.config?.workflowExecutionRetentionTtl),
        14 * 86_400_000,
        'retention applied',
      );
    } finally {
      await connection.close();
    }

    // One structured JSON line per status change, from the worker's log.
    const statusLines = (output: string) =>
      output
        .split('\n')
        .filter((line) => line.includes('"hook status changed"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.hookId === hook.id);
    await waitForOutput(
      worker,
      (output) => statusLines(output).some((line) => line.status === 'completed'),
      10_000,
      'the completed status line',
    );
    assert.deepEqual(
      statusLines(worker.output()).map(({ projectId, status, attempt, outcome }) => ({
        projectId,
        status,
        attempt,
        outcome,
      })),
      [
        { projectId: 'standalone', status: 'pending', attempt: 0, outcome: undefined },
        { projectId: 'standalone', status: 'completed', attempt: 1, outcome: 'success' },
      ],
    );

    assert.equal(await stopEntryProcess(api, 'SIGTERM'), 0);
    assert.equal(await stopEntryProcess(worker, 'SIGTERM'), 0);
    api = undefined;
    worker = undefined;
  });

  it('a worker killed with -9 loses no endpoint health reported before its last second', async () => {
    [worker, api] = await Promise.all([
      startEntryProcess('worker', env, 'worker polling'),
      startEntryProcess('api', env, 'API listening'),
    ]);
    const call = async (method: string, url: string, body?: unknown) => {
      const response = await fetch(`${apiUrl}${url}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await response.json()) as { data: unknown };
    };
    const before = receiver.arrivals.length;
    const hooks: HookState[] = [];
    for (let n = 0; n < 5; n += 1) {
      hooks.push(
        (await call('POST', '/v1/hooks', { path: '/crash', postIn: '0s', data: { n } })).data as HookState,
      );
    }
    await receiver.waitFor(before + 5, 15_000);
    // Outcomes go to their endpoint once a second (worker.endpointReportIntervalMs).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    worker.child.kill('SIGKILL');
    worker = undefined;

    // What was reported is in the endpoint's history, whether or not its memo shows it yet (stats are
    // written every few seconds): a new worker applies it.
    worker = await startEntryProcess('worker', env, 'worker polling');
    const read = (await call('GET', `/v1/hooks/${hooks[0]?.id ?? ''}`)).data as { endpoint: { id: string } };
    type Endpoint = { url: string; stats: { lastHour: { attempts: number; failures: number } } };
    const endpoint = await pollFor(
      'the endpoint to show all five attempts',
      async () => {
        const view = (await call('GET', `/v1/endpoints/${read.endpoint.id}`)).data as Endpoint;
        return view.stats.lastHour.attempts >= 5 ? view : undefined;
      },
      20_000,
      500,
    );
    assert.equal(endpoint.url, `${receiver.url}/crash`);
    assert.deepEqual(endpoint.stats.lastHour, { ...endpoint.stats.lastHour, attempts: 5, failures: 0 });
    assert.equal(await stopEntryProcess(worker, 'SIGTERM'), 0);
    worker = undefined;
    assert.equal(await stopEntryProcess(api, 'SIGTERM'), 0);
    api = undefined;
  });
});
