import { execFile } from 'node:child_process';
import { readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { startDevServer } from '../../src/devserver/dev-server';
import { HOOK_DEV_SERVER_SEARCH_ATTRIBUTES } from '../../src/devserver/hook-dev-server';
import { obtainTemporalCli } from '../../src/devserver/temporal-cli';
import { withTemporalAddress } from '../../src/main/compose';
import { REPO_ROOT } from '../child-process';
import type { AppConfig } from '../../src/config/schema';
import { CURRENT, hookrelaySystem, startHookrelay, type StartedTemporal } from './hookrelay';
import type { StartContext, SystemDefinition } from './types';

const run = promisify(execFile);

/** The embedded server's start as `src/main/compose.ts` of the compared code has it. */
type StartEmbedded = (config: AppConfig, options: { ui: boolean }) => Promise<StartedTemporal>;

/** The commit to compare with; there is no sensible default, as what "before" means depends on the change. */
function beforeRef(): string {
  const ref = process.env.BENCH_BEFORE_REF;
  if (!ref)
    throw new Error('hookrelay-before needs BENCH_BEFORE_REF: the git ref of the code to compare with');
  return ref;
}

/**
 * hookrelay as it was at BENCH_BEFORE_REF, measured in the same run as the current code: its worker and
 * API run from a git worktree of that commit (sharing this checkout's node_modules), on the embedded
 * server as that code starts it, with the project settings of the hookrelay row that its config knows.
 * Code from before the embedded server had settings of its own runs on the CLI's defaults.
 */
async function start(context: StartContext) {
  const ref = beforeRef();
  const root = path.join(context.workDir, 'hookrelay-before-src');
  await run('git', ['-C', REPO_ROOT, 'worktree', 'add', '--detach', root, ref]);
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  const ownCompose = path.join(root, 'src', 'main', 'compose.ts');
  const compose = (await readFile(ownCompose, 'utf8')).includes('export async function startEmbeddedTemporal')
    ? ((await import(ownCompose)) as { startEmbeddedTemporal: StartEmbedded })
    : undefined;
  const configSchema = await readFile(path.join(root, 'src', 'config', 'schema.ts'), 'utf8');
  return startHookrelay(context, {
    root,
    // The strict config of older code refuses settings it does not know.
    projectSettings: Object.fromEntries(
      Object.entries(CURRENT.projectSettings ?? {}).filter(([key]) => configSchema.includes(`${key}:`)),
    ),
    startTemporal: compose
      ? (config) => compose.startEmbeddedTemporal(config, { ui: false })
      : async (config) => {
          const devServer = await startDevServer({
            binary: await obtainTemporalCli(),
            dataDir: path.join(config.dataDir, 'temporal'),
            port: config.devServer.port,
            namespace: config.temporal.namespace,
            searchAttributes: HOOK_DEV_SERVER_SEARCH_ATTRIBUTES,
          });
          return { devServer, config: withTemporalAddress(config, devServer.address) };
        },
    async cleanUp() {
      await run('git', ['-C', REPO_ROOT, 'worktree', 'remove', '--force', root]);
    },
  });
}

export const hookrelayBeforeSystem: SystemDefinition = {
  ...hookrelaySystem,
  name: 'hookrelay-before',
  setup:
    'hookrelay at BENCH_BEFORE_REF, set up as the hookrelay row, on the embedded server as that code ' +
    'starts it: the row to read a change against, measured in the same run.',
  start,
  // The ref compared against may predate the dashboard.
  servesDashboard: false,
  receivesWebhooks: false,
  // Its worktree exists only while its stack runs; the Startup scenario times this checkout alone.
  timeStart: undefined,
};
