import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { benchHook } from '../hook-target';
import type { HookScheduler } from '../systems/types';
import type { ClosedLoopPlan, LoadOutcome, LoadPlan, PacedPlan } from './protocol';

/** No single schedule call may hold up a run: past this it counts as failed. */
export const SCHEDULE_TIMEOUT_MS = 30_000;
const MAX_ERROR_MESSAGES = 5;

/** Collects what happened to each schedule call of one plan. */
class OutcomeRecorder {
  attempted = 0;
  readonly failedSeqs: number[] = [];
  readonly errors = new Set<string>();
  readonly latenciesMs: number[] = [];
  readonly startedAt = Date.now();

  async attempt(seq: number, call: () => Promise<void>): Promise<void> {
    this.attempted = Math.max(this.attempted, seq + 1);
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(new Error(`no answer within ${SCHEDULE_TIMEOUT_MS} ms`));
          }, SCHEDULE_TIMEOUT_MS);
        }),
      ]);
      this.latenciesMs.push(performance.now() - started);
    } catch (error) {
      this.failedSeqs.push(seq);
      if (this.errors.size < MAX_ERROR_MESSAGES) {
        this.errors.add(error instanceof Error ? error.message : String(error));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  finish(maxLagMs: number, stoppedEarly: boolean): LoadOutcome {
    return {
      attempted: this.attempted,
      failedSeqs: this.failedSeqs,
      errors: [...this.errors],
      latenciesMs: this.latenciesMs,
      startedAt: this.startedAt,
      finishedAt: Date.now(),
      maxLagMs,
      stoppedEarly,
    };
  }
}

async function runClosedLoop(
  scheduler: HookScheduler,
  plan: ClosedLoopPlan,
  signal: AbortSignal,
): Promise<LoadOutcome> {
  const recorder = new OutcomeRecorder();
  const deadline = recorder.startedAt + plan.timeLimitMs;
  let next = 0;
  const caller = async () => {
    while (!signal.aborted && next < plan.count && Date.now() < deadline) {
      const seq = next++;
      const dueAt = 'at' in plan.due ? plan.due.at : Date.now() + plan.due.inMs;
      await recorder.attempt(seq, () => scheduler.schedule(benchHook(plan.tag, seq, dueAt)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.count) }, caller));
  return recorder.finish(0, next < plan.count);
}

async function runPaced(
  scheduler: HookScheduler,
  plan: PacedPlan,
  signal: AbortSignal,
): Promise<LoadOutcome> {
  const recorder = new OutcomeRecorder();
  const deadline = recorder.startedAt + plan.timeLimitMs;
  const intervalMs = 1000 / plan.ratePerSec;
  const inFlight = new Set<Promise<void>>();
  let maxLagMs = 0;
  let firedWithoutWaiting = 0;
  let seq = 0;
  for (; seq < plan.count && !signal.aborted && Date.now() < deadline; seq++) {
    const fireAt = plan.startAt + seq * intervalMs;
    const waitMs = fireAt - Date.now();
    if (waitMs >= 1) {
      firedWithoutWaiting = 0;
      try {
        await sleep(waitMs, undefined, { signal });
      } catch {
        break;
      }
    } else if (++firedWithoutWaiting % 32 === 0) {
      // Behind the timetable: still let responses in, or the client would starve itself.
      await yieldToEventLoop();
    }
    while (inFlight.size >= plan.maxInFlight) await Promise.race(inFlight);
    maxLagMs = Math.max(maxLagMs, Date.now() - fireAt);
    const hook = benchHook(plan.tag, seq, plan.startAt + plan.leadMs + seq * intervalMs);
    const call = recorder.attempt(seq, () => scheduler.schedule(hook)).finally(() => inFlight.delete(call));
    inFlight.add(call);
  }
  await Promise.all(inFlight);
  return recorder.finish(maxLagMs, seq < plan.count);
}

export function runPlan(scheduler: HookScheduler, plan: LoadPlan, signal: AbortSignal): Promise<LoadOutcome> {
  return plan.kind === 'closed' ? runClosedLoop(scheduler, plan, signal) : runPaced(scheduler, plan, signal);
}
