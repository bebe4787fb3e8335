import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startBenchChild } from '../child-process';
import { pidProbe } from '../process-stats';
import { deliveryBody, postHook } from './delivery';
import { DELIVERY_CONCURRENCY, RETRY } from './delivery-policy';
import { configNumber, configString, type ProcessConfig, type SystemDefinition } from './types';

interface HookJob {
  url: string;
  body: string;
}

function redisOptions(config: ProcessConfig) {
  return { host: configString(config, 'redisHost'), port: configNumber(config, 'redisPort') };
}

/** A field of `INFO <section>`. */
async function redisInfo(redis: Redis, section: string, field: string): Promise<string> {
  const info = await redis.info(section);
  const value = new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
  if (value === undefined) throw new Error(`Redis INFO ${section} has no ${field}`);
  return value;
}

export const bullmqSystem: SystemDefinition = {
  name: 'bullmq',
  setup:
    'BullMQ with ioredis on the local Redis. Delayed jobs (`delay` until due), 10 attempts with exponential ' +
    'backoff from 30 s; completed jobs removed (`removeOnComplete`), as the docs advise to keep Redis small. ' +
    `One worker process with \`concurrency: ${DELIVERY_CONCURRENCY}\` (the docs' advice for I/O-bound jobs) ` +
    'and `maxRetriesPerRequest: null`; the processor POSTs with fetch.',
  workerRole: 'worker',
  store: 'Redis used_memory',
  needs: ['redis'],

  async start(context) {
    const config = {
      redisHost: context.services.redis.host,
      redisPort: context.services.redis.port,
      queue: `bench-${context.instanceId}`,
      receiverUrl: context.receiverUrl,
    };
    const admin = new Redis({ ...redisOptions(config), lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
    try {
      const redisPid = Number(await redisInfo(admin, 'server', 'process_id'));
      const redisVersion = await redisInfo(admin, 'server', 'redis_version');
      const worker = await startBenchChild({
        role: 'worker',
        script: 'bench/worker-main.ts',
        system: 'bullmq',
        config,
      });
      return {
        clientConfig: config,
        probes: [worker.probe, pidProbe('redis', redisPid)],
        storeBytes: async () => Number(await redisInfo(admin, 'memory', 'used_memory')),
        versions: { redis: redisVersion },
        assertHealthy: () => {
          worker.assertRunning();
        },
        async stop() {
          await worker.stop();
          // Whatever is still delayed goes, so that Redis holds nothing of this run.
          const queue = new Queue(config.queue, { connection: redisOptions(config) });
          await queue.obliterate({ force: true });
          await queue.close();
          admin.disconnect();
        },
      };
    } catch (error) {
      admin.disconnect();
      throw error;
    }
  },

  async connectClient(config) {
    const receiverUrl = configString(config, 'receiverUrl');
    const queue = new Queue<HookJob>(configString(config, 'queue'), {
      connection: redisOptions(config),
      defaultJobOptions: {
        attempts: RETRY.attempts,
        backoff: { type: 'exponential', delay: RETRY.firstDelayMs },
        removeOnComplete: true,
        removeOnFail: 1000,
      },
    });
    await queue.waitUntilReady();
    return {
      async schedule(hook) {
        const id = `${hook.data.tag}-${hook.data.seq}`;
        await queue.add(
          'hook',
          { url: receiverUrl + hook.path, body: deliveryBody(id, hook.dueAt, hook.data) },
          { delay: Math.max(0, hook.dueAt - Date.now()) },
        );
      },
      close: () => queue.close(),
    };
  },

  async runWorker(config) {
    const worker = new Worker<HookJob>(
      configString(config, 'queue'),
      (job: Job<HookJob>) => postHook(job.data.url, job.data.body),
      {
        // Workers block on Redis; the docs require unlimited retries per request for them.
        connection: { ...redisOptions(config), maxRetriesPerRequest: null },
        concurrency: DELIVERY_CONCURRENCY,
      },
    );
    await worker.waitUntilReady();
    return { stop: () => worker.close() };
  },
};
