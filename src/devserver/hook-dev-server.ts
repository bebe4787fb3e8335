import path from 'node:path';
import { HOOKRELAY_SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { type DevServer, type DevServerOptions, startDevServer } from './dev-server';

type CliAttributeType = DevServerOptions['searchAttributes'][string];

/** The CLI spells search attribute types in CamelCase. */
const CLI_TYPES: Record<(typeof HOOKRELAY_SEARCH_ATTRIBUTES)[number]['type'], CliAttributeType> = {
  KEYWORD: 'Keyword',
  INT: 'Int',
  DATETIME: 'Datetime',
  BOOL: 'Bool',
};

export interface HookDevServerOptions {
  binary: string;
  /** hookrelay's data folder; the SQLite file lives in its `temporal` sub-folder. */
  dataDir: string;
  port: number;
  uiPort?: number;
  namespace: string;
  sqliteSynchronous: 'NORMAL' | 'FULL';
}

/**
 * Settings the CLI's defaults get wrong for a single embedded server. The CLI forces a search-attribute
 * cache refresh on every read, which reads SQLite on every start, upsert and visibility write (the
 * server's own documentation says never to use it in production); and a task queue spread over 4
 * partitions only splits one server's pollers and tasks four ways.
 */
export const HOOK_DEV_SERVER_DYNAMIC_CONFIG = {
  'system.forceSearchAttributesCacheRefreshOnRead': false,
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
} as const;

/** hookrelay's search attributes, as the dev server registers them at start-up. */
export const HOOK_DEV_SERVER_SEARCH_ATTRIBUTES = Object.fromEntries(
  HOOKRELAY_SEARCH_ATTRIBUTES.map((key) => [key.name, CLI_TYPES[key.type]]),
);

/** A Temporal dev server ready for hooks: our namespace created and our search attributes registered. */
export function startHookDevServer(options: HookDevServerOptions): Promise<DevServer> {
  return startDevServer({
    binary: options.binary,
    dataDir: path.join(options.dataDir, 'temporal'),
    port: options.port,
    uiPort: options.uiPort,
    namespace: options.namespace,
    searchAttributes: HOOK_DEV_SERVER_SEARCH_ATTRIBUTES,
    dynamicConfig: HOOK_DEV_SERVER_DYNAMIC_CONFIG,
    sqlitePragmas: [`synchronous=${options.sqliteSynchronous}`],
  });
}
