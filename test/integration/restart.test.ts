import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateApiKey, generateCallbackSecret, hashApiKey } from '../../src/config/api-keys';
import { generateSigningSecret } from '../../src/activities/signing';
import { freePort } from '../../src/devserver/ports';
import type { HookState } from '../../src/domain/hook';
import { TestReceiver } from '../support/receiver';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pids of processes whose command line mentions `needle`: finds the dev server `npm start` spawned. */
function pidsMentioning(needle: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * The whole embedded stack as a user runs it (`npm start`), killed with SIGKILL, dev server included,
 * while hooks are pending: after a restart every hook is delivered exactly once.
 */
describe('npm start survives being killed', () => {
  let dir: string;
  let receiver: TestReceiver;
  const apiKey = generateApiKey();
  const env: NodeJS.ProcessEnv = { ...process.env };
  let apiUrl: string;
  let stackProcess: ChildProcess | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hookrelay-restart-'));
    receiver = await TestReceiver.start();
    const configFile = path.join(dir, 'hookrelay.json');
    await writeFile(
      configFile,
      JSON.stringify({
        callbackSecret: generateCallbackSecret(),
        projects: [
          {
            id: 'restart',
            apiKeyHashes: [hashApiKey(apiKey)],
            signingSecrets: [generateSigningSecret()],
            baseUrl: receiver.url,
          },
        ],
      }),
    );
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    Object.assign(env, {
      HOOKRELAY_CONFIG: configFile,
      HOOKRELAY_DATA_DIR: path.join(dir, 'data'),
      HOOKRELAY_API_PORT: String(apiPort),
      HOOKRELAY_DEV_SERVER_PORT: String(await freePort()),
      HOOKRELAY_DEV_SERVER_UI_PORT: String(await freePort()),
      HOOKRELAY_LOG_LEVEL: 'warn',
    });
  });

  after(async () => {
    stackProcess?.kill('SIGKILL');
    for (const pid of pidsMentioning(dir)) process.kill(pid, 'SIGKILL');
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function startStack(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/start.ts'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 120_000;
    while (!output.includes('hookrelay is running')) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
      await sleep(200);
    }
    return child;
  }

  async function api(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; data: HookState }> {
    const response = await fetch(apiUrl + url, {
      method,
      headers: { 'x-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, data: ((await response.json()) as { data: HookState }).data };
  }

  it('delivers every pending hook exactly once after SIGKILL and restart, and stops cleanly on SIGINT', async () => {
    stackProcess = await startStack();
    const hooks: HookState[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await api('POST', '/v1/hooks', {
        path: `/restart/${i}`,
        postIn: `${4 + i}s`,
        data: { i },
      });
      assert.equal(created.status, 201);
      hooks.push(created.data);
    }

    // Crash everything: the stack process and the dev server it started.
    const devServerPids = pidsMentioning(dir).filter((pid) => pid !== stackProcess?.pid);
    assert.ok(devServerPids.length > 0, 'the dev server runs as its own process');
    stackProcess.kill('SIGKILL');
    for (const pid of devServerPids) process.kill(pid, 'SIGKILL');
    await sleep(1000);
    assert.deepEqual(pidsMentioning(dir), [], 'nothing of the stack survives the kill');
    assert.equal(receiver.arrivals.length, 0, 'no hook was due before the crash');

    stackProcess = await startStack();
    await receiver.waitFor(hooks.length, 60_000);
    await sleep(3000);
    for (const hook of hooks) {
      assert.equal(receiver.arrivalsFor(hook.id).length, 1, `hook ${hook.id} delivered exactly once`);
      const current = await api('GET', `/v1/hooks/${hook.id}`);
      assert.equal(current.data.status, 'completed');
    }

    const exited = new Promise<number | null>((resolve) =>
      stackProcess?.once('exit', (code) => {
        resolve(code);
      }),
    );
    stackProcess.kill('SIGINT');
    assert.equal(await exited, 0, 'Ctrl-C stops the stack cleanly');
    await sleep(500);
    assert.deepEqual(pidsMentioning(dir), [], 'the dev server stopped with it');
    stackProcess = undefined;
  });
});
