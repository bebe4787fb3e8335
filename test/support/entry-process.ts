import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A running entry point and everything it has printed so far. */
export interface EntryProcess {
  child: ChildProcess;
  output(): string;
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
  const deadline = Date.now() + 120_000;
  while (!output.includes(readyText)) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`${entry} did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, output: () => output };
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
