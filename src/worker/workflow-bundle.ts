import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@temporalio/common';
import { bundleWorkflowCode, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { hookrelayCacheDir } from '../lib/cache-dir';

const SOURCE_ROOT = path.resolve(__dirname, '..');
const WORKFLOWS_PATH = require.resolve('../workflows');
/**
 * What else the bundle is made of: the exact versions of every dependency (the lockfile, where the
 * deployment kept it) and, in any case, the version of the SDK's workflow runtime.
 */
const DEPENDENCY_FILES = [
  path.resolve(SOURCE_ROOT, '..', 'package-lock.json'),
  require.resolve('@temporalio/workflow/package.json'),
];
const BUNDLE_PREFIX = 'workflow-bundle-';
/** Bundles of other versions of the code are removed once unused for this long. */
const STALE_BUNDLE_MS = 7 * 86_400_000;

/**
 * The workflow code as the worker's sandbox runs it, built once per version of the code and kept in the
 * cache folder. Building it runs webpack, which takes seconds and leaves tens of MiB in the worker's heap
 * for good; a worker that finds its bundle starts at once and stays small.
 *
 * The bundle is named by a digest of every source file and of the lockfile, so a changed line anywhere
 * (or a changed dependency) builds a new one: a stale bundle would run old workflow code, which is the
 * one mistake this must never make. Hashing all of src/ rather than only what the workflow imports keeps
 * that guarantee without a second dependency walker; it costs a rebuild after unrelated changes.
 */
export async function loadWorkflowBundle(cacheDir = hookrelayCacheDir()): Promise<WorkflowBundle> {
  const file = path.join(cacheDir, `${BUNDLE_PREFIX}${await codeDigest()}.js`);
  const cached = await readFile(file, 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (cached !== undefined) return { code: cached };

  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: withWebpackReportAtDebug(Runtime.instance().logger),
  });
  await mkdir(cacheDir, { recursive: true });
  // Written aside and renamed: a concurrent reader sees the whole bundle or none.
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, bundle.code);
  await rename(partial, file);
  await removeStaleBundles(cacheDir);
  return bundle;
}

/**
 * webpack's compilation report arrives as one info message of dozens of lines (modules by path, sizes):
 * noise in a newcomer's first `npm start`, so it goes out at debug. Its errors still come as errors.
 */
function withWebpackReportAtDebug(logger: Logger): Logger {
  const isReport = (message: string) => /^webpack [\d.]+ compiled/m.test(message);
  return {
    log: (level, message, meta) => {
      logger.log(level, message, meta);
    },
    trace: (message, meta) => {
      logger.trace(message, meta);
    },
    debug: (message, meta) => {
      logger.debug(message, meta);
    },
    info: (message, meta) => {
      if (isReport(message)) logger.debug(message, meta);
      else logger.info(message, meta);
    },
    warn: (message, meta) => {
      logger.warn(message, meta);
    },
    error: (message, meta) => {
      logger.error(message, meta);
    },
  };
}

async function codeDigest(): Promise<string> {
  const hash = createHash('sha256');
  const dependencies = DEPENDENCY_FILES.filter((file) => existsSync(file));
  for (const file of [...(await sourceFiles(SOURCE_ROOT)), ...dependencies]) {
    hash
      .update(path.relative(SOURCE_ROOT, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? sourceFiles(full) : Promise.resolve([full]);
    }),
  );
  return files.flat().sort();
}

/** Other checkouts may share the cache folder, so only bundles nobody has built for a week go. */
async function removeStaleBundles(cacheDir: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(cacheDir)) {
    if (!name.startsWith(BUNDLE_PREFIX)) continue;
    const file = path.join(cacheDir, name);
    const { mtimeMs } = await stat(file);
    if (now - mtimeMs > STALE_BUNDLE_MS) await rm(file, { force: true });
  }
}
