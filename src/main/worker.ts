// `npm run worker`: the delivery worker alone, against the Temporal named by the config.
import { loadConfig } from '../config/load';
import { createLogger } from '../lib/logger';
import { startMetricsServer } from '../metrics/metrics-server';
import { installTemporalRuntime } from '../worker/runtime';
import { startWorkerProcess } from './compose';
import { runUntilSignal } from './lifecycle';

void runUntilSignal(async () => {
  const logger = createLogger();
  await installTemporalRuntime(logger);
  const { config } = await loadConfig();
  if (isLoopback(config.api.publicUrl) && !isLoopback(`tcp://${config.temporal.address}`)) {
    // A remote deployment whose ack/nack URLs point at this machine: receivers could never reach them.
    logger.warn(
      { publicUrl: config.api.publicUrl },
      'async hooks will carry loopback ack/nack URLs: set HOOKRELAY_PUBLIC_URL to the address receivers reach the API at',
    );
  }
  const worker = await startWorkerProcess(config, logger);
  // Without the API in this process, the worker's metrics (and the SDK's) need an endpoint of their own.
  const metrics = await startMetricsServer(config.worker.metricsHost, config.worker.metricsPort);
  logger.info(
    { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, metrics: metrics.url },
    'worker polling',
  );
  return async () => {
    await metrics.close();
    await worker.stop();
  };
});

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}
