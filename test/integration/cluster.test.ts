import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { writeConfigFile } from '../support/config-file';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningCluster, startCluster } from '../../src/cluster/cluster';
import { clusterSettingsFromEnv } from '../../src/cluster/cluster-settings';
import { conventionalServicePorts } from '../../src/cluster/server-config';
import { dropTemporalDatabases } from '../../src/cluster/temporal-databases';
import { obtainTemporalServer } from '../../src/cluster/temporal-server-binaries';
import { loadConfig } from '../../src/config/load';
import type { HookState } from '../../src/domain/hook';
import { canConnect, isPortFree } from '../../src/lib/ports';
import { generateApiKey, hashApiKey } from '../../src/security/api-keys';
import { generateServerSecret } from '../../src/security/server-secret';
import { generateSigningSecret } from '../../src/security/signing';
import { type Arrival, TestReceiver } from '../support/receiver';

const HOOKS = 200;
/**
 * Per worker: the most attempts a killed worker can have had in flight. The default, and room for a
 * worker's share of the burst: a worker whose every slot holds an attempt waiting on the receiver slows to
 * about one hook a second (seen with 10 slots, on the dev server as here), which is not what this tests.
 */
const MAX_CONCURRENT_ATTEMPTS = 100;
/**
 * The receiver answers the i-th request after 0.2 to 2 s, spread over the requests, so that attempts keep
 * finishing and others are still in flight whenever the kill comes.
 */
const replyDelayMs = (index: number) => 200 + ((index * 337) % 1_800);
/**
 * An attempt answered just before the kill may not have been recorded yet: its worker still had to complete
 * the workflow task that carries the result. Generous, for a loaded machine.
 */
const RECORDING_SLACK_MS = 2_000;
/** The worker is killed once it has completed this many hooks: it has delivered, and has more in hand. */
const KILL_AFTER_COMPLETED = 10;

/**
 * The topology of docker-compose.yml and `npm run cluster`, with real parts: the Temporal server on
 * PostgreSQL (databases of its own, dropped afterwards), two worker processes and two API processes.
 * Hooks go in through both APIs, and one worker is killed with SIGKILL in the middle of the burst.
 */
