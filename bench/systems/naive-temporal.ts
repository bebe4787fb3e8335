import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { type DevServerOptions, startDevServer } from '../../src/devserver/dev-server';
import { freePort } from '../../src/lib/ports';
import { obtainTemporalCli, TEMPORAL_CLI_VERSION } from '../../src/devserver/temporal-cli';
import { startBenchChild } from '../child-process';
import type { NaiveActivities, naiveHookWorkflow } from '../naive-workflow';
import { pidProbe } from '../process-stats';
import { deliveryBody, postHook } from './delivery';
import { sqliteBytes } from './dev-server-store';
import { configString, type SystemDefinition } from './types';

const NAMESPACE = 'naive';
const TASK_QUEUE = 'naive-hooks';
const WORKFLOWS_PATH = require.resolve('../naive-workflow');

/** The dev server's settings beyond its binary: what tells naive-temporal and naive-temporal-tuned apart. */
export type NaiveServerSettings = Pick<DevServerOptions, 'dynamicConfig' | 'sqlitePragmas'>;

/**
 * The workflow a team would write on Temporal, on a dev server with `server` settings. One definition
 * for both rows, so that they differ in the server's settings alone: the workflow, the worker and the
 * client are the same code.
 */
export function naiveTemporal(variant: {
  name: 'naive-temporal' | 'naive-temporal-tuned';
  /** How the dev server is set up, for the report. */
  serverSetup: string;
  server: NaiveServerSettings;
}): SystemDefinition {
  return {
    name: variant.name,
    setup:
      `${variant.serverSetup} No search attributes. The workflow sleeps until due, then runs one activity ` +
      "that POSTs with fetch; Temporal retries the activity with hookrelay's policy. The worker uses the " +
      "SDK's default slots, as hookrelay's does. The application starts workflows with the Temporal client " +
      'directly.',
    workerRole: 'worker',
    store: 'dev-server SQLite (db + WAL)',
    needs: [],
    usesTemporalCli: true,

    async start(context) {
      const dataDir = path.join(context.workDir, 'naive-temporal');
      const devServer = await startDevServer({
        binary: await obtainTemporalCli(),
        dataDir,
        port: await freePort(),
        namespace: NAMESPACE,
        searchAttributes: {},
        ...variant.server,
      });
      const config = { address: devServer.address, receiverUrl: context.receiverUrl };
      try {
        const worker = await startBenchChild({
          role: 'worker',
          script: 'bench/worker-main.ts',
          system: variant.name,
          config,
        });
        return {
          clientConfig: config,
          probes: [worker.probe, pidProbe('dev-server', devServer.pid)],
          storeBytes: () => sqliteBytes(dataDir),
          versions: { 'temporal-cli': TEMPORAL_CLI_VERSION },
          assertHealthy: () => {
            worker.assertRunning();
          },
          async stop() {
            await worker.stop();
            await devServer.stop();
          },
        };
      } catch (error) {
        await devServer.stop();
        throw error;
      }
    },

    async connectClient(config) {
      const receiverUrl = configString(config, 'receiverUrl');
      const connection = await Connection.connect({ address: configString(config, 'address') });
      const client = new Client({ connection, namespace: NAMESPACE });
      return {
        async schedule(hook) {
          const id = `${hook.data.tag}-${hook.data.seq}`;
          await client.workflow.start<typeof naiveHookWorkflow>('naiveHookWorkflow', {
            taskQueue: TASK_QUEUE,
            workflowId: id,
            args: [
              {
                url: receiverUrl + hook.path,
                dueAt: hook.dueAt,
                body: deliveryBody(id, hook.dueAt, hook.data),
              },
            ],
          });
        },
        close: () => connection.close(),
      };
    },

    async runWorker(config) {
      // SDK logs at WARN: nothing per hook, like the other systems.
      Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
      const connection = await NativeConnection.connect({ address: configString(config, 'address') });
      const activities: NaiveActivities = { postHook: (input) => postHook(input.url, input.body) };
      const worker = await Worker.create({
        connection,
        namespace: NAMESPACE,
        taskQueue: TASK_QUEUE,
        workflowsPath: WORKFLOWS_PATH,
        activities,
      });
      const running = worker.run();
      return {
        async stop() {
          worker.shutdown();
          await running;
          await connection.close();
        },
      };
    },
  };
}

export const naiveTemporalSystem = naiveTemporal({
  name: 'naive-temporal',
  serverSetup:
    "The Temporal dev server binary hookrelay embeds, with the CLI's own settings (SQLite, headless).",
  server: {},
});
