import { setTimeout as sleep } from 'node:timers/promises';
import { runPlan } from '../bench/client/load';
import type { LoadOutcome, PacedPlan } from '../bench/client/protocol';
import { distribution } from '../bench/stats';
import { attemptDeadlineMs } from '../src/domain/delivery';
import { TestReceiver } from '../test/support/receiver';
import { Disruptor, planKills } from './disruptor';
import { type Arrival, deliveryFindings } from './findings';
import { IdempotentScheduler } from './idempotent-scheduler';
import type { ChaosResult } from './result';
import type { ChaosSettings } from './settings';
import { ChaosStack } from './stack';

export interface ChaosOptions {
  /** Progress, one line at a time; silent by default. */
  log?: (line: string) => void;
}

/** Time for the load runner to get going before the first POST is due. */
const START_DELAY_MS = 500;
/** After an attempt's deadline Temporal makes it again; allow this long for that to reach the receiver. */
const REPEAT_MARGIN_MS = 5_000;
const DRAIN_POLL_MS = 250;

/**
 * A chaos run: hookrelay's worker and API processes on an embedded Temporal server, hooks POSTed at an even
 * pace through the API and delivered to a receiver on 127.0.0.1 that records every arrival, while the
 * worker is killed with SIGKILL again and again, and the API process and the Temporal server once each.
 * Once the last part is back, the run waits until every accepted hook has arrived and the repeats a kill
 * may cause have had time to come, then says what arrived.
 */
export async function runChaos(settings: ChaosSettings, options: ChaosOptions = {}): Promise<ChaosResult> {
  const began = Date.now();
  const log = (line: string) =>
    options.log?.(`[${((Date.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const receiver = await TestReceiver.start();
  try {
    log('starting the Temporal dev server, the worker and the API');
    const stack = await ChaosStack.start({
      receiverUrl: receiver.url,
      deliveryTimeoutSecs: settings.deliveryTimeoutSecs,
      log,
    });
    try {
      return await exercise(stack, receiver, settings, log);
    } finally {
      await stack.stop();
    }
  } finally {
    await receiver.close();
  }
}

async function exercise(
  stack: ChaosStack,
  receiver: TestReceiver,
  settings: ChaosSettings,
  log: (line: string) => void,
): Promise<ChaosResult> {
  const scheduler = new IdempotentScheduler(stack.apiUrl, stack.apiKey, stack.projectId);
  const disruptor = new Disruptor(stack, log);
  const scheduledFrom = Date.now() + START_DELAY_MS;
  const dueFrom = scheduledFrom + settings.leadMs;
  const plan: PacedPlan = {
    kind: 'paced',
    tag: 'chaos',
    ratePerSec: settings.hooks / (settings.dueSpanMs / 1000),
    count: settings.hooks,
    startAt: scheduledFrom,
    leadMs: settings.leadMs,
    maxInFlight: settings.maxInFlight,
    // Room for the scheduler to fall behind while the API or Temporal is down, but not forever.
    timeLimitMs: START_DELAY_MS + settings.dueSpanMs + 60_000,
  };
  log(`scheduling ${settings.hooks} hooks, due over ${settings.dueSpanMs / 1000} s`);
  const controller = new AbortController();
  // A part that does not come back ends the run: no more POSTs.
  const kills = disruptor.carryOut(planKills(settings, dueFrom)).catch((error: unknown) => {
    controller.abort();
    throw error;
  });
  let load: LoadOutcome;
  try {
    [load] = await Promise.all([runPlan(scheduler, plan, controller.signal), kills]);
  } finally {
    await scheduler.close();
  }
  log(`${scheduler.accepted.size} hooks accepted; every kill is over, waiting for the deliveries`);

  const attemptDeadline = attemptDeadlineMs(settings.deliveryTimeoutSecs * 1000);
  await drain(receiver, scheduler, disruptor, settings.drainTimeoutMs, attemptDeadline);
  const arrivals: Arrival[] = receiver.arrivals.map((arrival) => ({
    hookId: String(arrival.headers['webhook-id'] ?? ''),
    at: arrival.at,
  }));
  const deliveries = deliveryFindings({
    accepted: [...scheduler.accepted.values()],
    arrivals,
    disruptions: disruptor.disruptions,
    attemptDeadlineMs: attemptDeadline,
    settleMs: settings.settleMs,
  });
  return {
    settings,
    scheduledFrom,
    dueFrom,
    dueUntil: dueFrom + settings.dueSpanMs,
    finishedAt: Date.now(),
    scheduling: {
      ...scheduler.counts,
      attempted: load.attempted,
      maxLagMs: load.maxLagMs,
      acceptLatencyMs: distribution(load.latenciesMs),
      errors: load.errors,
      workflowsInTemporal: await stack.countHooks(),
    },
    disruptions: disruptor.disruptions,
    deliveries,
  };
}

/**
 * Waits until every accepted hook has arrived and the attempts in flight at the last kill have had their
 * deadline to be made again, keeping crashed processes running meanwhile; at most `timeoutMs`.
 */
async function drain(
  receiver: TestReceiver,
  scheduler: IdempotentScheduler,
  disruptor: Disruptor,
  timeoutMs: number,
  attemptDeadline: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const arrived = new Set<string>();
  let read = 0;
  while (Date.now() < deadline) {
    await disruptor.reviveCrashed();
    for (; read < receiver.arrivals.length; read++) {
      arrived.add(String(receiver.arrivals[read]?.headers['webhook-id']));
    }
    const repeatsDueBy = (disruptor.lastAttemptCutAt() ?? 0) + attemptDeadline + REPEAT_MARGIN_MS;
    const allArrived = [...scheduler.accepted.keys()].every((id) => arrived.has(id));
    if (allArrived && Date.now() >= repeatsDueBy) return;
    await sleep(DRAIN_POLL_MS);
  }
}
