// `npm run api`: the HTTP API alone, against the Temporal named by the config (TEMPORAL_ADDRESS, ...).
import { startApi } from './compose';
import { loadConfig } from '../config/load';
import { createLogger } from '../lib/logger';
import { runUntilSignal } from './lifecycle';

void runUntilSignal(async () => {
  const logger = createLogger();
  const { config } = await loadConfig();
  const api = await startApi(config, logger);
  logger.info({ url: api.url }, 'API listening');
  return () => api.close();
});
