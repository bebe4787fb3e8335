// `npm start`: the whole embedded stack in one process tree: Temporal dev server, worker and API, and
// with the dev project, an echo receiver for its hooks.
import type { Logger as PinoLogger } from 'pino';
import { type LoadedConfig, loadConfig } from '../config/load';
import type { DevCredentials } from '../config/dev-project';
import { type EchoReceiver, startEchoReceiver } from '../dev/echo-receiver';
import { createLogger } from '../lib/logger';
import { installTemporalRuntime } from '../worker/runtime';
import { startApi, startEmbeddedTemporal, startWorkerProcess } from './compose';
import { runUntilSignal } from './lifecycle';

/** The echo receiver's port unless HOOKRELAY_ECHO_PORT says otherwise: the dev project's usual baseUrl. */
const DEFAULT_ECHO_PORT = 8080;

void runUntilSignal(async () => {
  const logger = createLogger();
  await installTemporalRuntime(logger);
  const { loaded, echo } = await loadConfigWithEchoReceiver(process.env, logger);
  const log = (message: string) => {
    logger.info(message);
  };
  const { devServer, config } = await startEmbeddedTemporal(loaded.config, { ui: true, log });
  const worker = await startWorkerProcess(config, logger);
  const api = await startApi(config, logger);

  process.stdout.write(
    banner({ api: api.url, temporalUi: devServer.uiUrl, echo: echo?.url }, loaded.devCredentials),
  );
  return async () => {
    await api.close();
    await worker.stop();
    await devServer.stop();
    await echo?.close();
  };
});

/**
 * The config; with the dev project and no HOOKRELAY_DEV_BASE_URL, also the echo receiver, started first
 * because the port it gets becomes the project's baseUrl. The config is then loaded again with that URL
 * in HOOKRELAY_DEV_BASE_URL, so that it is validated like any other.
 */
async function loadConfigWithEchoReceiver(
  env: NodeJS.ProcessEnv,
  logger: PinoLogger,
): Promise<{ loaded: LoadedConfig; echo?: EchoReceiver }> {
  const loaded = await loadConfig({ env });
  if (loaded.devCredentials === undefined || env.HOOKRELAY_DEV_BASE_URL !== undefined) return { loaded };
  const echo = await startEchoReceiver({
    ...echoPort(env.HOOKRELAY_ECHO_PORT),
    signingSecret: loaded.devCredentials.signingSecret,
    log: (line) => {
      logger.info(line);
    },
  });
  return { loaded: await loadConfig({ env: { ...env, HOOKRELAY_DEV_BASE_URL: echo.url } }), echo };
}

/** A port that was asked for must be the one; the default gives way to any free port. */
function echoPort(variable: string | undefined): { port: number; orFreePort: boolean } {
  if (variable === undefined || variable === '') return { port: DEFAULT_ECHO_PORT, orFreePort: true };
  const port = Number(variable);
  if (!/^\d+$/.test(variable) || port > 65_535) {
    throw new Error(`HOOKRELAY_ECHO_PORT must be a port number (0 for any free port), not "${variable}"`);
  }
  return { port, orFreePort: false };
}

function banner(
  urls: { api: string; temporalUi?: string; echo?: string },
  dev: DevCredentials | undefined,
): string {
  const lines = [
    '',
    'hookrelay is running',
    `  API              ${urls.api}   (docs: ${urls.api}/docs)`,
    `  dashboard        ${urls.api}/ui`,
    `  Temporal Web UI  ${urls.temporalUi ?? '(disabled)'}`,
  ];
  if (dev) {
    lines.push(
      '  dev project      (no config file; these stay the same across restarts)',
      `    API key          ${dev.apiKey}`,
      `    signing secret   ${dev.signingSecret}`,
    );
  }
  if (dev && urls.echo) {
    const auth = `-H 'X-API-Key: ${dev.apiKey}'`;
    const hook = { path: '/echo/hello', postIn: '5s', data: { hello: 'world' } };
    lines.push(
      `    echo receiver    ${urls.echo}   (hooks with a "path" go here; it logs each one and checks its signature)`,
      '',
      'Try it: schedule a hook to the echo receiver, due in 5 s',
      `  curl -s ${urls.api}/v1/hooks ${auth} -H 'content-type: application/json' -d '${JSON.stringify(hook)}'`,
      'then, once the echo receiver has logged it, read it back:',
      `  curl -s '${urls.api}/v1/hooks?pathPrefix=${hook.path}&limit=1' ${auth}`,
    );
  }
  lines.push('', 'Press Ctrl-C to stop.', '');
  return lines.join('\n');
}
