import { Counter, Histogram } from 'prom-client';
import type { AttemptTiming } from '../domain/delivery';
import { ATTEMPT_OUTCOMES, type AttemptOutcome } from '../domain/hook';
import { registry } from './registry';

const registers = [registry];

const hooksScheduled = new Counter({
  name: 'hookrelay_hooks_scheduled_total',
  help: 'Hooks created by POST /v1/hooks or by a replay (idempotent repeats not counted).',
  labelNames: ['project'] as const,
  registers,
});

const attempts = new Counter({
  name: 'hookrelay_attempts_total',
  help:
    'Delivery attempts by outcome. An async attempt is counted as async_pending when the receiver ' +
    'answers 202, and once more as acked, nacked or async_timeout when its wait ends.',
  labelNames: ['project', 'outcome'] as const,
  registers,
});

const deliveriesCompleted = new Counter({
  name: 'hookrelay_deliveries_completed_total',
  help: 'Hooks that reached the status completed.',
  labelNames: ['project'] as const,
  registers,
});

const deliveriesFailed = new Counter({
  name: 'hookrelay_deliveries_failed_total',
  help: 'Hooks that reached the status failed (attempts exhausted or a permanent failure).',
  labelNames: ['project'] as const,
  registers,
});

const deliveryLatency = new Histogram({
  name: 'hookrelay_delivery_latency_seconds',
  help: 'Duration of one HTTP delivery attempt, from sending the request to reading the response.',
  labelNames: ['project'] as const,
  // Delivery timeouts go up to 120 s.
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers,
});

const fireLateness = new Histogram({
  name: 'hookrelay_fire_lateness_seconds',
  help: "How long after the hook's due time (postAt) its first attempt started.",
  labelNames: ['project'] as const,
  // Sub-second when all is well; minutes when workers were down or the task queue is backed up.
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
  registers,
});

const endpointWait = new Histogram({
  name: 'hookrelay_endpoint_wait_seconds',
  help:
    'How long a hook held by its endpoint (paused, disabled, or at its rate or concurrency limit) waited ' +
    'before its attempt was sent; not part of hookrelay_fire_lateness_seconds.',
  labelNames: ['project'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 86_400],
  registers,
});

/**
 * Exports every series of a project at 0 the first time the project shows up, so that the first real
 * increment is visible to rate() and increase() rather than appearing out of nowhere.
 */
const projectsSeen = new Set<string>();
function ensureProjectSeries(projectId: string): void {
  if (projectsSeen.has(projectId)) return;
  projectsSeen.add(projectId);
  hooksScheduled.labels(projectId).inc(0);
  for (const outcome of ATTEMPT_OUTCOMES) attempts.labels(projectId, outcome).inc(0);
  deliveriesCompleted.labels(projectId).inc(0);
  deliveriesFailed.labels(projectId).inc(0);
}

export function countHookScheduled(projectId: string): void {
  ensureProjectSeries(projectId);
  hooksScheduled.labels(projectId).inc();
}

export function countAttemptOutcome(projectId: string, outcome: AttemptOutcome): void {
  ensureProjectSeries(projectId);
  attempts.labels(projectId, outcome).inc();
}

export function countHookFinished(projectId: string, status: 'completed' | 'failed'): void {
  ensureProjectSeries(projectId);
  (status === 'completed' ? deliveriesCompleted : deliveriesFailed).labels(projectId).inc();
}

/**
 * Each timing is observed once: a hook held by its endpoint counts its first attempt's lateness when it
 * is held, and its wait for the endpoint when it is released and sent.
 */
export function observeAttemptTiming(timing: AttemptTiming): void {
  const { projectId, finishedAt, heldSince } = timing;
  if (finishedAt) {
    deliveryLatency.labels(projectId).observe((finishedAt.getTime() - timing.startedAt.getTime()) / 1000);
  }
  if (heldSince) {
    const waitMs = Math.max(0, timing.startedAt.getTime() - Date.parse(heldSince));
    endpointWait.labels(projectId).observe(waitMs / 1000);
  } else if (timing.attempt === 1) {
    // A timer never fires early, but clocks of different machines may disagree by a little.
    const latenessMs = Math.max(0, timing.startedAt.getTime() - Date.parse(timing.postAt));
    fireLateness.labels(projectId).observe(latenessMs / 1000);
  }
}
