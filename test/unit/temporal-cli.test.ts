import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { obtainTemporalCli, TEMPORAL_CLI_VERSION } from '../../src/devserver/temporal-cli';

const RELEASE_VERSION_LINE = `temporal version ${TEMPORAL_CLI_VERSION} (Server 1.29.1, UI 2.42.1)`;

/** A shell script standing in for a real binary; PATH is a temp dir, so it may only use shell builtins. */
async function fakeExecutable(file: string, body: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

const fakeTemporal = (file: string, versionLine = RELEASE_VERSION_LINE) =>
  fakeExecutable(file, `echo '${versionLine}'`);

describe('obtainTemporalCli', () => {
  let root: string;
  let binDir: string;
  let cacheDir: string;
  let projectRoot: string;
  let logged: string[];

  const obtain = (env: NodeJS.ProcessEnv = {}) =>
    obtainTemporalCli({
      env: { PATH: binDir, HOME: root, ...env },
      cacheDir,
      projectRoot,
      log: (message) => logged.push(message),
    });

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hookrelay-cli-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });
  beforeEach(async (context) => {
    const dir = path.join(root, context.name.replace(/\W+/g, '-'));
    binDir = path.join(dir, 'bin');
    cacheDir = path.join(dir, 'cache');
    projectRoot = path.join(dir, 'project');
    await mkdir(binDir, { recursive: true });
    logged = [];
  });

  it('prefers TEMPORAL_CLI_PATH over PATH and the cache', async () => {
    const configured = await fakeTemporal(path.join(root, 'configured', 'temporal'));
    await fakeTemporal(path.join(binDir, 'temporal'));
    await fakeTemporal(path.join(cacheDir, `temporal-v${TEMPORAL_CLI_VERSION}`));
    assert.equal(await obtain({ TEMPORAL_CLI_PATH: configured }), configured);
  });

  it('fails naming TEMPORAL_CLI_PATH when it points at nothing, without falling back', async () => {
    await fakeTemporal(path.join(binDir, 'temporal'));
    const missing = path.join(root, 'nowhere', 'temporal');
    await assert.rejects(obtain({ TEMPORAL_CLI_PATH: missing }), (error: Error) => {
      assert.match(error.message, /TEMPORAL_CLI_PATH/);
      assert.ok(error.message.includes(missing));
      return true;
    });
  });

  it('fails naming TEMPORAL_CLI_PATH when the file is not executable', async () => {
    const file = path.join(root, 'not-executable');
    await writeFile(file, '');
    await chmod(file, 0o644);
    await assert.rejects(
      obtain({ TEMPORAL_CLI_PATH: file }),
      /TEMPORAL_CLI_PATH is set to .*not an executable/,
    );
  });

  it('uses `temporal` on PATH next, logging its version', async () => {
    const onPath = await fakeTemporal(path.join(binDir, 'temporal'));
    await fakeTemporal(path.join(cacheDir, `temporal-v${TEMPORAL_CLI_VERSION}`));
    assert.equal(await obtain(), onPath);
    assert.deepEqual(logged, [`Using ${onPath}: ${RELEASE_VERSION_LINE}`]);
  });

  it('still uses another version found on PATH, with a warning', async () => {
    const onPath = await fakeTemporal(
      path.join(binDir, 'temporal'),
      'temporal version 1.4.0 (Server 1.28.0)',
    );
    assert.equal(await obtain(), onPath);
    assert.equal(logged.length, 2);
    assert.match(logged[1] ?? '', /Warning: .*tested with Temporal CLI 1\.5\.1/);
  });

  it('uses the cached build when nothing is configured or on PATH', async () => {
    const cached = await fakeTemporal(path.join(cacheDir, `temporal-v${TEMPORAL_CLI_VERSION}`));
    assert.equal(await obtain(), cached);
  });

  it('finds the cache under HOOKRELAY_CACHE_DIR, else XDG_CACHE_HOME, when no cacheDir is given', async () => {
    const explicit = await fakeTemporal(path.join(root, 'explicit', `temporal-v${TEMPORAL_CLI_VERSION}`));
    const xdg = await fakeTemporal(
      path.join(root, 'xdg', 'hookrelay', 'bin', `temporal-v${TEMPORAL_CLI_VERSION}`),
    );
    const env = { PATH: binDir, XDG_CACHE_HOME: path.join(root, 'xdg') };
    assert.equal(
      await obtainTemporalCli({ env: { ...env, HOOKRELAY_CACHE_DIR: path.dirname(explicit) } }),
      explicit,
    );
    assert.equal(await obtainTemporalCli({ env }), xdg);
  });

  it('builds into the cache with go from the pinned module, streaming its output', async () => {
    const moduleDir = path.join(projectRoot, 'tools', 'temporal-cli');
    await mkdir(moduleDir, { recursive: true });
    await writeFile(path.join(moduleDir, 'go.mod'), 'module example\n');
    // Writes a fake binary wherever -o says; also records where and how it was run.
    await fakeExecutable(
      path.join(binDir, 'go'),
      [
        'echo "go: downloading in $PWD"',
        'echo "$@" >&2',
        'while [ "$#" -gt 0 ]; do [ "$1" = -o ] && out="$2"; shift; done',
        `echo '#!/bin/sh' > "$out"`,
        `echo "echo '${RELEASE_VERSION_LINE}'" >> "$out"`,
        '/bin/chmod 755 "$out"',
      ].join('\n'),
    );

    const binary = await obtain();

    assert.equal(binary, path.join(cacheDir, `temporal-v${TEMPORAL_CLI_VERSION}`));
    assert.match(await readFile(binary, 'utf8'), /temporal version 1\.5\.1/);
    assert.deepEqual(await readdir(cacheDir), [`temporal-v${TEMPORAL_CLI_VERSION}`], 'no partial file left');
    assert.match(logged[0] ?? '', /takes a few minutes/);
    assert.ok(logged.includes(`go: downloading in ${moduleDir}`), logged.join('\n'));
    assert.ok(logged.some((line) => line.includes('github.com/temporalio/cli/cmd/temporal')));
  });

  it('leaves nothing in the cache when the build fails', async () => {
    const moduleDir = path.join(projectRoot, 'tools', 'temporal-cli');
    await mkdir(moduleDir, { recursive: true });
    await writeFile(path.join(moduleDir, 'go.mod'), 'module example\n');
    await fakeExecutable(path.join(binDir, 'go'), 'echo "go: network unreachable" >&2\nexit 1');

    await assert.rejects(obtain(), /failed \(exit code 1\)/);
    assert.ok(logged.includes('go: network unreachable'));
    assert.deepEqual(await readdir(cacheDir), []);
  });

  it('says how to get the CLI when there is no go and nothing cached', async () => {
    await assert.rejects(obtain(), (error: Error) => {
      assert.match(error.message, /Temporal CLI 1\.5\.1 is needed/);
      assert.match(error.message, /install Go/);
      assert.match(error.message, /download Temporal CLI 1\.5\.1/);
      assert.match(error.message, /TEMPORAL_CLI_PATH/);
      return true;
    });
  });
});
