import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadOutcome, LoadPlan } from '../client/protocol';
import { type ProcessProbe, snapshotCpu } from '../process-stats';
import type { TagArrivals } from '../receiver';
import type { Distribution } from '../stats';
import { waitUntil } from '../wait';
import type { DeliveryReport, Metric, ScenarioContext } from './types';

/**
 * The steps the scenarios are made of: schedule a batch of hooks and (when they are due soon enough)
 * wait for them at the receiver; size a lead time; wait for the system to go idle.
 */

/** Hooks due further ahead than this are not waited for: the system is stopped before they are due. */
export const AWAIT_LIMIT_MS = 60_000;

/** A plan the client has run: what it scheduled, and where its hooks arrive. */
export interface Scheduled {
  tag: string;
  outcome: LoadOutcome;
  arrivals: TagArrivals;
  /** The sequence numbers whose schedule call succeeded: each must arrive exactly once. */
  expected: ReadonlySet<number>;
}

export interface Batch extends Scheduled {
  delivery: DeliveryReport;
}

function expectedSeqs(outcome: LoadOutcome): Set<number> {
  const failed = new Set(outcome.failedSeqs);
  const expected = new Set<number>();
  for (let seq = 0; seq < outcome.attempted; seq++) if (!failed.has(seq)) expected.add(seq);
  return expected;
}

/** Runs a load plan in the client process; aborting `signal` stops it scheduling more hooks. */
export async function scheduleHooks(
  context: ScenarioContext,
  plan: LoadPlan,
  signal?: AbortSignal,
): Promise<Scheduled> {
  const arrivals = context.receiver.track(plan.tag);
  const outcome = await context.stack.client.run(plan, signal);
  return { tag: plan.tag, outcome, arrivals, expected: expectedSeqs(outcome) };
}

/** Scheduling hooks left sleeping may take this long at most (they are due much later). */
const SLEEPING_SCHEDULE_LIMIT_MS = 5 * 60_000;

/** `count` hooks due `dueInMs` from now, scheduled by the client's concurrent callers, left to sleep. */
export async function scheduleSleeping(
  context: ScenarioContext,
  { count, dueInMs }: { count: number; dueInMs: number },
): Promise<{ scheduled: Scheduled; dueAt: number }> {
  const dueAt = Date.now() + dueInMs;
  const scheduled = await scheduleHooks(context, {
    kind: 'closed',
    tag: context.tag('sleeping'),
    count,
    concurrency: context.settings.clientConcurrency,
    timeLimitMs: Math.min(dueInMs, SLEEPING_SCHEDULE_LIMIT_MS),
    due: { at: dueAt },
  });
  return { scheduled, dueAt };
}

export interface DeliveryOptions {
  label: string;
  /** Wait until every scheduled hook has arrived, or until `deadline` (epoch ms, or computed from the outcome). */
  awaitDelivery: boolean;
  deadline?: number | ((outcome: LoadOutcome) => number);
}

/** Waits (if asked) for the hooks of a plan at the receiver, and checks that each arrived exactly once. */
export async function collectDeliveries(
  context: ScenarioContext,
  scheduled: Scheduled,
  options: DeliveryOptions,
): Promise<Batch> {
  const { outcome, arrivals, expected } = scheduled;
  if (options.awaitDelivery) {
    const deadline =
      typeof options.deadline === 'function'
        ? options.deadline(outcome)
        : (options.deadline ?? Date.now() + AWAIT_LIMIT_MS);
    await waitUntil(() => arrivals.distinct >= expected.size, {
      timeoutMs: Math.max(0, deadline - Date.now()),
      what: `the hooks of ${scheduled.tag}`,
      pollMs: 20,
      check: () => {
        context.stack.assertHealthy();
      },
    });
  }
  const check = arrivals.check(expected);
  if (check.missing > 0 && options.awaitDelivery) {
    context.log(`${scheduled.tag}: ${check.missing} of ${check.expected} hooks did not arrive in time`);
  }
  return {
    ...scheduled,
    delivery: {
      label: options.label,
      awaited: options.awaitDelivery,
      scheduleFailures: outcome.failedSeqs.length,
      errors: outcome.errors,
      check,
    },
  };
}

/** Schedules a plan's hooks and collects their deliveries. */
export async function runBatch(
  context: ScenarioContext,
  plan: LoadPlan,
  options: DeliveryOptions & { signal?: AbortSignal },
): Promise<Batch> {
  return collectDeliveries(context, await scheduleHooks(context, plan, options.signal), options);
}

/**
 * `count` hooks all due at one instant, far enough ahead for the client to schedule them all first,
 * then delivered: the shape of both the Burst scenario and the Footprint CPU measure.
 */
