import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';

export interface ReadinessOptions {
  /** A call that succeeds once the server is ready for what comes next. */
  probe(connection: Connection): Promise<unknown>;
  /** How the server process ended, if it has: waiting on is pointless then. */
  endedHow(): string | undefined;
  timeoutMs: number;
}

const POLL_MS = 250;
const CALL_DEADLINE_MS = 2_000;

/**
 * Polls a starting Temporal server at `address` until `probe` succeeds, and returns the connection that got
 * the answer; fails at once if the process ends, and after the timeout with the last error seen.
 */
export async function connectWhenReady(address: string, options: ReadinessOptions): Promise<Connection> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const how = options.endedHow();
    if (how !== undefined) throw new Error(`the process ${how}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.withDeadline(Date.now() + CALL_DEADLINE_MS, () => options.probe(connection));
        return connection;
      } catch (error) {
        await connection.close();
        throw error;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const last = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`not ready after ${options.timeoutMs / 1000} s (last error: ${last})`);
    }
    await sleep(POLL_MS);
  }
}
