import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { hookrelayCacheDir, nonEmpty } from './cache-dir';
import { type ProgressTerminal, startProgressLine } from './progress-line';

/**
 * A binary hookrelay builds from a Go module of its own under tools/: the module's go.mod names the
 * program with a `tool` directive and its go.sum pins every dependency, so `go build` verifies every
 * checksum and builds exactly the pinned versions.
 */
export interface PinnedGoBinary {
  /** What it is, with its version, for messages: "Temporal CLI 1.5.1". */
  title: string;
  /** What needs it, to complete "… is needed for": "the embedded Temporal dev server". */
  neededFor: string;
  /** The environment variable naming a binary to use instead. */
  pathVariable: string;
  /** The file name in the cache folder; it carries the version, so that a new pin builds anew. */
  cachedName: string;
  /** The Go module, relative to the repository root. */
  moduleDir: string;
  goPackage: string;
  ldflags?: string;
  /** How long the first build takes, for the message shown while it runs. */
  buildTime: string;
  /** A copy installed on this machine, looked for after the variable and before the cache. */
  installed?: {
    /** Resolves undefined when there is none. */
    find(env: NodeJS.ProcessEnv, log: (message: string) => void): Promise<string | undefined>;
    /** What was not found, for the message when nothing is: "there is no `temporal` on PATH". */
    notFound: string;
  };
  /** What else to mention, besides installing Go, when it cannot be found or built; one line each. */
  otherWays: readonly string[];
}

export interface ObtainBinaryOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the built binary is kept; see hookrelayCacheDir. */
  cacheDir?: string;
  /** The repository root, holding the pinned Go modules in tools/. */
  projectRoot?: string;
  /** Progress and warnings; stderr by default, so that stdout stays free for the caller. */
  log?: (message: string) => void;
  /** Where a build's ticking progress line is drawn if it is a terminal; stderr by default. */
  terminal?: ProgressTerminal;
}

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/**
 * The path of the binary: the one its variable names, else an installed one (where the binary says how to
 * find one), else our cached build, else a fresh build from the pinned Go module (minutes, once).
 */
export async function obtainPinnedGoBinary(
  binary: PinnedGoBinary,
  options: ObtainBinaryOptions = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));

  const configured = nonEmpty(env[binary.pathVariable]);
  if (configured !== undefined) {
    const file = path.resolve(configured);
    if (await isFile(file, constants.X_OK)) return file;
    throw new Error(`${binary.pathVariable} is set to ${configured}, but that is not an executable file`);
  }

  const installed = await binary.installed?.find(env, log);
  if (installed !== undefined) return installed;

  const cached = path.join(options.cacheDir ?? hookrelayCacheDir(env), binary.cachedName);
  if (await isFile(cached, constants.X_OK)) return cached;

  const go = await findOnPath('go', env);
  if (go !== undefined) {
    await buildWithGo(binary, go, cached, {
      projectRoot: options.projectRoot ?? PROJECT_ROOT,
      env,
      log,
      terminal: options.terminal ?? process.stderr,
    });
    return cached;
  }

  throw new Error(
    [
      `${binary.title} is needed for ${binary.neededFor} and was not found:`,
      [
        `${binary.pathVariable} is not set`,
        ...(binary.installed ? [binary.installed.notFound] : []),
        `nothing is cached at ${cached}, and there is no \`go\` on PATH.`,
      ].join(', '),
      'To get it, either',
      `  - install Go (https://go.dev/dl/) and run this again, to build it once from ${binary.moduleDir}, or`,
      ...binary.otherWays.map((line) => `  - ${line}`),
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

/** The first executable `name` in env.PATH. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  // Empty entries would mean the current directory; a binary found there by accident is not wanted.
  const dirs = (env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const dir of dirs) {
    const candidate = path.resolve(dir, name);
    if (await isFile(candidate, constants.X_OK)) return candidate;
  }
  return undefined;
}

async function buildWithGo(
  binary: PinnedGoBinary,
  go: string,
  target: string,
  { projectRoot, env, log, terminal }: Required<Omit<ObtainBinaryOptions, 'cacheDir'>>,
): Promise<void> {
  const moduleDir = path.join(projectRoot, binary.moduleDir);
  if (!(await isFile(path.join(moduleDir, 'go.mod')))) {
    throw new Error(`Cannot build ${binary.title}: ${moduleDir}/go.mod is missing`);
  }
  await mkdir(path.dirname(target), { recursive: true });
  // Every build links into its own file and renames it into place. The rename is atomic, so neither an
  // interrupted build nor two builds racing (parallel test processes) leave a broken binary at `target`.
  const partial = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  log(
    `Building ${binary.title} from ${moduleDir} into ${target}. ` +
      `This takes ${binary.buildTime}, once; later runs use the cached binary.`,
  );
  // Go prints nothing while it compiles, for minutes after its last download: the line shows it is alive.
  const progress = startProgressLine(`Building ${binary.title} with Go (first run only)`, { terminal, log });
  try {
    await runLogged(
      go,
      [
        'build',
        ...(binary.ldflags === undefined ? [] : ['-ldflags', binary.ldflags]),
        '-o',
        partial,
        binary.goPackage,
      ],
      moduleDir,
      env,
      progress.print,
    ).finally(progress.stop);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
  log(`Built ${binary.title} in ${progress.elapsed()}.`);
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
