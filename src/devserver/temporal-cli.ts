import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, rename, rm, stat } from 'node:fs/promises';
import { hookrelayCacheDir, nonEmpty } from '../lib/cache-dir';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

/** The Temporal CLI release hookrelay's embedded dev server is tested with. */
export const TEMPORAL_CLI_VERSION = '1.5.1';

const CACHED_BINARY_NAME = `temporal-v${TEMPORAL_CLI_VERSION}`;
const GO_MODULE_DIR = path.join('tools', 'temporal-cli');
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
// Release builds stamp the version here; without it the binary reports 0.0.0-DEV.
const GO_VERSION_VARIABLE = 'github.com/temporalio/cli/temporalcli.Version';

export interface ObtainTemporalCliOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the built binary is kept; see hookrelayCacheDir. */
  cacheDir?: string;
  /** The repository root, holding the pinned Go module in tools/temporal-cli. */
  projectRoot?: string;
  /** Progress and warnings; stderr by default, so that stdout stays free for the caller. */
  log?: (message: string) => void;
}

/**
 * The path of a `temporal` binary to run the dev server with: TEMPORAL_CLI_PATH, else `temporal` on PATH,
 * else our cached build, else a fresh build from the pinned Go module (a few minutes, once).
 */
export async function obtainTemporalCli(options: ObtainTemporalCliOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));

  const configured = nonEmpty(env.TEMPORAL_CLI_PATH);
  if (configured !== undefined) {
    const binary = path.resolve(configured);
    if (await isFile(binary, constants.X_OK)) return binary;
    throw new Error(`TEMPORAL_CLI_PATH is set to ${configured}, but that is not an executable file`);
  }

  const onPath = await findOnPath('temporal', env);
  if (onPath !== undefined) {
    await logVersion(onPath, env, log);
    return onPath;
  }

  const cached = path.join(options.cacheDir ?? hookrelayCacheDir(env), CACHED_BINARY_NAME);
  if (await isFile(cached, constants.X_OK)) return cached;

  const go = await findOnPath('go', env);
  if (go !== undefined) {
    await buildWithGo(go, cached, options.projectRoot ?? path.resolve(__dirname, '..', '..'), env, log);
    return cached;
  }

  throw new Error(
    [
      `Temporal CLI ${TEMPORAL_CLI_VERSION} is needed for the embedded Temporal dev server and was not found:`,
      `TEMPORAL_CLI_PATH is not set, there is no \`temporal\` on PATH, and nothing is cached at ${cached}.`,
      'To get it, either',
      '  - install Go (https://go.dev/dl/) and run this again, to build it once from tools/temporal-cli, or',
      `  - download Temporal CLI ${TEMPORAL_CLI_VERSION} (https://github.com/temporalio/cli/releases/tag/v${TEMPORAL_CLI_VERSION})`,
      '    and put `temporal` on PATH, or set TEMPORAL_CLI_PATH to its path.',
    ].join('\n'),
  );
}

/** Whether `file` is a regular file that this process may access with `mode` (F_OK: it exists). */
async function isFile(file: string, mode: number = constants.F_OK): Promise<boolean> {
  try {
    await access(file, mode);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  // Empty entries would mean the current directory; a binary found there by accident is not wanted.
  const dirs = (env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const dir of dirs) {
    const candidate = path.resolve(dir, name);
    if (await isFile(candidate, constants.X_OK)) return candidate;
  }
  return undefined;
}

/** Another version is allowed (the user chose it), but said out loud, as dev server flags do change. */
async function logVersion(binary: string, env: NodeJS.ProcessEnv, log: (message: string) => void) {
  let line: string;
  try {
    const { stdout } = await promisify(execFile)(binary, ['--version'], { env, timeout: 30_000 });
    line = stdout.trim().split('\n')[0] ?? '';
  } catch (error) {
    throw new Error(`${binary} (found on PATH) does not run; fix it or set TEMPORAL_CLI_PATH`, {
      cause: error,
    });
  }
  log(`Using ${binary}: ${line}`);
  const version = /^temporal version (\S+)/.exec(line)?.[1];
  if (version !== TEMPORAL_CLI_VERSION) {
    log(
      `Warning: hookrelay is tested with Temporal CLI ${TEMPORAL_CLI_VERSION}, ${binary} may behave differently; ` +
        'set TEMPORAL_CLI_PATH to use another binary.',
    );
  }
}

async function buildWithGo(
  go: string,
  target: string,
  projectRoot: string,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): Promise<void> {
  const moduleDir = path.join(projectRoot, GO_MODULE_DIR);
  if (!(await isFile(path.join(moduleDir, 'go.mod')))) {
    throw new Error(`Cannot build Temporal CLI ${TEMPORAL_CLI_VERSION}: ${moduleDir}/go.mod is missing`);
  }
  await mkdir(path.dirname(target), { recursive: true });
  // Every build links into its own file and renames it into place. The rename is atomic, so neither an
  // interrupted build nor two builds racing (parallel test processes) leave a broken binary at `target`.
  const partial = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  log(
    `Building Temporal CLI ${TEMPORAL_CLI_VERSION} from ${moduleDir} into ${target}. ` +
      'This takes a few minutes, once; later runs use the cached binary.',
  );
  try {
    await runLogged(
      go,
      ['build', '-ldflags', `-X ${GO_VERSION_VARIABLE}=${TEMPORAL_CLI_VERSION}`, '-o', partial, GO_PACKAGE],
      moduleDir,
      env,
      log,
    );
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
}

function runLogged(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: child.stdout }).on('line', log);
    createInterface({ input: child.stderr }).on('line', log);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${command} ${args[0] ?? ''} failed (${signal ?? `exit code ${String(code)}`}); see its output above`,
          ),
        );
    });
  });
}
