import type { AppConfig } from '../config/schema';
import { isPortFree } from '../lib/ports';
import { Replica, type ReplicaEntry } from './entry-process';
import type { PostgresTarget } from './postgres-target';
import { conventionalServicePorts } from './server-config';
import { type ClusterServer, startClusterServer } from './temporal-server';
import type { TemporalServerBinaries } from './temporal-server-binaries';

export interface ClusterOptions {
  /** The hookrelay config the processes load: namespace, retention, API and metrics ports, projects. */
  config: AppConfig;
  /** The environment the processes load that config from (HOOKRELAY_CONFIG, overrides). */
  env: NodeJS.ProcessEnv;
  binaries: TemporalServerBinaries;
  postgres: PostgresTarget;
  /** The Temporal frontend's port on 127.0.0.1; the server's other ports follow (conventionalServicePorts). */
  temporalPort: number;
  /** Holds the Temporal server's config and log. */
  serverDir: string;
  workers: number;
  apis: number;
  /** Every line the hookrelay processes print, with the name of the process. */
  onLine: (name: string, line: string) => void;
  /** Progress. */
  log: (message: string) => void;
}

/** A process of the cluster, and the URL it serves: an API's address, a worker's /metrics. */
export interface ServingReplica {
  replica: Replica;
  /** As the process reported it once it was up. */
  url: string;
}

export interface RunningCluster {
  temporal: ClusterServer;
  workers: readonly ServingReplica[];
  apis: readonly ServingReplica[];
  /** The APIs first (no new hooks), then the workers (attempts in flight finish), then the server. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;
/** The JSON log line each entry point writes once it is up, and its field that holds the URL it serves. */
const READY: Record<ReplicaEntry, { text: string; urlField: string }> = {
  worker: { text: 'worker polling', urlField: 'metrics' },
  api: { text: 'API listening', urlField: 'url' },
};

/**
 * hookrelay's production topology on one machine: the real Temporal server on PostgreSQL, `workers`
 * worker processes and `apis` API processes, each the ordinary entry point (`npm run worker`, `npm run
 * api`) configured through its environment as in a deployment. Replica i listens on the configured API
 * port (or worker metrics port) plus i; port 0 stays 0, a free port each.
 */
export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const { config } = options;
  const apiPorts = replicaPorts(config.api.port, options.apis);
  const metricsPorts = replicaPorts(config.worker.metricsPort, options.workers);
  await assertPortsFree([
    ...apiPorts.map((port, i) => ({
      host: config.api.host,
      port,
      what: `API ${i + 1} (HOOKRELAY_API_PORT)`,
    })),
    ...metricsPorts.map((port, i) => ({
      host: config.worker.metricsHost,
      port,
      what: `worker ${i + 1}'s metrics (HOOKRELAY_WORKER_METRICS_PORT)`,
    })),
  ]);

  const temporal = await startClusterServer({
    binaries: options.binaries,
    dataDir: options.serverDir,
    postgres: options.postgres,
    ports: conventionalServicePorts(options.temporalPort),
    namespace: config.temporal.namespace,
    retentionDays: config.temporal.retentionDays,
    log: options.log,
  });
  const workers: ServingReplica[] = [];
  const apis: ServingReplica[] = [];
  const stop = async () => {
    await Promise.all(apis.map(({ replica }) => replica.stop()));
    await Promise.all(workers.map(({ replica }) => replica.stop()));
    await temporal.stop();
  };

  // Every process takes the cluster's Temporal, whatever TEMPORAL_ADDRESS says, and ack/nack URLs that
  // point at the first API, unless the config names the address receivers reach the APIs at.
  const env = {
    ...options.env,
    TEMPORAL_ADDRESS: temporal.address,
    HOOKRELAY_DATA_DIR: config.dataDir,
    HOOKRELAY_PUBLIC_URL: config.api.publicUrl,
    HOOKRELAY_LOG_LEVEL: atLeastInfo(options.env.HOOKRELAY_LOG_LEVEL),
  };
  const start = async (entry: ReplicaEntry, index: number, overrides: NodeJS.ProcessEnv) => {
    const replica = await Replica.start({
      entry,
      name: `${entry}-${index + 1}`,
      env: { ...env, ...overrides },
      readyText: READY[entry].text,
      readyTimeoutMs: READY_TIMEOUT_MS,
      onLine: options.onLine,
    });
    try {
      return { replica, url: reportedUrl(replica, READY[entry].urlField) };
    } catch (error) {
      await replica.stop();
      throw error;
    }
  };
  try {
    await startAll(
      metricsPorts.map((port, index) =>
        start('worker', index, { HOOKRELAY_WORKER_METRICS_PORT: String(port) }),
      ),
      workers,
    );
    await startAll(
      apiPorts.map((port, index) => start('api', index, { HOOKRELAY_API_PORT: String(port) })),
      apis,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { temporal, workers, apis, stop };
}

function replicaPorts(base: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => (base === 0 ? 0 : base + index));
}

async function assertPortsFree(wanted: { host: string; port: number; what: string }[]): Promise<void> {
  for (const { host, port, what } of wanted) {
    if (port !== 0 && !(await isPortFree(host, port))) {
      throw new Error(`Cannot start the cluster: port ${port} on ${host}, for ${what}, is already in use`);
    }
  }
}

/** The URL in the ready line, which names the address the process bound (a free one for port 0). */
function reportedUrl(replica: Replica, field: string): string {
  let url: unknown;
  try {
    url = (JSON.parse(replica.readyLine) as Record<string, unknown>)[field];
  } catch {
    // Not a log line of ours: reported below.
  }
  if (typeof url !== 'string') {
    throw new Error(`${replica.name} did not say where it serves: ${replica.readyLine}`);
  }
  return url;
}

/** The processes must log their start-up line (info) to be seen starting; more detail stays allowed. */
function atLeastInfo(level: string | undefined): string {
  return level === undefined || ['warn', 'error', 'fatal', 'silent'].includes(level) ? 'info' : level;
}

/** Waits for every start, keeps those that succeeded in `started` (in order), then fails if any failed. */
async function startAll<T>(starts: Promise<T>[], started: T[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}
