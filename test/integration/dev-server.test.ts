import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { type DevServer, startDevServer } from '../../src/devserver/dev-server';
import { freePort } from '../../src/lib/ports';
import { obtainTemporalCli } from '../../src/devserver/temporal-cli';

const NAMESPACE = 'hookrelay-devserver-test';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function customSearchAttributes(address: string): Promise<Record<string, unknown>> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: NAMESPACE,
    });
    return customAttributes;
  } finally {
    await connection.close();
  }
}

describe('dev server', () => {
  let binary: string;
  let dir: string;
  let server: DevServer | undefined;

  before(async () => {
    binary = await obtainTemporalCli();
    dir = await mkdtemp(path.join(tmpdir(), 'hookrelay-devserver-'));
  });
  after(async () => {
    await server?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts with the namespace and search attributes, serves the UI, and stops', async () => {
    const uiPort = await freePort();
    server = await startDevServer({
      binary,
      dataDir: path.join(dir, 'data'),
      port: await freePort(),
      uiPort,
      namespace: NAMESPACE,
      searchAttributes: { HookStatus: 'Keyword' },
    });
    assert.ok(isRunning(server.pid));
    assert.equal(server.uiUrl, `http://127.0.0.1:${uiPort}`);

    assert.ok('HookStatus' in (await customSearchAttributes(server.address)));
    assert.equal((await fetch(server.uiUrl)).status, 200);

    await server.stop();
    assert.equal(isRunning(server.pid), false);
  });

  it('registers search attributes added since the data folder was created, and can be killed', async () => {
    server = await startDevServer({
      binary,
      dataDir: path.join(dir, 'data'),
      port: await freePort(),
      namespace: NAMESPACE,
      searchAttributes: { HookStatus: 'Keyword', HookAttempts: 'Int' },
    });
    assert.equal(server.uiUrl, undefined);

    const attributes = await customSearchAttributes(server.address);
    assert.ok('HookStatus' in attributes && 'HookAttempts' in attributes, Object.keys(attributes).join());

    await server.kill();
    assert.equal(isRunning(server.pid), false);
  });

  it('fails naming the port when it is already in use', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      await assert.rejects(
        startDevServer({
          binary,
          dataDir: path.join(dir, 'busy'),
          port,
          namespace: NAMESPACE,
          searchAttributes: {},
        }),
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`),
      );
    } finally {
      squatter.close();
    }
  });

  it('reports the end of the log when the process exits before it is ready', async () => {
    const broken = path.join(dir, 'broken-temporal');
    await writeFile(broken, '#!/bin/sh\necho "first run"\necho "fatal: no luck" >&2\nexit 3\n');
    await chmod(broken, 0o755);
    await assert.rejects(
      startDevServer({
        binary: broken,
        dataDir: path.join(dir, 'broken'),
        port: await freePort(),
        namespace: NAMESPACE,
        searchAttributes: {},
      }),
      /exited with code 3[\s\S]*Last lines of .*temporal\.log:\nfirst run\nfatal: no luck/,
    );
  });
});
