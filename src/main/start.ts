// `npm start`: the whole embedded stack in one process tree: Temporal dev server, worker and API.
import { startApi } from '../api/server';
import { loadConfig } from '../config/load';
import type { AppConfig } from '../config/schema';
import type { DevCredentials } from '../config/dev-project';
import { startHookDevServer } from '../devserver/hook-dev-server';
import { obtainTemporalCli } from '../devserver/temporal-cli';
import { createLogger } from '../lib/logger';
import { connectWorker } from '../temporal/connection';
import { bundleWorkflows, startHookWorker } from '../worker/create-worker';
import { installTemporalRuntime } from '../worker/runtime';
import { runUntilSignal } from './lifecycle';

void runUntilSignal(async () => {
  const logger = createLogger();
  await installTemporalRuntime(logger);
  const loaded = await loadConfig();
  const binary = await obtainTemporalCli({
    log: (message) => {
      logger.info(message);
    },
  });
  const devServer = await startHookDevServer({
    binary,
    dataDir: loaded.config.dataDir,
    port: loaded.config.devServer.port,
    uiPort: loaded.config.devServer.uiPort,
    namespace: loaded.config.temporal.namespace,
  });
  // The embedded stack always talks to its own dev server, whatever TEMPORAL_ADDRESS says.
  const config: AppConfig = {
    ...loaded.config,
    temporal: { ...loaded.config.temporal, address: devServer.address },
  };
  const connection = await connectWorker(config.temporal);
  const worker = await startHookWorker({ connection, config, workflowBundle: await bundleWorkflows() });
  const api = await startApi(config, logger);

  process.stdout.write(banner(api.url, devServer.uiUrl, loaded.devCredentials));
  return async () => {
    await api.close();
    await worker.stop();
    await connection.close();
    await devServer.stop();
  };
});

function banner(apiUrl: string, uiUrl: string | undefined, dev: DevCredentials | undefined): string {
  const lines = [
    '',
    'hookrelay is running',
    `  API             ${apiUrl}   (docs: ${apiUrl}/docs)`,
    `  Temporal Web UI ${uiUrl ?? '(disabled)'}`,
  ];
  if (dev) {
    lines.push(
      '  dev project     (no config file; these stay the same across restarts)',
      `    API key         ${dev.apiKey}`,
      `    signing secret  ${dev.signingSecret}`,
    );
  }
  lines.push('Press Ctrl-C to stop.', '');
  return lines.join('\n');
}
