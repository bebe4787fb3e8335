import {
  bundleWorkflowCode,
  type NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { Agent } from 'undici';
import { createDeliveryActivities } from '../activities';
import type { AppConfig } from '../config/schema';
import { observeAttemptTiming } from '../metrics/hook-metrics';
import { VERSION } from '../version';
import { hookMetricsSinks } from './metrics-sinks';

const WORKFLOWS_PATH = require.resolve('../workflows');

/** Bundles the workflow code once; every worker started in this process reuses the bundle. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: Runtime.instance().logger });
}

export interface HookWorkerOptions {
  connection: NativeConnection;
  config: Pick<AppConfig, 'projects' | 'temporal' | 'api' | 'callbackSecret'>;
  workflowBundle: WorkflowBundle;
}

/** A worker polling the hook task queue until stopped. */
export interface RunningWorker {
  /** Settles when the worker has stopped: after stop(), or by itself on a fatal error. */
  readonly done: Promise<void>;
  /** Stops polling, lets in-flight tasks finish, and resolves once the worker is down. */
  stop(): Promise<void>;
}

export async function startHookWorker({
  connection,
  config,
  workflowBundle,
}: HookWorkerOptions): Promise<RunningWorker> {
  const secretsByProject = new Map(config.projects.map((project) => [project.id, project.signingSecrets]));
  // Keep-alive connections shared by every attempt this worker makes.
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: 256 });
  const activities = createDeliveryActivities({
    signingSecrets: (projectId) => secretsByProject.get(projectId),
    userAgent: `hookrelay/${VERSION}`,
    dispatcher,
    callbacks: { publicUrl: config.api.publicUrl, secret: config.callbackSecret },
    observeTiming: observeAttemptTiming,
  });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle,
    activities,
    sinks: hookMetricsSinks,
    // A stop (Ctrl-C, a rolling deploy) lets attempts in flight finish instead of cutting them off,
    // which would deliver them a second time after the restart. Each is bounded by its own timeout.
    shutdownGraceTime:
      Math.max(...config.projects.map((project) => project.deliveryTimeoutSecs)) * 1000 + 5_000,
  });
  const done = worker.run().finally(() => dispatcher.close());
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
