import { setTimeout as sleep } from 'node:timers/promises';
import { commandLine, parentPid } from '../lib/process-info';
import { readServerPidFile, releaseServerPidFile } from './server-pid-file';

export interface LeftoverServerOptions {
  pidFile: string;
  /** The SQLite file, as the server's command line names it. */
  dbFile: string;
  /** How long the server may take to shut down after SIGTERM, before SIGKILL. */
  graceMs: number;
  log: (message: string) => void;
}

const KILL_WAIT_MS = 5_000;
const POLL_MS = 100;

/**
 * Makes way for a new dev server on a data folder. A run that died without stopping its server (kill -9,
 * an out-of-memory kill) left it running on its own, holding the ports and the database, so it is
 * stopped here. Stopped rather than reused: it runs with the options of the run that started it (ports,
 * UI, SQLite pragmas, CLI version), and a fresh server loses nothing, as every commit is in the SQLite file.
 *
 * A pid may have been reused since the file was written, so a process is stopped only if its command line
 * is a dev server on this very database. One whose starter still lives is another run's, in use right
 * now: that is an error, never a kill.
 */
export async function clearLeftoverServer(options: LeftoverServerOptions): Promise<void> {
  const { pidFile, dbFile } = options;
  const record = await readServerPidFile(pidFile);
  if (record === undefined) return;
  const { pid } = record;
  const isTheServer = () => servesDatabase(pid, dbFile);
  if (await isTheServer()) {
    // A process whose parent dies is handed to an ancestor, so a parent still equal to the starter is it.
    if ((await parentPid(pid)) === record.parentPid) {
      throw new Error(
        `Cannot start the Temporal dev server: process ${record.parentPid} is running one (pid ${pid}) on ` +
          `${dbFile}; stop that process first`,
      );
    }
    options.log(
      `Stopping the Temporal dev server (pid ${pid}) that an earlier run left running on ${dbFile}`,
    );
    await stopProcess(pid, isTheServer, options.graceMs);
  }
  await releaseServerPidFile(pidFile, pid);
}

/** Whether `pid` is `temporal server start-dev` on dbFile, as startDevServer runs it. */
async function servesDatabase(pid: number, dbFile: string): Promise<boolean> {
  const args = await commandLine(pid);
  return (
    args !== undefined && adjacent(args, 'server', 'start-dev') && adjacent(args, '--db-filename', dbFile)
  );
}

function adjacent(args: readonly string[], first: string, second: string): boolean {
  return args.some((arg, index) => arg === first && args[index + 1] === second);
}

async function stopProcess(pid: number, isRunning: () => Promise<boolean>, graceMs: number): Promise<void> {
  for (const [signal, waitMs] of [
    ['SIGTERM', graceMs],
    ['SIGKILL', KILL_WAIT_MS],
  ] as const) {
    send(pid, signal);
    if (await endsWithin(isRunning, waitMs)) return;
  }
  throw new Error(`Cannot stop the Temporal dev server (pid ${pid}) that an earlier run left running`);
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    // It has exited by itself since we looked.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** It is not our child, so there is no exit event to wait for: polls until it no longer runs. */
async function endsWithin(isRunning: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isRunning()) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}
