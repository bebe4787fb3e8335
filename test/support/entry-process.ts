import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A running entry point and everything it has printed so far. */
export interface EntryProcess {
  child: ChildProcess;
  output: () => string;
}

/**
 * Runs one of our entry points (src/main/*.ts) as its own process, as a user would with npm, and
 * resolves once its output contains `readyText`.
 */
export async function startEntryProcess(
  entry: 'start' | 'worker' | 'api',
  env: NodeJS.ProcessEnv,
  readyText: string,
): Promise<EntryProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', `src/main/${entry}.ts`], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const started = { child, output: () => output };
  await waitForOutput(started, (text) => text.includes(readyText), 120_000, `${entry} to come up`);
  return started;
}

/**
 * Resolves once the process's output satisfies `done`; fails if it exits first or `timeoutMs` passes.
 * Another process's logs reach us through a pipe, a moment after what they report has happened.
 */
export async function waitForOutput(
  entry: EntryProcess,
  done: (output: string) => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const { child } = entry;
  const output = () => entry.output();
  const deadline = Date.now() + timeoutMs;
  while (!done(output())) {
    if (child.exitCode !== null)
      throw new Error(`exited with ${child.exitCode} waiting for ${what}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Sends `signal` and resolves with the exit code. */
export function stopEntryProcess(
  { child }: EntryProcess,
  signal: NodeJS.Signals = 'SIGINT',
): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  child.kill(signal);
  return exited;
}
