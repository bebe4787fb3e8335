import path from 'node:path';
import { type ObtainBinaryOptions, obtainPinnedGoBinary, type PinnedGoBinary } from '../lib/pinned-go-binary';

/** The Temporal server release `npm run cluster` runs: the one Temporal CLI 1.5.1 embeds. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

export interface TemporalServerBinaries {
  /** `temporal-server`: the four services in one process, on a YAML config. */
  server: string;
  /** `temporal-sql-tool`: creates databases and applies the schemas it carries. */
  sqlTool: string;
}

const MODULE_DIR = path.join('tools', 'temporal-server');
const RELEASES = `https://github.com/temporalio/temporal/releases/tag/v${TEMPORAL_SERVER_VERSION}`;

const SERVER: PinnedGoBinary = {
  title: `Temporal server ${TEMPORAL_SERVER_VERSION}`,
  neededFor: '`npm run cluster`',
  pathVariable: 'TEMPORAL_SERVER_PATH',
  cachedName: `temporal-server-v${TEMPORAL_SERVER_VERSION}`,
  moduleDir: MODULE_DIR,
  goPackage: 'go.temporal.io/server/cmd/server',
  buildTime: 'about 4 minutes on 2 cores',
  otherWays: [
    `download temporal-server ${TEMPORAL_SERVER_VERSION} (${RELEASES}) and set TEMPORAL_SERVER_PATH to its path.`,
  ],
};

const SQL_TOOL: PinnedGoBinary = {
  title: `Temporal SQL tool ${TEMPORAL_SERVER_VERSION}`,
  neededFor: "setting up `npm run cluster`'s databases",
  pathVariable: 'TEMPORAL_SQL_TOOL_PATH',
  cachedName: `temporal-sql-tool-v${TEMPORAL_SERVER_VERSION}`,
  moduleDir: MODULE_DIR,
  goPackage: 'go.temporal.io/server/cmd/tools/sql',
  // Most of its packages are the server's, which Go's build cache already holds by then.
  buildTime: 'less than a minute after the server',
  otherWays: [
    `download temporal-sql-tool ${TEMPORAL_SERVER_VERSION} (${RELEASES}) and set TEMPORAL_SQL_TOOL_PATH to its path.`,
  ],
};

/**
 * The Temporal server and its SQL tool, each from its variable (TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH),
 * else the cache, else built from the pinned module in tools/temporal-server.
 */
export async function obtainTemporalServer(
  options: ObtainBinaryOptions = {},
): Promise<TemporalServerBinaries> {
  // One after the other: the second build reuses what the first compiled.
  const server = await obtainPinnedGoBinary(SERVER, options);
  const sqlTool = await obtainPinnedGoBinary(SQL_TOOL, options);
  return { server, sqlTool };
}
