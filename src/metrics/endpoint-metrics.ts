import { Counter, Gauge } from 'prom-client';
import { registry } from './registry';

const registers = [registry];

/**
 * Distinct endpoints one process labels its per-endpoint series with. Endpoints are as many as a
 * project's receivers, which may be thousands: past this many, a process counts the rest under
 * endpoint="_other", so a scrape stays bounded whatever the traffic (project count × this × 2 series).
 */
export const MAX_ENDPOINT_SERIES = 200;

const endpointAttempts = new Counter({
  name: 'hookrelay_endpoint_attempts_total',
  help:
    'HTTP attempts per endpoint, by result (ok: a 2xx answer). Endpoints beyond the first ' +
    `${MAX_ENDPOINT_SERIES} a process has seen are counted under endpoint="_other".`,
  labelNames: ['project', 'endpoint', 'result'] as const,
  registers,
});

/** Where the held-endpoint gauge reads its figures at each scrape: the worker's endpoint gate. */
let heldCounts: () => ReadonlyMap<string, number> = () => new Map();

// Registered for its collect(), which reads the figures at every scrape; nothing else refers to it.
new Gauge({
  name: 'hookrelay_endpoints_held',
  help: 'Endpoints holding their hooks, by state (paused by a user, disabled after failing), as this worker sees them.',
  labelNames: ['project', 'state'] as const,
  registers,
  collect() {
    this.reset();
    for (const [key, count] of heldCounts()) {
      const [project = '', state = ''] = key.split('/');
      this.labels(project, state).set(count);
    }
  },
});

const alertsSent = new Counter({
  name: 'hookrelay_alerts_sent_total',
  help: 'Alert sends per channel type and result; a failed send is retried, so a channel that is down counts many.',
  labelNames: ['project', 'channel', 'result'] as const,
  registers,
});

const labelled = new Set<string>();

function endpointLabel(projectId: string, endpointId: string): string {
  const key = `${projectId}/${endpointId}`;
  if (labelled.has(key)) return endpointId;
  if (labelled.size >= MAX_ENDPOINT_SERIES) return '_other';
  labelled.add(key);
  return endpointId;
}

export function countEndpointAttempt(projectId: string, endpointId: string, ok: boolean): void {
  endpointAttempts.labels(projectId, endpointLabel(projectId, endpointId), ok ? 'ok' : 'failed').inc();
}

export function countAlertSend(projectId: string, channelType: string, ok: boolean): void {
  alertsSent.labels(projectId, channelType, ok ? 'ok' : 'failed').inc();
}

/** Sets the held-endpoint gauges at every scrape from `counts` ("project/state" → endpoints). */
export function observeHeldEndpoints(counts: () => ReadonlyMap<string, number>): void {
  heldCounts = counts;
}