export async function runDueTogether(
  context: ScenarioContext,
  batch: { tag: string; count: number; label: string; drainMs: number },
): Promise<{ batch: Batch; dueAt: number; leadMs: number }> {
  const { burst, clientConcurrency } = context.settings;
  const leadMs = leadTimeMs(batch.count, context.warmupRate, burst.minLeadMs, burst.maxLeadMs);
  const dueAt = Date.now() + leadMs;
  context.log(`${batch.count} hooks due in ${(leadMs / 1000).toFixed(1)} s`);
  const delivered = await runBatch(
    context,
    {
      kind: 'closed',
      tag: context.tag(batch.tag),
      count: batch.count,
      concurrency: clientConcurrency,
      timeLimitMs: burst.maxLeadMs,
      due: { at: dueAt },
    },
    { label: batch.label, awaitDelivery: true, deadline: dueAt + batch.drainMs },
  );
  return { batch: delivered, dueAt, leadMs };
}

/**
 * `count` hooks scheduled at a constant rate from `startAt`, each `leadMs` before it is due, then
 * delivered: hooks flow in and out at the same rate. The shape of Steady's steps and of Idle. The plan
 * and the wait are bounded by the timetable plus `drainMs`.
 */
export function runPaced(
  context: ScenarioContext,
  paced: {
    tag: string;
    label: string;
    ratePerSec: number;
    count: number;
    startAt: number;
    leadMs: number;
    maxInFlight: number;
    drainMs: number;
    signal?: AbortSignal;
  },
): Promise<Batch> {
  const { tag, ratePerSec, count, startAt, leadMs, maxInFlight, drainMs } = paced;
  const dueAfter = (hooks: number) => startAt + leadMs + (hooks * 1000) / ratePerSec;
  return runBatch(
    context,
    {
      kind: 'paced',
      tag,
      ratePerSec,
      count,
      startAt,
      leadMs,
      maxInFlight,
      timeLimitMs: dueAfter(count) - startAt + drainMs,
    },
    {
      label: paced.label,
      awaitDelivery: true,
      // Stopped early, the client attempted fewer: the wait ends after the last of those is due.
      deadline: (outcome) => dueAfter(outcome.attempted) + drainMs,
      signal: paced.signal,
    },
  );
}

/** Hooks per second a batch was accepted at. */
export function acceptRate(outcome: LoadOutcome): number {
  const seconds = Math.max(0.001, (outcome.finishedAt - outcome.startedAt) / 1000);
  return outcome.latenciesMs.length / seconds;
}

/**
 * Time to leave between the first schedule call and a shared due instant, so that every hook is
 * accepted before it is due: half as long again as the warm-up rate predicts, plus a second.
 */
export function leadTimeMs(hooks: number, ratePerSec: number, minMs: number, maxMs: number): number {
  const predicted = ratePerSec > 0 ? (hooks / ratePerSec) * 1000 : maxMs;
  return Math.round(Math.min(maxMs, Math.max(minMs, 1_000 + 1.5 * predicted)));
}

/**
 * Lateness of every hook the client tried to schedule. One that never arrived, or whose schedule call
 * failed, counts as infinitely late: for the application it is a hook that was never delivered.
 */
export function latenessOf(batch: Batch): number[] {
  const lateness: number[] = batch.outcome.failedSeqs.map(() => Number.POSITIVE_INFINITY);
  for (const seq of batch.expected) {
    const record = batch.arrivals.records.get(seq);
    lateness.push(record ? record.firstAt - record.dueAt : Number.POSITIVE_INFINITY);
  }
  return lateness;
}

/**
 * Waits until the processes together use less than a quarter of a core over a one-second window: whatever
 * the system still had to do for hooks it accepted (first workflow tasks, status updates) is then done.
 * A quarter, not zero: a Temporal dev server holding thousands of open workflows never goes fully idle.
 */
export async function waitForQuiet(probes: readonly ProcessProbe[], timeoutMs: number): Promise<boolean> {
  const windowMs = 1_000;
  const deadline = Date.now() + timeoutMs;
  const total = () => Object.values(snapshotCpu(probes)).reduce((sum, seconds) => sum + seconds, 0);
  let before = total();
  while (Date.now() < deadline) {
    await sleep(Math.min(windowMs, Math.max(1, deadline - Date.now())));
    const after = total();
    if ((after - before) / (windowMs / 1000) < 0.25) return true;
    before = after;
  }
  return false;
}

/** Lateness p50, p99 and max of a batch, the figures Burst and Idle both report. */
export function latenessMetrics(lateness: Distribution): Metric[] {
  return [
    metric('lateness.p50', 'lateness p50', 'ms', lateness.p50, 'lower'),
    metric('lateness.p99', 'lateness p99', 'ms', lateness.p99, 'lower'),
    metric('lateness.max', 'lateness max', 'ms', lateness.max, 'lower'),
  ];
}

export function metric(
  key: string,
  label: string,
  unit: string,
  value: number | null | undefined,
  better: Metric['better'],
): Metric {
  return { key, label, unit, value: value === undefined || Number.isNaN(value) ? null : value, better };
}
