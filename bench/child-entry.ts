import { isSystemName } from './systems';
import type { ProcessConfig, SystemName } from './systems/types';

/**
 * The child side of the benchmark's own processes (the client and the alternatives' workers): which
 * system to load, its settings, and the lifecycle every such process follows.
 */

export const CHILD_CONFIG_VARIABLE = 'BENCH_PROCESS_CONFIG';

export interface ChildSpec {
  system: SystemName;
  config: ProcessConfig;
}

export function readChildSpec(): ChildSpec {
  const system = process.argv[2] ?? '';
  if (!isSystemName(system)) throw new Error(`unknown system "${system}"`);
  const config = JSON.parse(process.env[CHILD_CONFIG_VARIABLE] ?? '{}') as ProcessConfig;
  return { system, config };
}

export function sendToParent(message: object): void {
  process.send?.(message);
}

/**
 * Runs `start`, reports readiness, and calls the returned stop function on SIGTERM. The process also
 * ends when the harness goes away (its message channel closes), so none is ever left behind.
 */
export function runChild(start: () => Promise<() => Promise<void>>): void {
  process.on('disconnect', () => process.exit(1));
  start().then(
    (stop) => {
      let stopping = false;
      process.on('SIGTERM', () => {
        if (stopping) return;
        stopping = true;
        stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`stop failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      });
      sendToParent({ type: 'ready' });
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
