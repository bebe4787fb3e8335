import { cpuDelta, snapshotCpu } from '../process-stats';
import type { SuiteSettings } from '../settings';
import {
  AWAIT_LIMIT_MS,
  type Batch,
  collectDeliveries,
  metric,
  runDueTogether,
  scheduleSleeping,
  waitForQuiet,
} from './phases';
import type { Metric, Scenario, ScenarioContext } from './types';

const MIB = 1024 * 1024;

/** After the last delivery, time for trailing work (workflow completion, job bookkeeping) to be counted. */
function settleTimeoutMs(settings: SuiteSettings): number {
  return settings.mode === 'smoke' ? 1_000 : 10_000;
}

/** RSS of every process that reports one, by role. */
function rssByRole(context: ScenarioContext): Record<string, number> {
  const rss: Record<string, number> = {};
  for (const probe of context.stack.probes) {
    const bytes = probe.rssBytes();
    if (bytes !== undefined) rss[probe.role] = bytes;
  }
  return rss;
}

/** CPU seconds of each process over the whole life of a batch of hooks: scheduled, due together, delivered. */
async function measureCpu(context: ScenarioContext): Promise<{ batch: Batch; cpu: Record<string, number> }> {
  const { footprint } = context.settings;
  const probes = context.stack.probes;
  const before = snapshotCpu(probes);
  const { batch } = await runDueTogether(context, {
    tag: 'cpu',
    count: footprint.deliveries,
    label: 'deliveries measured for CPU',
    drainMs: footprint.drainMs,
  });
  await waitForQuiet(probes, settleTimeoutMs(context.settings));
  return { batch, cpu: cpuDelta(before, snapshotCpu(probes)) };
}

/** Memory and store size before and after many hooks were accepted and left sleeping. */
async function measureSleeping(context: ScenarioContext) {
  const { footprint } = context.settings;
  const { stack } = context;
  await waitForQuiet(stack.probes, footprint.quietTimeoutMs);
  const idleRss = rssByRole(context);
  const storeBefore = await stack.running.storeBytes();
  const { scheduled, dueAt } = await scheduleSleeping(context, {
    count: footprint.sleeping,
    dueInMs: footprint.sleepingDueInMs,
  });
  const quiet = await waitForQuiet(stack.probes, footprint.quietTimeoutMs);
  const sleepingRss = rssByRole(context);
  const storeAfter = await stack.running.storeBytes();
  // The figures are taken; hooks due soon (a smoke run) are now awaited and checked like any other.
  const batch = await collectDeliveries(context, scheduled, {
    label: 'sleeping hooks',
    awaitDelivery: footprint.sleepingDueInMs < AWAIT_LIMIT_MS,
    deadline: dueAt + footprint.drainMs,
  });
  return { batch, idleRss, sleepingRss, storeBefore, storeAfter, quiet };
}

export const footprintScenario: Scenario = {
  name: 'footprint',
  describe: (settings) =>
    `Footprint: CPU of every process over the life of ${settings.footprint.deliveries} hooks (scheduled, due ` +
    `together, delivered); then memory and store size with ${settings.footprint.sleeping} hooks sleeping.`,

  async run(context) {
    const { system } = context.stack;
    const cpu = await measureCpu(context);
    const sleeping = await measureSleeping(context);
    const delivered = Math.max(1, cpu.batch.delivery.check.arrived);
    const perThousand = (seconds: number) => (seconds / delivered) * 1000;
    const totalCpu = Object.values(cpu.cpu).reduce((sum, seconds) => sum + seconds, 0);
    const accepted = sleeping.batch.expected.size;
    const storeGrowth =
      sleeping.storeBefore === undefined || sleeping.storeAfter === undefined
        ? undefined
        : sleeping.storeAfter - sleeping.storeBefore;
    const workerRss = (rss: Record<string, number>) =>
      rss[system.workerRole] === undefined ? undefined : (rss[system.workerRole] ?? 0) / MIB;

    const metrics: Metric[] = [
      metric('cpu.total', 'CPU s per 1,000 deliveries, all processes', 's', perThousand(totalCpu), 'lower'),
      ...Object.entries(cpu.cpu).map(([role, seconds]) =>
        metric(`cpu.${role}`, `CPU s per 1,000 deliveries: ${role}`, 's', perThousand(seconds), 'lower'),
      ),
      metric(
        'rss.worker',
        `worker RSS with ${accepted} hooks sleeping`,
        'MiB',
        workerRss(sleeping.sleepingRss),
        'lower',
      ),
      metric('rss.worker.idle', 'worker RSS before', 'MiB', workerRss(sleeping.idleRss), 'lower'),
      ...Object.entries(sleeping.sleepingRss)
        .filter(([role]) => role !== system.workerRole)
        .map(([role, bytes]) =>
          metric(`rss.${role}`, `${role} RSS with hooks sleeping`, 'MiB', bytes / MIB, 'lower'),
        ),
      metric(
        'store.perHook',
        'store bytes per pending hook',
        'B',
        storeGrowth === undefined || accepted === 0 ? undefined : storeGrowth / accepted,
        'lower',
      ),
    ];
    const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
    return {
      metrics,
      summary:
        `CPU over ${cpu.batch.delivery.check.arrived} deliveries; ` +
        (system.store === undefined || sleeping.storeBefore === undefined || sleeping.storeAfter === undefined
          ? 'no store outside process memory'
          : `${system.store} ${mib(sleeping.storeBefore)} → ${mib(sleeping.storeAfter)} with ${accepted} hooks sleeping`),
      deliveries: [cpu.batch.delivery, sleeping.batch.delivery],
      warnings: sleeping.quiet
        ? []
        : [`${system.name}: still busy when memory was sampled; the figure may be taken mid-work.`],
      details: {
        cpuSeconds: cpu.cpu,
        delivered: cpu.batch.delivery.check.arrived,
        store: system.store ?? 'none: hooks live in process memory',
        storeBytes: { before: sleeping.storeBefore, after: sleeping.storeAfter, hooks: accepted },
        rssBytes: { idle: sleeping.idleRss, sleeping: sleeping.sleepingRss },
      },
    };
  },
};
