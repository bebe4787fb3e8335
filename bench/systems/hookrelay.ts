import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Agent, request } from 'undici';
import { generateSigningSecret } from '../../src/security/signing';
import { generateApiKey, hashApiKey } from '../../src/security/api-keys';
import { generateServerSecret } from '../../src/security/server-secret';
import { type AppConfig, configSchema } from '../../src/config/schema';
import type { DevServer } from '../../src/devserver/dev-server';
import { TEMPORAL_CLI_VERSION } from '../../src/devserver/temporal-cli';
import { freePort } from '../../src/lib/ports';
import { startEmbeddedTemporal } from '../../src/main/compose';
import { ChildHandle, withoutConfigOverrides } from '../child-process';
import { INGEST_FORWARD_PATH } from '../hook-target';
import { pidProbe } from '../process-stats';
import { answersOk, waitFor } from '../wait';
import { sqliteBytes } from './dev-server-store';
import { timeNpmStart } from './npm-start';
import { configString, type RunningSystem, type StartContext, type SystemDefinition } from './types';

const NAMESPACE = 'hookrelay';
const TASK_QUEUE = 'hookrelay';
const PROJECT_ID = 'bench';
const API_READY_TIMEOUT_MS = 60_000;

/** Which hookrelay to start: the code, and the Temporal server it runs on. */
export interface HookrelayVariant {
  /** The checkout whose `npm run worker` and `npm run api` run; this one by default. */
  root?: string;
  /** Project settings of this variant's code beyond those every version knows (the config is strict). */
  projectSettings?: Readonly<Record<string, unknown>>;
  /** Starts the Temporal server for the config and points the config at it. */
  startTemporal(config: AppConfig): Promise<StartedTemporal>;
  /** Called once the system has stopped. */
  cleanUp?(): Promise<void>;
}

export interface StartedTemporal {
  devServer: DevServer;
  config: AppConfig;
  /** Its processes, store and version, where they are not the dev server's (one process, one SQLite file). */
  footprint?: Pick<RunningSystem, 'probes' | 'storeBytes' | 'versions'>;
}

/**
 * The source the Ingest scenario sends to, signed as the seeds' HMAC-SHA256 example signs: each event is
 * forwarded to the receiver as one hook.
 */
export const BENCH_INGEST_SOURCE = {
  id: 'bench-sender',
  verification: { scheme: 'hmac-sha256', secrets: ['bench-sender-secret'] },
  eventId: { pointer: '/id' },
  forward: { targets: [{ path: INGEST_FORWARD_PATH }] },
} as const;

/** This checkout on the embedded server `npm start` runs (headless). */
export const CURRENT: HookrelayVariant = {
  // The receiver is on loopback, which deliveries are refused by default.
  projectSettings: {
    allowInternalTargets: ['127.0.0.1'],
    // One receiver takes every hook, with the hook's measurement data in its path (/h/<tag>/<seq>/<due>):
    // grouped by its first segment it is one endpoint, as a user would configure such a receiver.
    endpoints: { groupBy: 'pathPrefix', pathSegments: 1 },
    sources: [BENCH_INGEST_SOURCE],
  },
  startTemporal: (config) => startEmbeddedTemporal(config, { ui: false }),
};

