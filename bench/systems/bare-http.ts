import { postHook } from './delivery';
import { DELIVERY_CONCURRENCY } from './delivery-policy';
import { configString, type SystemDefinition } from './types';

/**
 * At most `limit` calls of `task` run at once; the rest wait in order. The bare client's stand-in for a
 * worker's slots, so that it hits the receiver with the same concurrency the queues deliver with.
 */
function limiter(limit: number): (task: () => Promise<void>) => Promise<void> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

export const bareHttpSystem: SystemDefinition = {
  name: 'bare-http',
  setup:
    'No scheduler: the client process keeps a timer per hook in memory and POSTs with fetch when it fires, ' +
    `at most ${DELIVERY_CONCURRENCY} at a time; a hook due now is POSTed before the call returns. Nothing ` +
    'is durable and nothing is retried: it is the limit of the delivery path on this machine.',
  workerRole: 'client',
  acceptIsDelivery: true,
  needs: [],

  start: (context) =>
    Promise.resolve({
      clientConfig: { receiverUrl: context.receiverUrl },
      probes: [],
      storeBytes: () => Promise.resolve(undefined),
      versions: {},
      assertHealthy: () => undefined,
      stop: () => Promise.resolve(),
    }),

  connectClient(config) {
    const receiverUrl = configString(config, 'receiverUrl');
    const limit = limiter(DELIVERY_CONCURRENCY);
    const timers = new Set<NodeJS.Timeout>();
    const deliver = (path: string, data: unknown) =>
      limit(() => postHook(receiverUrl + path, JSON.stringify(data)));
    return Promise.resolve({
      async schedule(hook) {
        const waitMs = hook.dueAt - Date.now();
        if (waitMs <= 0) {
          await deliver(hook.path, hook.data);
          return;
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          deliver(hook.path, hook.data).catch((error: unknown) => {
            process.stderr.write(`bare-http delivery failed: ${String(error)}\n`);
          });
        }, waitMs);
        timers.add(timer);
      },
      close() {
        for (const timer of timers) clearTimeout(timer);
        return Promise.resolve();
      },
    });
  },
};
