import { distribution } from '../stats';
import { acceptRate, AWAIT_LIMIT_MS, metric, runBatch } from './phases';
import type { Scenario } from './types';

/** Schedule as fast as a fixed number of concurrent callers can, for a fixed time, hooks due later. */
export const acceptScenario: Scenario = {
  name: 'accept',
  describe: (settings) =>
    `Accept: ${settings.clientConcurrency} concurrent callers schedule hooks due ` +
    `${settings.accept.dueInMs / 1000} s later for ${settings.accept.durationMs / 1000} s ` +
    `(at most ${settings.accept.maxHooks} hooks).`,

  async run(context) {
    const { accept, clientConcurrency } = context.settings;
    const immediate = context.stack.system.acceptIsDelivery === true;
    const batch = await runBatch(
      context,
      {
        kind: 'closed',
        tag: context.tag('accept'),
        count: accept.maxHooks,
        concurrency: clientConcurrency,
        timeLimitMs: accept.durationMs,
        due: { inMs: immediate ? 0 : accept.dueInMs },
      },
      {
        label: 'accepted hooks',
        awaitDelivery: immediate || accept.dueInMs < AWAIT_LIMIT_MS,
        deadline: Date.now() + accept.durationMs + accept.dueInMs + AWAIT_LIMIT_MS,
      },
    );
    const latency = distribution(batch.outcome.latenciesMs);
    return {
      metrics: [
        metric('accepted', 'accepted per second', '/s', acceptRate(batch.outcome), 'higher'),
        metric('latency.p50', 'request latency p50', 'ms', latency.p50, 'lower'),
        metric('latency.p99', 'request latency p99', 'ms', latency.p99, 'lower'),
        metric('errors', 'failed schedule calls', '', batch.outcome.failedSeqs.length, 'lower'),
      ],
      deliveries: [batch.delivery],
      warnings: immediate
        ? ['bare-http has no queue: its "accept" is a complete delivery to the receiver.']
        : [],
      details: {
        accepted: batch.outcome.latenciesMs.length,
        seconds: (batch.outcome.finishedAt - batch.outcome.startedAt) / 1000,
        latencyMs: latency,
        errors: batch.outcome.errors,
      },
    };
  },
};
