import type { Logger as PinoLogger } from 'pino';
import type { AppConfig } from '../config/schema';
import { connectClient } from '../temporal/connection';
import { applyRetention } from '../temporal/namespace';
import { HookStore, hookStoreOptions } from '../temporal/hook-store';
import { buildApp } from './app';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Connects to Temporal and serves the API on the configured host and port. */
export async function startApi(config: AppConfig, logger: PinoLogger): Promise<RunningApi> {
  const client = await connectClient(config.temporal);
  await applyRetention(client, config.temporal.retentionDays, logger);
  const app = await buildApp({
    store: new HookStore(client, hookStoreOptions(config)),
    projects: config.projects,
    callbackSecret: config.callbackSecret,
    logger,
  });
  const url = await app.listen({ host: config.api.host, port: config.api.port });
  return {
    url,
    async close() {
      await app.close();
      await client.connection.close();
    },
  };
}
