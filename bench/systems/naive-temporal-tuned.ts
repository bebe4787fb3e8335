import type { AppConfig } from '../../src/config/schema';
import { HOOK_DEV_SERVER_DYNAMIC_CONFIG } from '../../src/devserver/hook-dev-server';
import { naiveTemporal } from './naive-temporal';

/**
 * hookrelay's default `devServer.sqliteSynchronous`, which the hookrelay row runs with. A type-only
 * import of the config: the schema itself (and zod) must not load into this system's worker, whose
 * memory is measured against naive-temporal's.
 */
const SQLITE_SYNCHRONOUS: AppConfig['devServer']['sqliteSynchronous'] = 'NORMAL';

/**
 * naive-temporal on the dev server settings hookrelay's embedded server applies
 * (src/devserver/hook-dev-server.ts). Beside naive-temporal it shows what those settings gain; beside
 * hookrelay, what hookrelay's workflow gains or costs on the same server.
 */
export const naiveTemporalTunedSystem = naiveTemporal({
  name: 'naive-temporal-tuned',
  serverSetup:
    "The Temporal dev server binary hookrelay embeds, with hookrelay's server settings (SQLite, headless): " +
    `${Object.entries(HOOK_DEV_SERVER_DYNAMIC_CONFIG)
      .map(([key, value]) => `\`${key}=${String(value)}\``)
      .join(', ')} and SQLite \`synchronous=${SQLITE_SYNCHRONOUS}\`.`,
  server: {
    dynamicConfig: HOOK_DEV_SERVER_DYNAMIC_CONFIG,
    sqlitePragmas: [`synchronous=${SQLITE_SYNCHRONOUS}`],
  },
});
