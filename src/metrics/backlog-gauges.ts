import { Gauge } from 'prom-client';
import type { HookBacklog } from '../domain/hook-store';
import { registry } from './registry';

const hooksPending = new Gauge({
  name: 'hookrelay_hooks_pending',
  help: 'Hooks with status pending or retry, across all projects (from Temporal visibility).',
  registers: [registry],
});

const oldestOverdueAge = new Gauge({
  name: 'hookrelay_oldest_overdue_hook_age_seconds',
  help: 'Seconds since the most overdue pending or retrying hook was due; 0 when none is overdue.',
  registers: [registry],
});

/**
 * Sets the backlog gauges from a fresh reading, waiting at most `timeoutMs`. When the reading fails or is
 * late (Temporal slow or unreachable) the gauges keep their last values: a scrape must still succeed,
 * and its other metrics still count. `read` gets the deadline, to cancel its own calls by then.
 */
export async function refreshBacklogGauges(
  read: (deadline: number) => Promise<HookBacklog>,
  timeoutMs: number,
  onError: (error: unknown) => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`Temporal visibility did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const backlog = await Promise.race([read(Date.now() + timeoutMs), late]);
    hooksPending.set(backlog.pending);
    oldestOverdueAge.set(backlog.oldestOverdueAgeSeconds);
  } catch (error) {
    onError(error);
  } finally {
    clearTimeout(timer);
  }
}
