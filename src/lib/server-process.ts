import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';

const LOG_TAIL_LINES = 30;
/** Longer lines are cut: a Go server's JSON log lines carry whole stack traces. */
const LOG_TAIL_LINE_CHARS = 600;
const LOG_TAIL_BYTES = 64 * 1024;

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Spawns a process in its own process group. A Ctrl-C in the terminal then reaches only us, and we stop
 * our servers in order, after what depends on them. The flip side is that they would outlive us if we
 * died, so they are killed when this process exits; a death no exit hook sees (SIGKILL) leaves them to
 * whoever starts on their data next.
 */
export function spawnOwnGroup(
  command: string,
  args: readonly string[],
  options: Omit<SpawnOptions, 'detached'>,
): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid !== undefined) {
    running.add(child);
    child.once('exit', () => {
      running.delete(child);
    });
  }
  return child;
}

/**
 * A server binary (a Temporal server, dev or not) running in its own process group, appending its output
 * to a log file, killed if this process exits before stopping it.
 */
export class ServerProcess {
  private endedDescription: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly logFile: string,
    /** Where this run's lines begin: earlier runs append to the same file. */
    private readonly logOffset: number,
    private readonly ended: Promise<string>,
  ) {
    void ended.then((how) => {
      this.endedDescription = how;
    });
  }

  static async spawn(binary: string, args: readonly string[], logFile: string): Promise<ServerProcess> {
    await mkdir(path.dirname(logFile), { recursive: true });
    const logOffset = await fileSize(logFile);
    // The server writes to the file itself, so its output does not depend on this process reading pipes.
    const log = await open(logFile, 'a');
    try {
      const child = spawnOwnGroup(binary, args, { stdio: ['ignore', log.fd, log.fd] });
      const { pid } = child;
      // No pid means the binary could not be run at all; the reason follows as an 'error' event.
      if (pid === undefined) {
        const [error] = (await once(child, 'error')) as [Error];
        throw new Error(`Cannot run ${binary}: ${error.message}`);
      }
      // Listened to before any await: a server failing at once may exit before the next tick.
      const ended = new Promise<string>((resolve) => {
        child.once('exit', (code, signal) => {
          resolve(exitDescription(code, signal));
        });
      });
      // A server someone forgot to stop must not keep this process alive; the exit hook then kills it.
      child.unref();
      return new ServerProcess(child, pid, logFile, logOffset, ended);
    } finally {
      await log.close();
    }
  }

  /** How the process ended ("exited with code 1"), or undefined while it runs. */
  endedHow(): string | undefined {
    return this.endedDescription;
  }

  /** Sends `signal` and resolves once the process has exited. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    // Held while we wait, so that the exit is observed even if nothing else keeps the event loop alive.
    this.child.ref();
    this.child.kill(signal);
    await this.ended;
  }

  /** SIGTERM, then SIGKILL if it has not exited within graceMs; resolves once it has exited. */
  async stop(graceMs: number): Promise<void> {
    const escalation = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      await this.signal('SIGTERM');
    } finally {
      clearTimeout(escalation);
    }
  }

  /** An error for a server that did not come up, with the last lines this run wrote to its log. */
  async failure(message: string, cause: unknown): Promise<Error> {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const tail = await logTail(this.logFile, this.logOffset);
    return new Error(`${message}: ${reason}\nLast lines of ${this.logFile}:\n${tail}`, { cause });
  }
}

/** "exited with code 1", "was killed by SIGKILL": how a child process ended, for messages. */
export function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  return signal === null ? `exited with code ${String(code)}` : `was killed by ${signal}`;
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function logTail(file: string, from: number): Promise<string> {
  try {
    const handle = await open(file, 'r');
    try {
      const start = Math.max(from, (await handle.stat()).size - LOG_TAIL_BYTES);
      const { buffer, bytesRead } = await handle.read({
        buffer: Buffer.alloc(LOG_TAIL_BYTES),
        position: start,
      });
      const lines = buffer.subarray(0, bytesRead).toString('utf8').trimEnd().split('\n');
      const cut = (line: string) =>
        line.length > LOG_TAIL_LINE_CHARS ? `${line.slice(0, LOG_TAIL_LINE_CHARS)}…` : line;
      return lines.slice(-LOG_TAIL_LINES).map(cut).join('\n') || '(empty)';
    } finally {
      await handle.close();
    }
  } catch (error) {
    return `(unreadable: ${error instanceof Error ? error.message : String(error)})`;
  }
}
