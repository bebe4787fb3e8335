import { type NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { WorkerActivities } from '../activities';
import { WORKFLOW_TASK_POLLS, workflowTaskSlots } from '../config/schema';
import { hookMetricsSinks } from './metrics-sinks';

export interface HookWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  workflowBundle: WorkflowBundle;
  activities: WorkerActivities;
  /** How long a stop waits for attempts in flight: the longest delivery timeout, and some. */
  shutdownGraceTimeMs: number;
  maxConcurrentAttempts: number;
  maxCachedWorkflows: number;
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
    // A sync hook's attempt is a local activity, which holds its workflow task's slot while it runs; the
    // polls need slots of their own.
    maxConcurrentWorkflowTaskExecutions: workflowTaskSlots(options.maxConcurrentAttempts),
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: WORKFLOW_TASK_POLLS },
    maxConcurrentLocalActivityExecutions: options.maxConcurrentAttempts,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentAttempts,
    maxCachedWorkflows: options.maxCachedWorkflows,
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
