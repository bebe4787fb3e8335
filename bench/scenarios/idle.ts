import { distribution } from '../stats';
import { latenessMetrics, latenessOf, runPaced, waitForQuiet } from './phases';
import type { Scenario } from './types';

/**
 * One hook at a time on an otherwise idle stack: how late a single hook arrives when nothing else is
 * going on. The other scenarios load the system; this is the floor their lateness starts from, set by
 * how the system notices that a hook is due (a timer, a blocking pop, a poll) and by one delivery's path.
 */
export const idleScenario: Scenario = {
  name: 'idle',
  describe: ({ idle }) =>
    `Idle: ${idle.hooks} hooks spread evenly over ${idle.durationMs / 1000} s on an otherwise idle stack, ` +
    `each scheduled ${idle.leadMs / 1000} s before it is due.`,

  async run(context) {
    const { idle } = context.settings;
    const { stack } = context;
    // The warm-up's trailing work (workflow completions, job bookkeeping) must not delay the first hooks.
    const quiet = await waitForQuiet(stack.probes, idle.quietTimeoutMs);
    const batch = await runPaced(context, {
      tag: context.tag('idle'),
      label: 'idle hooks',
      ratePerSec: idle.hooks / (idle.durationMs / 1000),
      count: idle.hooks,
      startAt: Date.now() + 200,
      leadMs: idle.leadMs,
      // One call at a time is all an idle application makes.
      maxInFlight: 1,
      drainMs: idle.drainMs,
    });
    const lateness = distribution(latenessOf(batch));
    const { check } = batch.delivery;
    const slowestCallMs = Math.max(0, ...batch.outcome.latenciesMs);
    const warnings: string[] = [];
    if (!quiet) {
      warnings.push(`${stack.system.name}: still busy from the warm-up when the first hook was scheduled.`);
    }
    if (slowestCallMs > idle.leadMs) {
      warnings.push(
        `${stack.system.name}: a schedule call took ${Math.round(slowestCallMs)} ms, longer than the ` +
          `${idle.leadMs} ms lead, so lateness includes time spent scheduling.`,
      );
    }
    return {
      metrics: latenessMetrics(lateness),
      deliveries: [batch.delivery],
      warnings,
      summary:
        `${check.arrived} of ${check.expected} arrived, ${check.duplicates} duplicates; ` +
        `schedule calls took at most ${Math.round(slowestCallMs)} ms`,
      details: {
        latenessMs: lateness,
        scheduleLatencyMs: distribution(batch.outcome.latenciesMs),
        maxScheduleLagMs: batch.outcome.maxLagMs,
      },
    };
  },
};
