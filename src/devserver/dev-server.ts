import { mkdir } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import path from 'node:path';
import type { SearchAttributeType } from '@temporalio/common';
import { isPortFree } from '../lib/ports';
import { ServerProcess } from '../lib/server-process';
import { registerMissingSearchAttributes } from '../temporal/namespace-setup';
import { connectWhenReady } from '../temporal/server-readiness';
import { clearLeftoverServer } from './leftover-server';
import { claimServerPidFile, releaseServerPidFile } from './server-pid-file';

/** Search attribute types as `temporal server start-dev --search-attribute` spells them. */
export type CliSearchAttributeType =
  'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface DevServerOptions {
  binary: string;
  /**
   * Holds the SQLite file, the pid file while the server runs (`temporal.pid`), and the log unless logFile
   * says otherwise; created if missing.
   */
  dataDir: string;
  /** Default 127.0.0.1. */
  ip?: string;
  port: number;
  /** The Web UI port; without one the server runs headless. */
  uiPort?: number;
  namespace: string;
  searchAttributes: Record<string, CliSearchAttributeType>;
  /** Dynamic config values (`--dynamic-config-value`): the server's keys, JSON values. */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** SQLite pragmas beside `journal_mode=wal`, such as `synchronous=NORMAL`. */
  sqlitePragmas?: readonly string[];
  /** Default `<dataDir>/temporal.log`; appended to. */
  logFile?: string;
  /** What is done about a server an earlier run left behind; stderr by default. */
  log?: (message: string) => void;
}

export interface DevServer {
  /** host:port of the frontend, for Connection.connect. */
  readonly address: string;
  readonly uiUrl?: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL at once, as in a crash; resolves once it has exited. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

const SDK_TYPES: Record<CliSearchAttributeType, SearchAttributeType> = {
  Text: 'TEXT',
  Keyword: 'KEYWORD',
  Int: 'INT',
  Double: 'DOUBLE',
  Bool: 'BOOL',
  Datetime: 'DATETIME',
  KeywordList: 'KEYWORD_LIST',
};

/**
 * Runs `temporal server start-dev` with SQLite persistence in dataDir and resolves once the frontend
 * answers for the namespace and every search attribute in options is registered. A server that an earlier
 * run on dataDir left behind, having died without stopping it, is stopped first (see clearLeftoverServer).
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const host = isIPv6(ip) ? `[${ip}]` : ip;
  const address = `${host}:${options.port}`;
  // Absolute, so that the server's command line names this database wherever the next run starts from.
  const dataDir = path.resolve(options.dataDir);
  const dbFile = path.join(dataDir, 'temporal.db');
  const pidFile = path.join(dataDir, 'temporal.pid');
  await clearLeftoverServer({
    pidFile,
    dbFile,
    graceMs: STOP_GRACE_MS,
    log: options.log ?? ((message) => process.stderr.write(`${message}\n`)),
  });
  // The CLI checks this too, but only after we would have found the other process answering on the port.
  for (const port of [options.port, options.uiPort]) {
    if (port !== undefined && !(await isPortFree(ip, port))) {
      throw new Error(`Cannot start the Temporal dev server: port ${port} on ${ip} is already in use`);
    }
  }

  await mkdir(dataDir, { recursive: true });
  const server = await ServerProcess.spawn(
    options.binary,
    serverArgs(options, ip, dbFile),
    options.logFile ?? path.join(dataDir, 'temporal.log'),
  );
  const { pid } = server;
  const signalAndWait = async (signal: NodeJS.Signals) => {
    await server.signal(signal);
    await releaseServerPidFile(pidFile, pid);
  };

  try {
    if (!(await claimServerPidFile(pidFile, { pid, parentPid: process.pid }))) {
      throw new Error(`another process has just started a dev server on ${dbFile}`);
    }
    const connection = await connectWhenReady(address, {
      probe: (candidate) => candidate.workflowService.describeNamespace({ namespace: options.namespace }),
      endedHow: () => server.endedHow(),
      timeoutMs: READY_TIMEOUT_MS,
    });
    try {
      // The CLI registers search attributes only when it creates the SQLite file, so attributes added since a
      // data folder was created would be missing, and workflows upserting them would fail.
      await registerMissingSearchAttributes(
        connection,
        options.namespace,
        sdkTypes(options.searchAttributes),
      );
    } finally {
      await connection.close();
    }
  } catch (error) {
    await signalAndWait('SIGKILL');
    throw await server.failure(`Temporal dev server on ${address} failed to start`, error);
  }

  return {
    address,
    uiUrl: options.uiPort === undefined ? undefined : `http://${host}:${options.uiPort}`,
    pid,
    async stop() {
      await server.stop(STOP_GRACE_MS);
      await releaseServerPidFile(pidFile, pid);
    },
    kill: () => signalAndWait('SIGKILL'),
  };
}

function serverArgs(options: DevServerOptions, ip: string, dbFile: string): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(options.port),
    ...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
    '--db-filename',
    dbFile,
    ...['journal_mode=wal', ...(options.sqlitePragmas ?? [])].flatMap((pragma) => [
      '--sqlite-pragma',
      pragma,
    ]),
    ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => [
      '--dynamic-config-value',
      `${key}=${JSON.stringify(value)}`,
    ]),
    '--namespace',
    options.namespace,
    ...Object.entries(options.searchAttributes).flatMap(([name, type]) => [
      '--search-attribute',
      `${name}=${type}`,
    ]),
    '--log-level',
    'warn',
  ];
}

function sdkTypes(attributes: Record<string, CliSearchAttributeType>): Record<string, SearchAttributeType> {
  return Object.fromEntries(Object.entries(attributes).map(([name, type]) => [name, SDK_TYPES[type]]));
}
