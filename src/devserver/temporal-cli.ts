import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  findOnPath,
  type ObtainBinaryOptions,
  obtainPinnedGoBinary,
  type PinnedGoBinary,
} from '../lib/pinned-go-binary';

/** The Temporal CLI release hookrelay's embedded dev server is tested with. */
export const TEMPORAL_CLI_VERSION = '1.5.1';

const TEMPORAL_CLI: PinnedGoBinary = {
  title: `Temporal CLI ${TEMPORAL_CLI_VERSION}`,
  neededFor: 'the embedded Temporal dev server',
  pathVariable: 'TEMPORAL_CLI_PATH',
  cachedName: `temporal-v${TEMPORAL_CLI_VERSION}`,
  moduleDir: path.join('tools', 'temporal-cli'),
  goPackage: 'github.com/temporalio/cli/cmd/temporal',
  // Release builds stamp the version here; without it the binary reports 0.0.0-DEV.
  ldflags: `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
  buildTime: 'a few minutes',
  installed: {
    async find(env, log) {
      const onPath = await findOnPath('temporal', env);
      if (onPath !== undefined) await logVersion(onPath, env, log);
      return onPath;
    },
    notFound: 'there is no `temporal` on PATH',
  },
  otherWays: [
    `download Temporal CLI ${TEMPORAL_CLI_VERSION} (https://github.com/temporalio/cli/releases/tag/v${TEMPORAL_CLI_VERSION}) ` +
      'and put `temporal` on PATH, or set TEMPORAL_CLI_PATH to its path.',
  ],
};

/**
 * The path of a `temporal` binary to run the dev server with: TEMPORAL_CLI_PATH, else `temporal` on PATH,
 * else our cached build, else a fresh build from the pinned Go module (a few minutes, once).
 */
export function obtainTemporalCli(options: ObtainBinaryOptions = {}): Promise<string> {
  return obtainPinnedGoBinary(TEMPORAL_CLI, options);
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
