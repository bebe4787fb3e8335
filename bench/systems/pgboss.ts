import PgBoss from 'pg-boss';
import { startBenchChild } from '../child-process';
import { processTreeProbe } from '../process-stats';
import { deliveryBody, postHook } from './delivery';
import { DELIVERY_CONCURRENCY, RETRY } from './delivery-policy';
import { configString, type ProcessConfig, type SystemDefinition } from './types';

interface HookJob {
  url: string;
  body: string;
}

const QUEUE = 'hooks';
/** pg-boss's fastest allowed polling; the default is every 2 s. */
const POLLING_INTERVAL_SECONDS = 0.5;
/** Polling workers per process (each work() call adds one) and jobs each fetches at a time. */
const WORKERS = 4;
const BATCH_SIZE = DELIVERY_CONCURRENCY / WORKERS;

function bossOptions(config: ProcessConfig): PgBoss.ConstructorOptions {
  return { connectionString: configString(config, 'postgres'), schema: configString(config, 'schema') };
}

export const pgbossSystem: SystemDefinition = {
  name: 'pgboss',
  setup:
    'pg-boss on the local PostgreSQL, in a schema of its own. Jobs sent with `startAfter` the due time; the ' +
    'queue retries 9 times (10 attempts) with `retryBackoff` from 30 s. One worker process with ' +
    `${WORKERS} polling workers (one \`work()\` call each, as the docs advise for concurrency), ` +
    `\`batchSize: ${BATCH_SIZE}\` and the shortest polling interval allowed, ${POLLING_INTERVAL_SECONDS} s; ` +
    'each job of a batch is POSTed concurrently with fetch and failed individually.',
  workerRole: 'worker',
  store: 'PostgreSQL relation size of the schema',
  needs: ['postgres'],

  async start(context) {
    const config = {
      postgres: context.services.postgres,
      schema: `bench_${context.instanceId}`,
      receiverUrl: context.receiverUrl,
    };
    // Installs the schema and the queue, then stays connected to measure and finally drop them.
    const admin = new PgBoss({ ...bossOptions(config), supervise: false, schedule: false, max: 2 });
    admin.on('error', () => {
      // Reported by the calls that fail; an idle-connection error here has no one to tell.
    });
    await admin.start();
    const dropSchema = async () => {
      await admin.getDb().executeSql(`DROP SCHEMA IF EXISTS ${config.schema} CASCADE`, []);
      await admin.stop({ graceful: false });
    };
    try {
      await admin.createQueue(QUEUE, {
        name: QUEUE,
        retryLimit: RETRY.attempts - 1,
        retryDelay: RETRY.firstDelayMs / 1000,
        retryBackoff: true,
      });
      const { rows: versionRows } = await admin.getDb().executeSql('SHOW server_version', []);
      const postgresVersion = String(
        (versionRows[0] as { server_version?: string } | undefined)?.server_version,
      );
      const worker = await startBenchChild({
        role: 'worker',
        script: 'bench/worker-main.ts',
        system: 'pgboss',
        config,
      });
      return {
        clientConfig: config,
        probes: [worker.probe, processTreeProbe('postgres', 'postgres')],
        async storeBytes() {
          // Tables (each queue is a partition) with their indexes and TOAST.
          const { rows } = await admin.getDb().executeSql(
            `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::text AS bytes
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relkind = 'r'`,
            [config.schema],
          );
          return Number((rows[0] as { bytes: string } | undefined)?.bytes ?? 0);
        },
        versions: { postgresql: postgresVersion },
        assertHealthy: () => {
          worker.assertRunning();
        },
        async stop() {
          await worker.stop();
          await dropSchema();
        },
      };
    } catch (error) {
      await dropSchema();
      throw error;
    }
  },

  async connectClient(config) {
    const receiverUrl = configString(config, 'receiverUrl');
    // A sending-only instance: maintenance and cron belong to the worker.
    const boss = new PgBoss({ ...bossOptions(config), supervise: false, schedule: false, migrate: false });
    boss.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
    await boss.start();
    return {
      async schedule(hook) {
        const id = `${hook.data.tag}-${hook.data.seq}`;
        const job: HookJob = { url: receiverUrl + hook.path, body: deliveryBody(id, hook.dueAt, hook.data) };
        const jobId = await boss.send(QUEUE, job, { startAfter: new Date(hook.dueAt) });
        if (jobId === null) throw new Error('pg-boss did not create the job');
      },
      close: () => boss.stop({ graceful: false }),
    };
  },

  async runWorker(config) {
    const boss = new PgBoss({ ...bossOptions(config), migrate: false });
    boss.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
    await boss.start();
    const handler = async (jobs: PgBoss.Job<HookJob>[]) => {
      await Promise.all(
        jobs.map(async (job) => {
          try {
            await postHook(job.data.url, job.data.body);
          } catch (error) {
            // pg-boss completes the whole batch when the handler returns; a failed job is failed first, alone,
            // so that only it is retried.
            await boss.fail(QUEUE, job.id, {
              message: error instanceof Error ? error.message : String(error),
            });
          }
        }),
      );
    };
    for (let i = 0; i < WORKERS; i++) {
      await boss.work<HookJob>(
        QUEUE,
        { batchSize: BATCH_SIZE, pollingIntervalSeconds: POLLING_INTERVAL_SECONDS },
        handler,
      );
    }
    return { stop: () => boss.stop({ graceful: true, timeout: 10_000 }) };
  },
};