describe('cluster: Temporal on PostgreSQL, two workers, two APIs', () => {
  let receiver: TestReceiver;
  let cluster: RunningCluster | undefined;
  /** What before() set up so far, undone in reverse order afterwards, whatever failed. */
  const cleanUps: (() => Promise<unknown>)[] = [];
  const output = new Map<string, string[]>();
  const apiKey = generateApiKey();
  let startupMs = 0;
  /** When the receiver answered (or will answer) each request, by arrival index. */
  const repliedAt: number[] = [];

  before(async () => {
    if (!(await canConnect('127.0.0.1', 5432, 2_000))) return;
    const binaries = await obtainTemporalServer();
    const dir = await mkdtemp(path.join(tmpdir(), 'hookrelay-cluster-'));
    cleanUps.push(() => rm(dir, { recursive: true, force: true }));
    receiver = await TestReceiver.start((arrival, index) => {
      const delayMs = replyDelayMs(index);
      repliedAt[index] = arrival.at + delayMs;
      return { status: 200, delayMs };
    });
    cleanUps.push(() => receiver.close());
    const configFile = await writeConfigFile(dir, [
      {
        id: 'cluster',
        apiKeyHash: hashApiKey(apiKey),
        signingSecret: generateSigningSecret(),
        baseUrl: receiver.url,
      },
    ]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOOKRELAY_CONFIG: configFile,
      HOOKRELAY_DATA_DIR: dir,
      HOOKRELAY_CALLBACK_SECRET: generateServerSecret(),
      // 0: each API and each worker's /metrics on a free port of its own.
      HOOKRELAY_API_PORT: '0',
      HOOKRELAY_WORKER_METRICS_PORT: '0',
      HOOKRELAY_WORKER_MAX_CONCURRENT_ATTEMPTS: String(MAX_CONCURRENT_ATTEMPTS),
      HOOKRELAY_LOG_LEVEL: 'info',
      HOOKRELAY_CLUSTER_POSTGRES_URL: `postgres://postgres@127.0.0.1:5432/hookrelay_test_${randomBytes(4).toString('hex')}`,
      HOOKRELAY_CLUSTER_TEMPORAL_PORT: String(await freeTemporalPort()),
    };
    const settings = clusterSettingsFromEnv(env);
    // Set up by startCluster; dropped even if it fails half-way.
    cleanUps.push(() => dropTemporalDatabases(binaries.sqlTool, settings.postgres));
    const { config } = await loadConfig({ env });
    const starting = Date.now();
    cluster = await startCluster({
      config,
      env,
      binaries,
      ...settings,
      serverDir: path.join(dir, 'cluster'),
      onLine: (name, line) => {
        const lines = output.get(name) ?? [];
        lines.push(line);
        output.set(name, lines);
      },
      log: () => undefined,
    });
    startupMs = Date.now() - starting;
    const started = cluster;
    cleanUps.push(() => started.stop());
  });

  after(async () => {
    for (const cleanUp of cleanUps.reverse()) await cleanUp();
  });

  it(
    'delivers every hook scheduled through both APIs, although a worker is killed mid-burst',
    { timeout: 300_000 },
    async (t) => {
      if (!cluster) {
        t.skip('PostgreSQL is not reachable on 127.0.0.1:5432 (.ci/run starts it)');
        return;
      }
      const [firstApi, secondApi] = cluster.apis;
      const [killed, survivor] = cluster.workers;
      assert.ok(firstApi && secondApi && killed && survivor, 'two APIs and two workers');

      t.diagnostic(`databases, server, workers and APIs up in ${(startupMs / 1000).toFixed(1)} s`);
      const began = Date.now();
      const elapsed = () => `${((Date.now() - began) / 1000).toFixed(1)} s`;
      // Due together a few seconds from now, so that scheduling does not spread the burst out.
      const postAt = new Date(Date.now() + 5_000).toISOString();
      const hookIds = await scheduleThroughBoth([firstApi.url, secondApi.url], apiKey, postAt);
      assert.equal(new Set(hookIds).size, HOOKS);
      t.diagnostic(`${HOOKS} hooks scheduled after ${elapsed()}, due at 5 s`);

      const completedBy = (name: string) =>
        (output.get(name) ?? []).filter((line) => line.includes('"status":"completed"')).length;
      await waitUntil(
        () => completedBy(killed.replica.name) >= KILL_AFTER_COMPLETED,
        60_000,
        `${killed.replica.name} to complete ${KILL_AFTER_COMPLETED} hooks`,
      );
      const killedAt = Date.now();
      const completedAtKill = completedBy(killed.replica.name) + completedBy(survivor.replica.name);
      assert.equal(await killed.replica.kill(), 'was killed by SIGKILL');
      t.diagnostic(`${killed.replica.name} killed at ${elapsed()}, with ${completedAtKill} hooks completed`);
      assert.ok(completedAtKill < HOOKS, 'killed in the middle of the burst');
      // Requests the receiver had not answered yet, or answered too recently for the answer to be recorded.
      const inFlight = new Set(
        receiver.arrivals
          .filter((_, index) => (repliedAt[index] ?? 0) > killedAt - RECORDING_SLACK_MS)
          .map(webhookId),
      );

      await waitUntil(
        () => new Set(receiver.arrivals.map(webhookId)).size >= HOOKS,
        180_000,
        'every hook to arrive',
      );
      t.diagnostic(`every hook arrived by ${elapsed()}`);
      const completed = await waitForCompleted(secondApi.url, apiKey, 60_000);
      t.diagnostic(`every hook listed as completed by ${elapsed()}`);
      assert.deepEqual(
        [...completed].sort(),
        [...hookIds].sort(),
        'every hook completed, listed by visibility',
      );

      const arrivals = new Map<string, number>();
      for (const arrival of receiver.arrivals) {
        arrivals.set(webhookId(arrival), (arrivals.get(webhookId(arrival)) ?? 0) + 1);
      }
      const again = [...arrivals].filter(([, count]) => count > 1).map(([id]) => id);
      t.diagnostic(
        `${inFlight.size} requests in flight at the kill (unanswered, or answered in the last ` +
          `${RECORDING_SLACK_MS / 1000} s); ${again.length} hooks arrived twice, all among them`,
      );
      assert.deepEqual([...arrivals.keys()].sort(), [...hookIds].sort(), 'only our hooks arrived');
      assert.ok(
        [...arrivals.values()].every((count) => count <= 2),
        'no hook arrived more than twice',
      );
      assert.ok(
        again.length <= MAX_CONCURRENT_ATTEMPTS,
        `at most the killed worker's ${MAX_CONCURRENT_ATTEMPTS} attempts in flight are repeated`,
      );
      for (const id of again) {
        assert.ok(inFlight.has(id), `${id} arrived twice, and was in flight when the worker was killed`);
      }

      assert.ok(completedBy(survivor.replica.name) > 0, `${survivor.replica.name} completed hooks too`);
      assert.equal(survivor.replica.exitedHow(), undefined, 'the other worker kept running');
    },
  );
});

/** A frontend port the cluster may take: its own and the server's other ports around it all free. */
async function freeTemporalPort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const frontend = 20_000 + Math.floor(Math.random() * 12_000);
    const ports = Object.values(conventionalServicePorts(frontend)).flatMap(({ grpc, membership }) => [
      grpc,
      membership,
    ]);
    const free = await Promise.all(ports.map((port) => isPortFree('127.0.0.1', port)));
    if (free.every(Boolean)) return frontend;
  }
  throw new Error('no free ports for the Temporal server');
}

function webhookId(arrival: Arrival): string {
  return String(arrival.headers['webhook-id']);
}

/** HOOKS hooks, half through each API, a few requests at a time; returns their ids. */
async function scheduleThroughBoth(apiUrls: string[], apiKey: string, postAt: string): Promise<string[]> {
  const ids: string[] = [];
  const schedule = async (index: number) => {
    const apiUrl = apiUrls[index % apiUrls.length] ?? '';
    const response = await fetch(`${apiUrl}/v1/hooks`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ path: `/burst/${index}`, postAt, data: { index } }),
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(response.status, 201, `${apiUrl}: ${await response.clone().text()}`);
    ids.push(((await response.json()) as { data: HookState }).data.id);
  };
  const concurrency = 10;
  for (let start = 0; start < HOOKS; start += concurrency) {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, HOOKS - start) }, (_, offset) => schedule(start + offset)),
    );
  }
  return ids;
}

/** Polls the list of completed hooks until it holds HOOKS of them; visibility trails the hooks a little. */
async function waitForCompleted(apiUrl: string, apiKey: string, timeoutMs: number): Promise<Set<string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${apiUrl}/v1/hooks?status=completed&limit=1000`, {
      headers: { 'x-api-key': apiKey },
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(response.status, 200);
    const { data } = (await response.json()) as { data: HookState[] };
    const ids = new Set(data.map((hook) => hook.id));
    if (ids.size >= HOOKS || Date.now() > deadline) return ids;
    await sleep(500);
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}
