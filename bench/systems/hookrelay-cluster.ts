import path from 'node:path';
import pg from 'pg';
import { parsePostgresUrl, type PostgresTarget } from '../../src/cluster/postgres-target';
import { dropTemporalDatabases } from '../../src/cluster/temporal-databases';
import { freeServicePorts, startClusterServer } from '../../src/cluster/temporal-server';
import {
  obtainTemporalServer,
  TEMPORAL_SERVER_VERSION,
  type TemporalServerBinaries,
} from '../../src/cluster/temporal-server-binaries';
import { withTemporalAddress } from '../../src/main/compose';
import { pidProbe, processTreeProbe } from '../process-stats';
import { BENCH_INGEST_SOURCE, hookrelaySystem, startHookrelay } from './hookrelay';
import type { StartContext, SystemDefinition } from './types';

/** Databases of this start alone, on the benchmark's PostgreSQL, dropped when it stops. */
function benchDatabases(context: StartContext): PostgresTarget {
  const url = new URL(context.services.postgres);
  url.pathname = `/hookrelay_bench_${context.instanceId}`;
  return parsePostgresUrl(url.href);
}

/** Bytes PostgreSQL holds for both databases: tables, indexes, TOAST and free space alike. */
async function databaseBytes(services: StartContext['services'], target: PostgresTarget): Promise<number> {
  const client = new pg.Client({ connectionString: services.postgres });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(
      'SELECT (pg_database_size($1) + pg_database_size($2))::text AS bytes',
      [target.database, target.visibilityDatabase],
    );
    return Number(rows[0]?.bytes);
  } finally {
    await client.end();
  }
}

async function start(context: StartContext) {
  const binaries: TemporalServerBinaries = await obtainTemporalServer();
  const postgres = benchDatabases(context);
  const dropDatabases = () => dropTemporalDatabases(binaries.sqlTool, postgres);
  return startHookrelay(context, {
    // The receiver is on loopback, which deliveries are refused by default.
    projectSettings: { allowInternalTargets: ['127.0.0.1'], sources: [BENCH_INGEST_SOURCE] },
    async startTemporal(config) {
      try {
        const server = await startClusterServer({
          binaries,
          dataDir: path.join(config.dataDir, 'temporal-server'),
          postgres,
          ports: await freeServicePorts(),
          namespace: config.temporal.namespace,
          retentionDays: config.temporal.retentionDays,
          log: () => undefined,
        });
        return {
          devServer: server,
          config: withTemporalAddress(config, server.address),
          footprint: {
            probes: [pidProbe('temporal-server', server.pid), processTreeProbe('postgres', 'postgres')],
            storeBytes: () => databaseBytes(context.services, postgres),
            versions: { 'temporal-server': TEMPORAL_SERVER_VERSION },
          },
        };
      } catch (error) {
        await dropDatabases();
        throw error;
      }
    },
    cleanUp: dropDatabases,
  });
}

export const hookrelayClusterSystem: SystemDefinition = {
  ...hookrelaySystem,
  name: 'hookrelay-cluster',
  setup:
    'The hookrelay row on the real Temporal server instead of the dev server: `temporal-server` ' +
    `${TEMPORAL_SERVER_VERSION} (the four services in one process, 4 history shards) on the local ` +
    'PostgreSQL, both stores (default and visibility) in databases of their own, as `npm run cluster` ' +
    'runs it. One worker and one API process, as in the hookrelay row, so that the two rows differ in the ' +
    'Temporal server alone; `npm run cluster` runs two of each.',
  store: 'PostgreSQL size of both Temporal databases',
  needs: ['postgres'],
  usesTemporalCli: false,
  prepare: async () => {
    await obtainTemporalServer();
  },
  start,
  // It has no start command of its own beyond `npm run cluster`; the Startup scenario times `npm start`.
  timeStart: undefined,
};
