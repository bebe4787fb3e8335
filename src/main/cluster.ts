// `npm run cluster`: the production topology on this machine, without Docker: the real Temporal server on
// PostgreSQL, two worker processes and two API processes (see README, "Running a multi-process deployment
// without Docker").
import path from 'node:path';
import { startCluster, type RunningCluster } from '../cluster/cluster';
import { clusterSettingsFromEnv, type ClusterSettings } from '../cluster/cluster-settings';
import { obtainTemporalServer, TEMPORAL_SERVER_VERSION } from '../cluster/temporal-server-binaries';
import type { DevCredentials } from '../config/dev-project';
import { loadConfig } from '../config/load';
import { createLogger } from '../lib/logger';
import { runUntilSignal } from './lifecycle';

void runUntilSignal(async () => {
  const logger = createLogger();
  const log = (message: string) => {
    logger.info(message);
  };
  const settings = clusterSettingsFromEnv(process.env);
  const { config, file, devCredentials } = await loadConfig();
  const serverDir = path.join(config.dataDir, 'cluster');
  const cluster = await startCluster({
    config,
    env: process.env,
    binaries: await obtainTemporalServer({ log }),
    ...settings,
    serverDir,
    // Prefixed as docker compose does, so that interleaved lines say which process wrote them.
    onLine: (name, line) => process.stdout.write(`${name.padEnd(9)}| ${line}\n`),
    log,
  });
  let stopping = false;
  for (const { replica } of [...cluster.apis, ...cluster.workers]) {
    void replica.whenExited().then((how) => {
      if (!stopping) logger.error(`${replica.name} (pid ${replica.pid}) ${how}; the others keep running`);
    });
  }

  process.stdout.write(
    banner(cluster, settings, path.join(serverDir, 'temporal-server.log'), file, devCredentials),
  );
  return () => {
    stopping = true;
    return cluster.stop();
  };
});

function banner(
  cluster: RunningCluster,
  settings: ClusterSettings,
  serverLog: string,
  configFile: string | undefined,
  dev: DevCredentials | undefined,
): string {
  const { postgres } = settings;
  const lines = [
    '',
    `hookrelay cluster is running: Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL, ` +
      `${cluster.workers.length} workers, ${cluster.apis.length} APIs`,
    `  Temporal      ${cluster.temporal.address}   (pid ${cluster.temporal.pid}, log ${serverLog})`,
    `  PostgreSQL    ${postgres.host}:${postgres.port}   databases ${postgres.database}, ${postgres.visibilityDatabase}`,
    ...cluster.apis.map(
      ({ replica, url }) => `  ${replica.name.padEnd(13)} ${url}   (pid ${replica.pid}, docs ${url}/docs)`,
    ),
    ...cluster.workers.map(
      ({ replica, url }) => `  ${replica.name.padEnd(13)} metrics ${url}   (pid ${replica.pid})`,
    ),
    configFile === undefined
      ? '  projects      the dev project (no config file), as npm start has it:'
      : `  projects      from ${configFile}`,
  ];
  if (dev) lines.push(`    API key       ${dev.apiKey}`, `    signing secret ${dev.signingSecret}`);
  lines.push('Press Ctrl-C to stop everything.', '');
  return lines.join('\n');
}
