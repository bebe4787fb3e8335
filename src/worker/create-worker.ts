import {
  bundleWorkflowCode,
  type NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { createDeliveryActivities } from '../activities';
import { hookMetricsSinks } from './metrics-sinks';

const WORKFLOWS_PATH = require.resolve('../workflows');

/** Bundles the workflow code once; every worker started in this process reuses the bundle. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: Runtime.instance().logger });
}

export interface HookWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  workflowBundle: WorkflowBundle;
  activities: ReturnType<typeof createDeliveryActivities>;
  /** How long a stop waits for attempts in flight: the longest delivery timeout, and some. */
  shutdownGraceTimeMs: number;
}

/** A worker polling the hook task queue until stopped. */
export interface RunningWorker {
  /** Settles when the worker has stopped: after stop(), or by itself on a fatal error. */
  readonly done: Promise<void>;
  /** Stops polling, lets in-flight tasks finish, and resolves once the worker is down. */
  stop(): Promise<void>;
}

export async function startHookWorker(options: HookWorkerOptions): Promise<RunningWorker> {
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle,
    activities: options.activities,
    sinks: hookMetricsSinks(),
    // A stop (Ctrl-C, a rolling deploy) lets attempts in flight finish instead of cutting them off,
    // which would deliver them a second time after the restart. Each is bounded by its own timeout.
    shutdownGraceTime: options.shutdownGraceTimeMs,
  });
  const done = worker.run();
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
