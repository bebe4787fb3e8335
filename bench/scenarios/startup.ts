import path from 'node:path';
import { distribution } from '../stats';
import { metric } from './phases';
import type { Scenario } from './types';

/**
 * How long the product's own start command takes to be ready on a machine where it has run before
 * (the Temporal CLI built, the workflow bundle cached, the data folder created): what a developer waits
 * for at every restart. The first start is cold and not counted.
 */
export const startupScenario: Scenario = {
  name: 'startup',
  describe: ({ startup }) =>
    `Startup: the system's own start command (\`npm start\` for hookrelay) run ${startup.warmStarts} times ` +
    'after a first start on the same data folder; the time until it says it is running. Only systems ' +
    'with a start command of their own take part.',
  appliesTo: (system) => system.timeStart !== undefined,

  async run(context) {
    const { system, workDir } = context.stack;
    const { timeStart } = system;
    if (!timeStart) throw new Error(`${system.name} has no start command of its own`);
    const dataDir = path.join(workDir, 'startup');
    const coldMs = await timeStart(dataDir);
    context.log(`cold start ${Math.round(coldMs)} ms`);
    const warmMs: number[] = [];
    for (let run = 0; run < context.settings.startup.warmStarts; run++) {
      warmMs.push(await timeStart(dataDir));
    }
    const warm = distribution(warmMs);
    return {
      metrics: [
        metric('warm.p50', 'warm start, median', 's', warm.p50 / 1000, 'lower'),
        metric('warm.max', 'warm start, slowest', 's', warm.max / 1000, 'lower'),
      ],
      deliveries: [],
      warnings: [],
      summary: `first start ${(coldMs / 1000).toFixed(1)} s; warm starts ${warmMs.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s`,
      details: { coldMs, warmMs },
    };
  },
};
