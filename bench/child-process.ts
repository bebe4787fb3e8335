import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { CHILD_CONFIG_VARIABLE } from './child-entry';
import { type ProcessProbe, pidProbe } from './process-stats';
import type { ProcessConfig, SystemName } from './systems/types';

export const REPO_ROOT = path.resolve(__dirname, '..');

const OUTPUT_TAIL_BYTES = 8 * 1024;
const STOP_GRACE_MS = 10_000;
const READY_TIMEOUT_MS = 60_000;

export interface ChildOptions {
  /** The process's role in the system under test, as reported. */
  role: string;
  /** A TypeScript entry point, relative to the repository root. */
  script: string;
  /** The checkout to run it from (default: this one); its working directory too. */
  root?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Opens a message channel (structured clone), for children that report readiness and take commands. */
  ipc?: boolean;
}

// Children must not outlive the harness, even when it fails half-way through a run.
const living = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of living) child.kill('SIGKILL');
});

/** A Node process running one of our TypeScript entry points through tsx, as `npm start` runs them. */
export class ChildHandle {
  readonly probe: ProcessProbe;
  private tail = '';
  private exitDescription: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly role: string,
    readonly child: ChildProcess,
    readonly pid: number,
  ) {
    this.probe = pidProbe(role, pid);
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        living.delete(child);
        this.exitDescription =
          signal === null ? `exited with code ${String(code)}` : `was killed by ${signal}`;
        resolve();
      });
    });
  }

  static start(options: ChildOptions): ChildHandle {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(options.root ?? REPO_ROOT, options.script), ...(options.args ?? [])],
      {
        cwd: options.root ?? REPO_ROOT,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
        serialization: 'advanced',
      },
    );
    if (child.pid === undefined) throw new Error(`could not start ${options.script}`);
    living.add(child);
    return new ChildHandle(options.role, child, child.pid);
  }

  /** Throws, with the end of the process's output, if it is no longer running. */
  assertRunning(): void {
    if (this.exitDescription !== undefined) {
      throw new Error(`the ${this.role} process ${this.exitDescription}; its last output:\n${this.output()}`);
    }
  }

  output(): string {
    return this.tail.trimEnd() || '(no output)';
  }

  /** Resolves with the first IPC message for which `accept` returns a value; fails if the process exits. */
  nextMessage<T>(accept: (message: unknown) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      const onMessage = (message: unknown) => {
        const accepted = accept(message);
        if (accepted === undefined) return;
        cleanup();
        resolve(accepted);
      };
      const onExit = () => {
        cleanup();
        // The exit listener registered in the constructor ran first and recorded how it ended.
        reject(new Error(`the ${this.role} process stopped before ${what}: ${this.describeExit()}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `the ${this.role} process did not report ${what} within ${timeoutMs} ms:\n${this.output()}`,
          ),
        );
      }, timeoutMs);
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  send(message: unknown): void {
    this.assertRunning();
    this.child.send(message as object);
  }

  /** SIGKILL at once, as in a crash; resolves once the process has exited. */
  async kill(): Promise<void> {
    if (this.exitDescription !== undefined) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  async stop(): Promise<void> {
    if (this.exitDescription !== undefined) return;
    const escalation = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    this.child.kill('SIGTERM');
    await this.exited;
    clearTimeout(escalation);
  }

  private describeExit(): string {
    return `${this.exitDescription ?? 'exited'}; its last output:\n${this.output()}`;
  }
}

/**
 * The environment without the variables that override hookrelay's config file (HOOKRELAY_*, TEMPORAL_*), so
 * that a child reads its settings from the file it is given and nothing else.
 */
export function withoutConfigOverrides(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.startsWith('HOOKRELAY_') && !name.startsWith('TEMPORAL_')),
  );
}

export interface BenchChildOptions {
  role: string;
  /** bench/worker-main.ts or bench/client/main.ts. */
  script: string;
  system: SystemName;
  config: ProcessConfig;
}

/** Starts one of the benchmark's own processes and resolves once it reports that it is ready. */
export async function startBenchChild(options: BenchChildOptions): Promise<ChildHandle> {
  const child = ChildHandle.start({
    role: options.role,
    script: options.script,
    args: [options.system],
    env: { ...process.env, [CHILD_CONFIG_VARIABLE]: JSON.stringify(options.config) },
    ipc: true,
  });
  try {
    await child.nextMessage(
      (message) =>
        typeof message === 'object' && message !== null && 'type' in message && message.type === 'ready'
          ? true
          : undefined,
      READY_TIMEOUT_MS,
      'that it is ready',
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  return child;
}
