// `npm run worker`: the delivery worker alone, against the Temporal named by the config.
import { loadConfig } from '../config/load';
import { createLogger } from '../lib/logger';
import { connectWorker } from '../temporal/connection';
import { bundleWorkflows, startHookWorker } from '../worker/create-worker';
import { installTemporalRuntime } from '../worker/runtime';
import { runUntilSignal } from './lifecycle';

void runUntilSignal(async () => {
  const logger = createLogger();
  installTemporalRuntime(logger);
  const { config } = await loadConfig();
  const connection = await connectWorker(config.temporal);
  const worker = await startHookWorker({ connection, config, workflowBundle: await bundleWorkflows() });
  logger.info(
    { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace },
    'worker polling',
  );
  return async () => {
    await worker.stop();
    await connection.close();
  };
});
