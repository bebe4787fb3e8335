import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateApiKey, hashApiKey } from '../../src/security/api-keys';
import { generateServerSecret } from '../../src/security/server-secret';
import { generateSigningSecret } from '../../src/security/signing';
import { freePort } from '../../src/lib/ports';
import type { HookState } from '../../src/domain/hook';
import { type EntryProcess, startEntryProcess, stopEntryProcess } from '../support/entry-process';
import { TestReceiver } from '../support/receiver';

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
 * The whole embedded stack as a user runs it (`npm start`), killed with SIGKILL while hooks are pending,
 * with its dev server or (as an out-of-memory kill does) without: after a restart every hook is delivered
 * exactly once.
 */
describe('npm start survives being killed', () => {
  let dir: string;
  let receiver: TestReceiver;
  const apiKey = generateApiKey();
  const env: NodeJS.ProcessEnv = { ...process.env };
  let apiUrl: string;
  let stackProcess: EntryProcess | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hookrelay-restart-'));
    receiver = await TestReceiver.start();
    const configFile = path.join(dir, 'hookrelay.json');
    await writeFile(
      configFile,
      JSON.stringify({
        callbackSecret: generateServerSecret(),
        projects: [
          {
            id: 'restart',
            apiKeyHashes: [hashApiKey(apiKey)],
            signingSecrets: [generateSigningSecret()],
            baseUrl: receiver.url,
            allowInternalTargets: ['127.0.0.1'],
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
    stackProcess?.child.kill('SIGKILL');
    for (const pid of pidsMentioning(dir)) process.kill(pid, 'SIGKILL');
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  const startStack = () => startEntryProcess('start', env, 'hookrelay is running');

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

  async function scheduleBatch(name: string, firstDueSecs: number): Promise<HookState[]> {
    const hooks: HookState[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await api('POST', '/v1/hooks', {
        path: `/${name}/${i}`,
        postIn: `${firstDueSecs + i}s`,
      });
      assert.equal(created.status, 201);
      hooks.push(created.data);
    }
    return hooks;
  }

  it('keeps pending hooks across Ctrl-C and across SIGKILL, and delivers each exactly once', async () => {
    stackProcess = await startStack();
    const stoppedCleanly = await scheduleBatch('stopped', 6);
    assert.equal(await stopEntryProcess(stackProcess), 0, 'Ctrl-C stops the stack cleanly');
    await sleep(500);
    assert.deepEqual(pidsMentioning(dir), [], 'the dev server stopped with it');

    stackProcess = await startStack();
    const crashed = await scheduleBatch('crashed', 4);
    // Crash everything: the stack process and the dev server it started.
    const devServerPids = pidsMentioning(dir).filter((pid) => pid !== stackProcess?.child.pid);
    assert.ok(devServerPids.length > 0, 'the dev server runs as its own process');
    stackProcess.child.kill('SIGKILL');
    for (const pid of devServerPids) process.kill(pid, 'SIGKILL');
    await sleep(1000);
    assert.deepEqual(pidsMentioning(dir), [], 'nothing of the stack survives the kill');
    assert.equal(receiver.arrivals.filter((arrival) => arrival.path.startsWith('/crashed/')).length, 0);

    stackProcess = await startStack();
    const hooks = [...stoppedCleanly, ...crashed];
    await receiver.waitFor(hooks.length, 60_000);
    await sleep(3000);
    for (const hook of hooks) {
      assert.equal(receiver.arrivalsFor(hook.id).length, 1, `hook ${hook.id} delivered exactly once`);
      const current = await api('GET', `/v1/hooks/${hook.id}`);
      assert.equal(current.data.status, 'completed');
    }

    assert.equal(await stopEntryProcess(stackProcess), 0);
    stackProcess = undefined;
    await sleep(500);
    assert.deepEqual(pidsMentioning(dir), []);
  });

  it('starts again by itself after only its own process was killed', { timeout: 300_000 }, async () => {
    const pidFile = path.join(dir, 'data', 'temporal', 'temporal.pid');
    stackProcess = await startStack();
    const hooks = await scheduleBatch('orphaned', 5);
    const [leftover, ...others] = pidsMentioning(dir);
    assert.ok(leftover !== undefined && others.length === 0, 'one dev server, in a process of its own');
    await stopEntryProcess(stackProcess, 'SIGKILL');
    await sleep(500);
    assert.deepEqual(pidsMentioning(dir), [leftover], 'the dev server outlives the process that started it');

    stackProcess = await startStack();
    assert.match(stackProcess.output(), new RegExp(`Stopping the Temporal dev server \\(pid ${leftover}\\)`));
    const [server, ...moreServers] = pidsMentioning(dir);
    assert.ok(server !== leftover && moreServers.length === 0, 'the left-over server gave way to a new one');
    for (const hook of hooks) await receiver.waitFor(1, 60_000, hook.id);
    await sleep(3000);
    for (const hook of hooks) {
      assert.equal(receiver.arrivalsFor(hook.id).length, 1, `hook ${hook.id} delivered exactly once`);
      assert.equal((await api('GET', `/v1/hooks/${hook.id}`)).data.status, 'completed');
    }

    assert.equal(await stopEntryProcess(stackProcess), 0);
    stackProcess = undefined;
    await sleep(500);
    assert.deepEqual(pidsMentioning(dir), []);
    assert.equal(existsSync(pidFile), false, 'a clean stop removes the pid file');
  });
});