export async function startHookrelay(
  context: StartContext,
  variant: HookrelayVariant,
): Promise<RunningSystem> {
  const dataDir = path.join(context.workDir, 'hookrelay');
  const apiKey = generateApiKey();
  const apiPort = await freePort();
  const fileConfig = {
    dataDir,
    api: { host: '127.0.0.1', port: apiPort },
    callbackSecret: generateServerSecret(),
    // The worker serves its own /metrics; a free port, so that nothing else on the machine collides.
    worker: { metricsPort: await freePort() },
    devServer: { port: await freePort() },
    temporal: { namespace: NAMESPACE, taskQueue: TASK_QUEUE },
    projects: [
      {
        id: PROJECT_ID,
        apiKeyHashes: [hashApiKey(apiKey)],
        signingSecrets: [generateSigningSecret()],
        baseUrl: context.receiverUrl,
        ...variant.projectSettings,
      },
    ],
  };
  // Parsing first fails here, naming the field, rather than in two child processes.
  const { devServer, config, footprint } = await variant.startTemporal(configSchema.parse(fileConfig));
  const children: ChildHandle[] = [];
  const stop = async () => {
    // The API first (no new hooks), then the worker, then the server they both talk to.
    for (const child of [...children].reverse()) await child.stop();
    await devServer.stop();
    await variant.cleanUp?.();
  };

  try {
    const childConfig = {
      ...fileConfig,
      temporal: { ...fileConfig.temporal, address: config.temporal.address },
    };
    const configFile = path.join(dataDir, 'hookrelay.json');
    await writeFile(configFile, JSON.stringify(childConfig, null, 2));

    // Production logs at info; warn keeps per-request log lines out of the measurement, as the
    // alternatives log nothing per hook either.
    const env = {
      ...withoutConfigOverrides(process.env),
      HOOKRELAY_CONFIG: configFile,
      HOOKRELAY_LOG_LEVEL: 'warn',
    };
    const { root } = variant;
    children.push(ChildHandle.start({ role: 'worker', script: 'src/main/worker.ts', root, env }));
    children.push(ChildHandle.start({ role: 'api', script: 'src/main/api.ts', root, env }));
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const assertHealthy = () => {
      for (const child of children) child.assertRunning();
    };
    await waitFor(() => answersOk(`${apiUrl}/readyz`), {
      timeoutMs: API_READY_TIMEOUT_MS,
      what: 'the hookrelay API to be ready',
      pollMs: 250,
      check: assertHealthy,
    });

    return {
      clientConfig: { apiUrl, apiKey },
      probes: [
        ...children.map((child) => child.probe),
        ...(footprint?.probes ?? [pidProbe('dev-server', devServer.pid)]),
      ],
      storeBytes: footprint?.storeBytes ?? (() => sqliteBytes(path.join(dataDir, 'temporal'))),
      versions: footprint?.versions ?? { 'temporal-cli': TEMPORAL_CLI_VERSION },
      assertHealthy,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export const hookrelaySystem: SystemDefinition = {
  name: 'hookrelay',
  setup:
    'The production entry points `npm run api` and `npm run worker` as two processes, against the embedded ' +
    'Temporal dev server (SQLite, headless) that `npm start` runs. One project with one signing secret: ' +
    'every delivery is signed (Standard Webhooks), every status change is upserted into search attributes, ' +
    'default retry policy. Hooks are scheduled with `POST /v1/hooks` over keep-alive HTTP.',
  workerRole: 'worker',
  store: 'dev-server SQLite (db + WAL)',
  needs: [],
  usesTemporalCli: true,
  servesDashboard: true,
  receivesWebhooks: true,
  start: (context) => startHookrelay(context, CURRENT),
  timeStart: timeNpmStart,

  connectClient(config) {
    const apiUrl = configString(config, 'apiUrl');
    const apiKey = configString(config, 'apiKey');
    // Concurrency is set by the load plan; the pool only has to be big enough never to be the limit.
    const agent = new Agent({ connections: 512, keepAliveTimeout: 30_000 });
    return Promise.resolve({
      async schedule(hook) {
        const response = await request(`${apiUrl}/v1/hooks`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify({
            path: hook.path,
            postAt: new Date(hook.dueAt).toISOString(),
            data: hook.data,
          }),
        });
        const text = await response.body.text();
        if (response.statusCode !== 201) {
          throw new Error(`POST /v1/hooks answered ${response.statusCode}: ${text.slice(0, 200)}`);
        }
      },
      close: () => agent.close(),
    });
  },
};
