import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { exitDescription, spawnOwnGroup } from '../lib/server-process';

/** The entry points the cluster runs replicas of: `npm run worker` and `npm run api`. */
export type ReplicaEntry = 'worker' | 'api';

export interface ReplicaOptions {
  entry: ReplicaEntry;
  /** How it is named in the output and in errors: "worker-1". */
  name: string;
  env: NodeJS.ProcessEnv;
  /** Text of the log line that says it is up ("worker polling", "API listening"). */
  readyText: string;
  readyTimeoutMs: number;
  /** Every line it prints, as it prints it. */
  onLine: (name: string, line: string) => void;
}

/**
 * A stopping worker first finishes the attempts in flight, each bounded by its project's delivery timeout
 * (at most 120 s); beyond that it is stuck.
 */
const STOP_GRACE_MS = 180_000;

/**
 * One hookrelay process of the cluster: an entry point of this code, run as `npm run worker` and
 * `npm run api` run it (from the sources through tsx, or from the build), in its own process group so
 * that a Ctrl-C reaches only the cluster, which stops its processes in order.
 */
export class Replica {
  private endedAs: string | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly pid: number,
    /** The line that said it was up. */
    readonly readyLine: string,
    private readonly exited: Promise<string>,
  ) {
    void exited.then((how) => {
      this.endedAs = how;
    });
  }

  static async start(options: ReplicaOptions): Promise<Replica> {
    const script = path.join(__dirname, '..', 'main', `${options.entry}${path.extname(__filename)}`);
    const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawnOwnGroup(process.execPath, [...loader, script], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { pid } = child;
    if (pid === undefined) throw new Error(`could not start ${options.name}`);
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        resolve(exitDescription(code, signal));
      });
    });
    const ready = new Promise<{ line: string }>((resolve) => {
      for (const stream of [child.stdout, child.stderr]) {
        if (stream === null) continue;
        createInterface({ input: stream }).on('line', (line) => {
          options.onLine(options.name, line);
          if (line.includes(options.readyText)) resolve({ line });
        });
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.readyTimeoutMs);
    const outcome = await Promise.race([ready, exited]).finally(() => {
      clearTimeout(timer);
    });
    if (typeof outcome === 'string') {
      throw new Error(
        `${options.name} ${outcome} before it was ready (timeout ${options.readyTimeoutMs / 1000} s)`,
      );
    }
    return new Replica(options.name, child, pid, outcome.line, exited);
  }

  /** How it exited, or undefined while it runs. */
  exitedHow(): string | undefined {
    return this.endedAs;
  }

  /** Resolves with how it exited, whenever that is. */
  whenExited(): Promise<string> {
    return this.exited;
  }

  /** SIGTERM (it finishes what it is doing), SIGKILL if it is stuck; resolves with how it exited. */
  async stop(): Promise<string> {
    if (this.endedAs !== undefined) return this.endedAs;
    const escalation = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    this.child.kill('SIGTERM');
    try {
      return await this.exited;
    } finally {
      clearTimeout(escalation);
    }
  }

  /** SIGKILL, as a crash or an out-of-memory kill would; resolves with how it exited. */
  kill(): Promise<string> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}
