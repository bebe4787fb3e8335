import { Runtime } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { freePort } from '../lib/ports';
import { includeSdkMetricsFrom } from '../metrics/exposition';
import { PinoTemporalLogger } from './temporal-logger';

/** Another process may take the port between picking it and the SDK binding it; then pick again. */
const SDK_METRICS_BIND_TRIES = 3;

/**
 * Installs the process-wide Temporal runtime once: SDK logs go to pino, and the SDK does not catch
 * SIGINT/SIGTERM itself, because our entry points stop the API, worker and dev server in order.
 *
 * The SDK's own metrics (temporal_*) are exported on a free loopback port, never a fixed one, so that
 * several processes on one machine do not collide; /metrics of this process appends them.
 */
export async function installTemporalRuntime(logger: PinoLogger): Promise<void> {
  for (let tries = 1; ; tries++) {
    const bindAddress = `127.0.0.1:${await freePort()}`;
    try {
      Runtime.install({
        logger: new PinoTemporalLogger(logger),
        shutdownSignals: [],
        telemetryOptions: { metrics: { prometheus: { bindAddress } } },
      });
      includeSdkMetricsFrom(`http://${bindAddress}/metrics`);
      return;
    } catch (error) {
      if (tries >= SDK_METRICS_BIND_TRIES || !/address already in use/i.test(String(error))) throw error;
    }
  }
}
