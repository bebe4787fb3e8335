import { Runtime } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { PinoTemporalLogger } from './temporal-logger';

/**
 * Installs the process-wide Temporal runtime once: SDK logs go to pino, and the SDK does not catch
 * SIGINT/SIGTERM itself, because our entry points stop the API, worker and dev server in order.
 */
export function installTemporalRuntime(logger: PinoLogger): void {
  Runtime.install({ logger: new PinoTemporalLogger(logger), shutdownSignals: [] });
}
