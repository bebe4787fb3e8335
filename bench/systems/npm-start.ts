import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '../../src/lib/ports';
import { REPO_ROOT, withoutConfigOverrides } from '../child-process';

/** What `npm start` prints once the API, the worker and the dev server are all up. */
const READY_LINE = 'hookrelay is running';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Runs `npm start` exactly as a newcomer does (no config file: the dev project), on a data folder of
 * its own and free ports, and returns the milliseconds until it printed that it is running. It is then
 * stopped with Ctrl-C (SIGINT to its process group), as a person would stop it.
 */
export async function timeNpmStart(dataDir: string): Promise<number> {
  const env: NodeJS.ProcessEnv = withoutConfigOverrides(process.env);
  Object.assign(env, {
    HOOKRELAY_DATA_DIR: dataDir,
    HOOKRELAY_API_PORT: String(await freePort()),
    HOOKRELAY_DEV_SERVER_PORT: String(await freePort()),
    HOOKRELAY_DEV_SERVER_UI_PORT: String(await freePort()),
    HOOKRELAY_LOG_LEVEL: 'warn',
  });
  const began = performance.now();
  const child = spawn('npm', ['start'], { cwd: REPO_ROOT, env, detached: true, stdio: 'pipe' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not run npm start');
  const exited = once(child, 'exit');
  let output = '';
  try {
    const readyAfterMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`npm start printed no "${READY_LINE}" within ${READY_TIMEOUT_MS} ms:\n${output}`));
      }, READY_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes(READY_LINE)) {
          clearTimeout(timer);
          resolve(performance.now() - began);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`npm start exited before it was ready:\n${output}`));
      });
    });
    return readyAfterMs;
  } finally {
    signalGroup(pid, 'SIGINT');
    const killer = setTimeout(() => {
      signalGroup(pid, 'SIGKILL');
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(killer);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // The group has already gone.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
