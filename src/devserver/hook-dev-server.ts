import path from 'node:path';
import { HOOK_SEARCH_ATTRIBUTES } from '../workflows/hook-record';
import { type DevServer, type DevServerOptions, startDevServer } from './dev-server';

type CliAttributeType = DevServerOptions['searchAttributes'][string];

/** The CLI spells search attribute types in CamelCase. */
const CLI_TYPES: Record<(typeof HOOK_SEARCH_ATTRIBUTES)[number]['type'], CliAttributeType> = {
  KEYWORD: 'Keyword',
  INT: 'Int',
  DATETIME: 'Datetime',
};

export interface HookDevServerOptions {
  binary: string;
  /** hookrelay's data folder; the SQLite file lives in its `temporal` sub-folder. */
  dataDir: string;
  port: number;
  uiPort?: number;
  namespace: string;
}

/** A Temporal dev server ready for hooks: our namespace created and our search attributes registered. */
export function startHookDevServer(options: HookDevServerOptions): Promise<DevServer> {
  return startDevServer({
    binary: options.binary,
    dataDir: path.join(options.dataDir, 'temporal'),
    port: options.port,
    uiPort: options.uiPort,
    namespace: options.namespace,
    searchAttributes: Object.fromEntries(
      HOOK_SEARCH_ATTRIBUTES.map((key) => [key.name, CLI_TYPES[key.type]]),
    ),
  });
}
