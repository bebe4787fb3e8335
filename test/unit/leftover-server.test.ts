import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { clearLeftoverServer } from '../../src/devserver/leftover-server';
import { claimServerPidFile } from '../../src/devserver/server-pid-file';

const BOUNDED = { timeout: 15_000 };

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * A node process that idles with `args` on its command line: a stand-in dev server, or any process that
 * happens to have a pid named in the file. Resolves once it is running its script (and ignores SIGTERM,
 * if asked, from then on).
 */
async function idleProcess(args: string[], { ignoreSigterm = false } = {}): Promise<ChildProcess> {
  const script = [
    ignoreSigterm ? "process.on('SIGTERM', () => {});" : '',
    "process.stdout.write('ready\\n');",
    'setInterval(() => {}, 1000);',
  ].join('');
  const child = spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  await once(child.stdout, 'data');
  return child;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid ?? assert.fail('no pid');
}

describe('clearLeftoverServer', () => {
  let dir: string;
  let pidFile: string;
  let dbFile: string;
  let logged: string[];
  const started: ChildProcess[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hookrelay-leftover-'));
    pidFile = path.join(dir, 'temporal.pid');
    dbFile = path.join(dir, 'temporal.db');
  });
  beforeEach(() => {
    logged = [];
  });
  afterEach(async () => {
    for (const child of started.splice(0)) if (isRunning(child)) child.kill('SIGKILL');
    await rm(pidFile, { force: true });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const clear = (graceMs = 5_000) =>
    clearLeftoverServer({ pidFile, dbFile, graceMs, log: (message) => logged.push(message) });

  /** A process started here, named in the pid file as the server of a starter that has died. */
  async function leftover(args: string[], options?: { ignoreSigterm: boolean }): Promise<ChildProcess> {
    const child = await idleProcess(args, options);
    started.push(child);
    assert.ok(await claimServerPidFile(pidFile, { pid: child.pid ?? 0, parentPid: await deadPid() }));
    return child;
  }

  const devServerArgs = (db: string) => ['server', 'start-dev', '--db-filename', db];

  it('stops the dev server a dead run left on this database, and removes the pid file', BOUNDED, async () => {
    const server = await leftover(devServerArgs(dbFile));
    const exited = once(server, 'exit');
    await clear();
    assert.equal((await exited)[1], 'SIGTERM');
    assert.equal(existsSync(pidFile), false);
    assert.match(logged.join('\n'), new RegExp(`Stopping the Temporal dev server \\(pid ${server.pid}\\)`));
  });

  it('kills it with SIGKILL when it outlasts the grace period', BOUNDED, async () => {
    const server = await leftover(devServerArgs(dbFile), { ignoreSigterm: true });
    const exited = once(server, 'exit');
    await clear(300);
    assert.equal((await exited)[1], 'SIGKILL');
  });

  it(
    'leaves alone a live process whose command line is not our server on this database',
    BOUNDED,
    async () => {
      for (const args of [['unrelated'], devServerArgs(path.join(dir, 'other', 'temporal.db'))]) {
        const stranger = await leftover(args);
        await clear();
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.ok(isRunning(stranger), `${args.join(' ')} still runs`);
        assert.equal(existsSync(pidFile), false, 'the stale pid file is removed');
      }
      assert.deepEqual(logged, []);
    },
  );

  it('ignores a pid file naming a process that has exited', BOUNDED, async () => {
    assert.ok(await claimServerPidFile(pidFile, { pid: await deadPid(), parentPid: await deadPid() }));
    await clear();
    assert.equal(existsSync(pidFile), false);
    assert.deepEqual(logged, []);
  });

  it('refuses, killing nothing, while the run that started the server still runs', BOUNDED, async () => {
    // Started by this process, which the record names as its starter: another run, in use right now.
    const server = await idleProcess(devServerArgs(dbFile));
    started.push(server);
    assert.ok(await claimServerPidFile(pidFile, { pid: server.pid ?? 0, parentPid: process.pid }));
    await assert.rejects(
      clear(),
      new RegExp(`process ${process.pid} is running one \\(pid ${server.pid}\\)`),
    );
    assert.ok(isRunning(server));
    assert.ok(existsSync(pidFile));
  });

  it('does nothing without a pid file, and a second claim of one fails', BOUNDED, async () => {
    await clear();
    assert.ok(await claimServerPidFile(pidFile, { pid: 1234, parentPid: 5678 }));
    assert.equal(await claimServerPidFile(pidFile, { pid: 4321, parentPid: 8765 }), false);
  });
});
