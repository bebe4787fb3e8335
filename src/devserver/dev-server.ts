import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, open, stat } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { isPortFree } from '../lib/ports';
import { encodeSearchAttributeIndexedValueType } from '../temporal/sdk-internals';
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
const LOG_TAIL_LINES = 30;

const SDK_TYPES: Record<CliSearchAttributeType, SearchAttributeType> = {
  Text: 'TEXT',
  Keyword: 'KEYWORD',
  Int: 'INT',
  Double: 'DOUBLE',
  Bool: 'BOOL',
  Datetime: 'DATETIME',
  KeywordList: 'KEYWORD_LIST',
};

// Servers run in their own process group: a Ctrl-C in the terminal then reaches only us, and we stop
// them after what depends on them. The flip side is that they would outlive us if we died, hence this hook;
// a death no hook sees (SIGKILL) leaves the server to the next start on its data folder, which stops it.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

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
  const logFile = options.logFile ?? path.join(dataDir, 'temporal.log');
  await mkdir(path.dirname(logFile), { recursive: true });
  const logOffset = await fileSize(logFile);
  const { child, pid, ended } = await spawnServer(options, ip, dbFile, logFile);
  let endedHow: string | undefined;
  void ended.then((how) => {
    endedHow = how;
  });
  const signalAndWait = async (signal: NodeJS.Signals) => {
    // Held while we wait, so that the exit is observed even if nothing else keeps the event loop alive.
    child.ref();
    child.kill(signal);
    await ended;
    await releaseServerPidFile(pidFile, pid);
  };

  try {
    if (!(await claimServerPidFile(pidFile, { pid, parentPid: process.pid }))) {
      throw new Error(`another process has just started a dev server on ${dbFile}`);
    }
    const connection = await connectWhenReady(address, options.namespace, () => endedHow);
    try {
      await registerMissingSearchAttributes(connection, options.namespace, options.searchAttributes);
    } finally {
      await connection.close();
    }
  } catch (error) {
    await signalAndWait('SIGKILL');
    const reason = error instanceof Error ? error.message : String(error);
    const tail = await logTail(logFile, logOffset);
    const message = `Temporal dev server on ${address} failed to start: ${reason}`;
    throw new Error(`${message}\nLast lines of ${logFile}:\n${tail}`, { cause: error });
  }

  return {
    address,
    uiUrl: options.uiPort === undefined ? undefined : `http://${host}:${options.uiPort}`,
    pid,
    async stop() {
      const escalation = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      try {
        await signalAndWait('SIGTERM');
      } finally {
        clearTimeout(escalation);
      }
    },
    kill: () => signalAndWait('SIGKILL'),
  };
}

async function spawnServer(
  options: DevServerOptions,
  ip: string,
  dbFile: string,
  logFile: string,
): Promise<{ child: ChildProcess; pid: number; ended: Promise<string> }> {
  const args = [
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
  // The server writes to the file itself, so its output does not depend on this process reading pipes.
  const log = await open(logFile, 'a');
  try {
    const child = spawn(options.binary, args, { detached: true, stdio: ['ignore', log.fd, log.fd] });
    const { pid } = child;
    // No pid means the binary could not be run at all; the reason follows as an 'error' event.
    if (pid === undefined) {
      const [error] = (await once(child, 'error')) as [Error];
      throw new Error(`Cannot run ${options.binary}: ${error.message}`);
    }
    // Listened to before any await: a server failing at once may exit before the next tick.
    const ended = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve(signal === null ? `exited with code ${String(code)}` : `was killed by ${signal}`);
      });
    });
    running.add(child);
    // A server someone forgot to stop must not keep this process alive; the exit hook then kills it.
    child.unref();
    return { child, pid, ended };
  } finally {
    await log.close();
  }
}

/** Polls until the frontend describes the namespace; returns the connection that got the answer. */
async function connectWhenReady(
  address: string,
  namespace: string,
  endedHow: () => string | undefined,
): Promise<Connection> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  for (;;) {
    const how = endedHow();
    if (how !== undefined) throw new Error(`the process ${how}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.withDeadline(Date.now() + 2_000, () =>
          connection.workflowService.describeNamespace({ namespace }),
        );
        return connection;
      } catch (error) {
        await connection.close();
        throw error;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const last = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`not ready after ${READY_TIMEOUT_MS / 1000} s (last error: ${last})`);
    }
    await sleep(250);
  }
}

/**
 * The CLI registers search attributes only when it creates the SQLite file, so attributes added since a
 * data folder was created would be missing, and workflows upserting them would fail.
 */
async function registerMissingSearchAttributes(
  connection: Connection,
  namespace: string,
  wanted: Record<string, CliSearchAttributeType>,
): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.entries(wanted).filter(([name]) => !(name in customAttributes));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, indexedValueType(type)])),
  });
}

function indexedValueType(type: CliSearchAttributeType) {
  // Options may come from untyped config, where the map has no entry and the encoder returns undefined.
  const encoded = encodeSearchAttributeIndexedValueType(SDK_TYPES[type]);
  if (encoded === undefined) throw new Error(`Unknown search attribute type ${type}`);
  return encoded;
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** The last lines this run wrote to the log (earlier runs append to the same file). */
async function logTail(file: string, from: number): Promise<string> {
  const maxBytes = 64 * 1024;
  try {
    const handle = await open(file, 'r');
    try {
      const start = Math.max(from, (await handle.stat()).size - maxBytes);
      const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(maxBytes), position: start });
      const lines = buffer.subarray(0, bytesRead).toString('utf8').trimEnd().split('\n');
      return lines.slice(-LOG_TAIL_LINES).join('\n') || '(empty)';
    } finally {
      await handle.close();
    }
  } catch (error) {
    return `(unreadable: ${error instanceof Error ? error.message : String(error)})`;
  }
}
