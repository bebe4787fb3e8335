// `npm start`: the whole embedded stack in one process tree: Temporal dev server, worker and API.
import { loadConfig } from '../config/load';
import type { DevCredentials } from '../config/dev-project';
import { createLogger } from '../lib/logger';
import { installTemporalRuntime } from '../worker/runtime';
import { startApi, startEmbeddedTemporal, startWorkerProcess } from './compose';
import { runUntilSignal } from './lifecycle';

void runUntilSignal(async () => {
  const logger = createLogger();
  await installTemporalRuntime(logger);
  const loaded = await loadConfig();
  const { devServer, config } = await startEmbeddedTemporal(loaded.config, {
    ui: true,
    log: (message) => {
      logger.info(message);
    },
  });
  const worker = await startWorkerProcess(config, logger);
  const api = await startApi(config, logger);

  process.stdout.write(banner(api.url, devServer.uiUrl, loaded.devCredentials));
  return async () => {
    await api.close();
    await worker.stop();
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
