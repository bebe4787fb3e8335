import { distribution } from '../stats';
import { acceptRate, latenessMetrics, latenessOf, metric, runDueTogether } from './phases';
import type { Scenario } from './types';

/** Many hooks due at the same instant: how fast the system works off the pile. */
export const burstScenario: Scenario = {
  name: 'burst',
  describe: (settings) =>
    `Burst: ${settings.burst.hooks} hooks all due at the same instant, scheduled beforehand by ` +
    `${settings.clientConcurrency} concurrent callers.`,

  async run(context) {
    const { burst } = context.settings;
    const { batch, dueAt, leadMs } = await runDueTogether(context, {
      tag: 'burst',
      count: burst.hooks,
      label: 'burst',
      drainMs: burst.drainMs,
    });
    const lateness = distribution(latenessOf(batch));
    const arrived = batch.delivery.check.arrived;
    const lastMs = arrived > 0 ? batch.arrivals.lastAt - dueAt : Number.NaN;
    const warnings: string[] = [];
    if (batch.outcome.finishedAt > dueAt) {
      warnings.push(
        `${context.stack.system.name}: scheduling ended ${batch.outcome.finishedAt - dueAt} ms after the due ` +
          'instant, so lateness includes time spent scheduling.',
      );
    }
    return {
      metrics: [
        metric('last', 'time until the last arrives', 's', lastMs / 1000, 'lower'),
        metric('rate', 'deliveries per second', '/s', arrived / Math.max(0.001, lastMs / 1000), 'higher'),
        ...latenessMetrics(lateness),
      ],
      deliveries: [batch.delivery],
      warnings,
      summary:
        `scheduled in ${((batch.outcome.finishedAt - batch.outcome.startedAt) / 1000).toFixed(1)} s ` +
        `(${Math.round(acceptRate(batch.outcome))}/s), due ${(leadMs / 1000).toFixed(1)} s after the first call`,
      details: {
        leadMs,
        scheduledInMs: batch.outcome.finishedAt - batch.outcome.startedAt,
        scheduleRate: acceptRate(batch.outcome),
        latenessMs: lateness,
      },
    };
  },
};
