import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DevServer } from '../devserver/dev-server';
import { HOOK_DEV_SERVER_DYNAMIC_CONFIG } from '../devserver/hook-dev-server';
import { canConnect, freePortInRange, isPortFree } from '../lib/ports';
import { ServerProcess } from '../lib/server-process';
import { registerMissingSearchAttributes, registerNamespaceIfMissing } from '../temporal/namespace-setup';
import { connectWhenReady } from '../temporal/server-readiness';
import { HOOKRELAY_SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { type PostgresTarget, postgresAddress } from './postgres-target';
import {
  dynamicConfigYaml,
  MAX_MEMBERSHIP_PORT,
  SERVER_SERVICES,
  type ServicePorts,
  serverConfigYaml,
} from './server-config';
import { setUpTemporalDatabases } from './temporal-databases';
import type { TemporalServerBinaries } from './temporal-server-binaries';

export interface ClusterServerOptions {
  binaries: TemporalServerBinaries;
  /** Holds the generated config and the server's log (`temporal-server.log`); created if missing. */
  dataDir: string;
  postgres: PostgresTarget;
  /** Each service's ports on 127.0.0.1; the frontend's is where clients connect. */
  ports: ServicePorts;
  namespace: string;
  retentionDays: number;
  /** Progress; stderr by default. */
  log?: (message: string) => void;
}

/** The server on PostgreSQL, as a DevServer: the same handle the embedded dev server gives. */
export type ClusterServer = DevServer;

const CONFIG_ENV = 'hookrelay';
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
/**
 * Every service reads namespaces from a cache it refreshes every 2 s (system.namespaceCacheRefreshInterval):
 * a namespace or search attribute just added is used by all of them after at most one refresh.
 */
const NAMESPACE_CACHE_REFRESH_MS = 2_000;

/**
 * Runs the real Temporal server (`temporal-server start`, all four services in one process) on PostgreSQL:
 * sets up its databases if needed, writes its config into dataDir, starts it, and resolves once it serves
 * the namespace with hookrelay's search attributes.
 */
export async function startClusterServer(options: ClusterServerOptions): Promise<ClusterServer> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const { ports } = options;
  const address = `127.0.0.1:${ports.frontend.grpc}`;
  for (const service of SERVER_SERVICES) {
    for (const port of [ports[service].grpc, ports[service].membership]) {
      if (!(await isPortFree('127.0.0.1', port))) {
        throw new Error(
          `Cannot start the Temporal server: port ${port} on 127.0.0.1, for its ${service} service, is already in use`,
        );
      }
    }
  }
  const { postgres } = options;
  if (!(await canConnect(postgres.host, postgres.port, 2_000))) {
    throw new Error(
      `PostgreSQL is not reachable at ${postgresAddress(postgres)}: start it, or point ` +
        'HOOKRELAY_CLUSTER_POSTGRES_URL at one',
    );
  }
  log(
    `Setting up databases ${postgres.database} and ${postgres.visibilityDatabase} on ${postgres.host}:${postgres.port}`,
  );
  await setUpTemporalDatabases(options.binaries.sqlTool, postgres);

  const dataDir = path.resolve(options.dataDir);
  await writeServerConfig(dataDir, postgres, ports);
  const server = await ServerProcess.spawn(
    options.binaries.server,
    ['--root', dataDir, '--config', 'config', '--env', CONFIG_ENV, '--allow-no-auth', 'start'],
    path.join(dataDir, 'temporal-server.log'),
  );
  try {
    const connection = await connectWhenReady(address, {
      probe: (candidate) => candidate.workflowService.getSystemInfo({}),
      endedHow: () => server.endedHow(),
      timeoutMs: READY_TIMEOUT_MS,
    });
    try {
      const registered = await registerNamespaceIfMissing(
        connection,
        options.namespace,
        options.retentionDays,
      );
      const added = await registerMissingSearchAttributes(
        connection,
        options.namespace,
        Object.fromEntries(HOOKRELAY_SEARCH_ATTRIBUTES.map(({ name, type }) => [name, type])),
      );
      if (registered || added) await sleep(NAMESPACE_CACHE_REFRESH_MS * 2);
    } finally {
      await connection.close();
    }
  } catch (error) {
    await server.signal('SIGKILL');
    throw await server.failure(`Temporal server on ${address} failed to start`, error);
  }
  return {
    address,
    pid: server.pid,
    stop: () => server.stop(STOP_GRACE_MS),
    kill: () => server.signal('SIGKILL'),
  };
}

/**
 * Distinct ports free now on 127.0.0.1, for a server on a database of its own (tests, benchmarks): the
 * membership ports below the range the system hands out for port 0, as the server can only record those.
 */
export async function freeServicePorts(): Promise<ServicePorts> {
  const taken = new Set<number>();
  const port = async () => {
    const free = await freePortInRange(20_000, MAX_MEMBERSHIP_PORT, taken);
    taken.add(free);
    return free;
  };
  const ports: Partial<ServicePorts> = {};
  for (const service of SERVER_SERVICES) ports[service] = { grpc: await port(), membership: await port() };
  return ports as ServicePorts;
}

async function writeServerConfig(dataDir: string, postgres: PostgresTarget, ports: ServicePorts) {
  const configDir = path.join(dataDir, 'config');
  await mkdir(configDir, { recursive: true });
  const dynamicConfigFile = path.join(dataDir, 'dynamicconfig.yaml');
  // One matching host has nothing to spread a task queue's partitions over: the embedded server's settings.
  await writeFile(dynamicConfigFile, dynamicConfigYaml(HOOK_DEV_SERVER_DYNAMIC_CONFIG));
  // It holds the database password, if there is one.
  await writeFile(
    path.join(configDir, `${CONFIG_ENV}.yaml`),
    serverConfigYaml({ postgres, ports, dynamicConfigFile, logLevel: 'warn' }),
    { mode: 0o600 },
  );
}
