import { type Distribution, distribution } from '../stats';
import { type Batch, latenessOf, metric, runPaced } from './phases';
import type { DeliveryReport, Metric, Scenario, ScenarioContext } from './types';

/** One rate held for the scenario's duration. */
interface Step {
  rate: number;
  planned: number;
  passed: boolean;
  /** Stopped as soon as more hooks were late than the 99th percentile allows. */
  stoppedEarly: boolean;
  lateness: Distribution;
  /** How far the client fell behind its timetable (the system did not accept fast enough). */
  maxScheduleLagMs: number;
  delivery: DeliveryReport;
}

const MONITOR_INTERVAL_MS = 250;

function rateLabel(rate: number): string {
  return `rate-${String(rate).replace('.', 'p')}`;
}

/**
 * Aborts the step once its p99 can no longer stay under the limit: more hooks are already later than
 * the limit (or still missing past it) than the 1 % a 99th percentile tolerates. That bounds the time
 * an overloaded system spends on a rate it cannot hold.
 */
function watchLateness(
  context: ScenarioContext,
  tag: string,
  step: { rate: number; count: number; startAt: number },
  controller: AbortController,
): NodeJS.Timeout {
  const { leadMs, lateLimitMs } = context.settings.steady;
  const arrivals = context.receiver.track(tag);
  const tolerated = step.count - Math.ceil(0.99 * step.count);
  return setInterval(() => {
    const lastOverdueSeq = Math.min(
      step.count - 1,
      Math.floor(((Date.now() - lateLimitMs - step.startAt - leadMs) * step.rate) / 1000),
    );
    if (lastOverdueSeq < 0) return;
    let onTime = 0;
    for (const record of arrivals.records.values()) {
      if (record.seq <= lastOverdueSeq && record.firstAt - record.dueAt < lateLimitMs) onTime++;
    }
    if (lastOverdueSeq + 1 - onTime > tolerated) controller.abort();
  }, MONITOR_INTERVAL_MS);
}

async function runStep(context: ScenarioContext, rate: number): Promise<Step> {
  const { steady } = context.settings;
  const count = Math.max(1, Math.round((rate * steady.durationMs) / 1000));
  const startAt = Date.now() + 200;
  const tag = context.tag(rateLabel(rate));
  const controller = new AbortController();
  const monitor = watchLateness(context, tag, { rate, count, startAt }, controller);
  let batch: Batch;
  try {
    batch = await runPaced(context, {
      tag,
      label: `${rate}/s`,
      ratePerSec: rate,
      count,
      startAt,
      leadMs: steady.leadMs,
      maxInFlight: steady.maxInFlight,
      drainMs: steady.drainMs,
      signal: controller.signal,
    });
  } finally {
    clearInterval(monitor);
  }
  const lateness = distribution(latenessOf(batch));
  const stoppedEarly = batch.outcome.stoppedEarly;
  const passed = !stoppedEarly && lateness.p99 < steady.lateLimitMs;
  context.log(
    `${rate}/s: p99 lateness ${Number.isFinite(lateness.p99) ? `${Math.round(lateness.p99)} ms` : 'missing hooks'}` +
      `${stoppedEarly ? ' (stopped early)' : ''} → ${passed ? 'holds' : 'does not hold'}`,
  );
  context.receiver.forget(tag);
  return {
    rate,
    planned: count,
    passed,
    stoppedEarly,
    lateness,
    maxScheduleLagMs: batch.outcome.maxLagMs,
    delivery: batch.delivery,
  };
}

/**
 * Where to start: the highest rate at or below what the system delivered in the Burst, if that ran. A
 * system rarely sustains more than it can work off a pile at, so the search then needs two full steps
 * (the best rate and half of it) and one that fails early, wherever the system stands.
 */
function startIndex(context: ScenarioContext, rates: readonly number[]): number {
  const burstRate = context.earlier.burst?.metrics.find((m) => m.key === 'rate')?.value;
  if (!burstRate) return 0;
  let index = 0;
  rates.forEach((rate, i) => {
    if (rate <= burstRate) index = i;
  });
  return index;
}

/** A constant flow of hooks at increasing rates: the highest rate whose p99 lateness stays under the limit. */
export const steadyScenario: Scenario = {
  name: 'steady',
  describe: (settings) =>
    `Steady: hooks due at a constant rate for ${settings.steady.durationMs / 1000} s, each scheduled ` +
    `${settings.steady.leadMs / 1000} s before it is due, at rates from ${settings.steady.rates.join(', ')}/s ` +
    `(doubling, starting from the burst delivery rate, until p99 lateness reaches ${settings.steady.lateLimitMs} ms).`,

  async run(context) {
    const { rates, lateLimitMs } = context.settings.steady;
    const steps = new Map<number, Step>();
    const stepAt = async (rate: number): Promise<Step> => {
      const done = steps.get(rate);
      if (done) return done;
      const step = await runStep(context, rate);
      steps.set(rate, step);
      return step;
    };

    let index = startIndex(context, rates);
    let best: number | undefined;
    // Up while the rate holds, down while it does not; each rate is run at most once.
    for (;;) {
      const rate = rates[index];
      if (rate === undefined) break;
      const step = await stepAt(rate);
      if (step.passed) {
        best = index;
        const higher = rates[index + 1];
        if (higher === undefined || steps.has(higher)) break;
        index++;
      } else {
        const lower = rates[index - 1];
        if (lower === undefined || steps.has(lower)) break;
        index--;
      }
    }

    const bestRate = best === undefined ? undefined : rates[best];
    const atBest = bestRate === undefined ? undefined : steps.get(bestRate);
    const atHalf = bestRate === undefined ? undefined : await stepAt(bestRate / 2);
    const maxRate: Metric = metric(
      'maxRate',
      `highest rate with p99 lateness < ${lateLimitMs} ms`,
      '/s',
      bestRate ?? 0,
      'higher',
    );
    if (best === rates.length - 1) maxRate.atLeast = true;
    const ordered = [...steps.values()].sort((a, b) => a.rate - b.rate);
    return {
      metrics: [
        maxRate,
        metric('max.p99', 'lateness p99 at that rate', 'ms', atBest?.lateness.p99, 'lower'),
        metric('half.p50', 'lateness p50 at half that rate', 'ms', atHalf?.lateness.p50, 'lower'),
        metric('half.p99', 'lateness p99 at half that rate', 'ms', atHalf?.lateness.p99, 'lower'),
      ],
      deliveries: ordered.map((step) => step.delivery),
      summary: ordered
        .map((step) => {
          const p99 = Number.isFinite(step.lateness.p99)
            ? `p99 ${Math.round(step.lateness.p99)} ms`
            : 'hooks missing';
          return `${step.rate}/s ${step.passed ? '✓' : '✗'} ${p99}${step.stoppedEarly ? ', stopped early' : ''}`;
        })
        .join(' · '),
      warnings:
        bestRate === undefined ? [`${context.stack.system.name}: even ${rates[0] ?? 0}/s did not hold.`] : [],
      details: {
        steps: ordered.map(({ delivery, ...step }) => ({ ...step, arrived: delivery.check.arrived })),
      },
    };
  },
};
