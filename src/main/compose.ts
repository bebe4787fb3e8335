import type { Client } from '@temporalio/client';
import type { NativeConnection, WorkflowBundle } from '@temporalio/worker';
import type { FastifyBaseLogger, FastifyInstance, RouteOptions } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import {
  createAlertActivities,
  createBatchDeliveryActivities,
  createBatchJoinActivities,
  createDeliveryActivities,
  createFanoutActivities,
  createIngestActivities,
  createScheduleActivities,
} from '../activities';
import { createAlertSender } from '../alerts/alert-sender';
import { buildApp } from '../api/app';
import type { AppConfig } from '../config/schema';
import type { DevServer } from '../devserver/dev-server';
import { startHookDevServer } from '../devserver/hook-dev-server';
import { attemptDeadlineMs } from '../domain/delivery';
import { obtainTemporalCli } from '../devserver/temporal-cli';
import { EndpointTracker, endpointGrouping } from '../endpoints/endpoint-tracker';
import { countBatchSent } from '../metrics/batch-metrics';
import { countAlertSend } from '../metrics/endpoint-metrics';
import { observeAttemptTiming } from '../metrics/hook-metrics';
import { createGuardedAgent } from '../security/guarded-dispatcher';
import { ServerSecret } from '../security/server-secret';
import { TargetPolicy } from '../security/target-policy';
import { connectClient, connectWorker } from '../temporal/connection';
import { temporalFanoutStore } from '../temporal/fanout-store';
import { temporalHookStore } from '../temporal/hook-store';
import { temporalProjectSettingsStore } from '../temporal/project-settings-store';
import { temporalIngestStore } from '../temporal/ingest-store';
import { temporalScheduleStore } from '../temporal/schedule-store';
import { applyRetention } from '../temporal/namespace';
import { USER_AGENT } from '../version';
import { type RunningWorker, startHookWorker } from '../worker/create-worker';
import { loadWorkflowBundle } from '../worker/workflow-bundle';

/**
 * The composition root: the one place that wires config → Temporal connection → stores → API and worker.
 * Every entry point (src/main), the tests and the benchmark build hookrelay through these functions, so
 * what they run is what production runs.
 */

const DAY_MS = 86_400_000;

/** The HTTP app over a Temporal client; it makes no call to Temporal until a request needs one. */
export function composeApp(
  config: AppConfig,
  client: Client,
  options: { logger: FastifyBaseLogger | false; onRoute?: (route: RouteOptions) => void },
): Promise<FastifyInstance> {
  const serverSecret = new ServerSecret(config.callbackSecret);
  const stores = { taskQueue: config.temporal.taskQueue, cursors: serverSecret };
  return buildApp({
    store: temporalHookStore(client, {
      taskQueue: config.temporal.taskQueue,
      // A failed hook stays retryable as long as Temporal keeps closed hooks, so both end together.
      retryWindowMs: config.temporal.retentionDays * DAY_MS,
      cursors: serverSecret,
      endpointGroupingOf: (projectId) => {
        const project = config.projects.find((candidate) => candidate.id === projectId);
        return project?.endpoints.tracking ? endpointGrouping(project) : undefined;
      },
    }),
    projectSettings: temporalProjectSettingsStore(client, {
      taskQueue: config.temporal.taskQueue,
      projectOf: (projectId) => config.projects.find((project) => project.id === projectId),
    }),
    fanout: temporalFanoutStore(client, stores),
    ingest: temporalIngestStore(client, stores),
    schedules: temporalScheduleStore(client, stores),
    projects: config.projects,
    callbackTokens: serverSecret,
    ...(config.temporal.webUiUrl
      ? { temporalWebUi: { url: config.temporal.webUiUrl, namespace: config.temporal.namespace } }
      : {}),
    logger: options.logger,
    onRoute: options.onRoute,
  });
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Connects to Temporal, applies the retention setting, and serves the API on the configured address. */
export async function startApi(config: AppConfig, logger: PinoLogger): Promise<RunningApi> {
  const client = await connectClient(config.temporal);
  await applyRetention(client, config.temporal.retentionDays, logger);
  const app = await composeApp(config, client, { logger });
  const url = await app.listen({ host: config.api.host, port: config.api.port });
  return {
    url,
    async close() {
      await app.close();
      await client.connection.close();
    },
  };
}

/** How long an alert channel may take to answer one send. */
const ALERT_SEND_TIMEOUT_MS = 20_000;

/**
 * The delivery worker on a connection: activities with their dependencies, and the workflow bundle; and
 * beside it, the client that feeds endpoint health and reads which endpoints hold their hooks.
 */
export async function startWorker(
  config: AppConfig,
  connection: NativeConnection,
  workflowBundle: WorkflowBundle,
  logger: PinoLogger,
): Promise<RunningWorker> {
  const secretsByProject = new Map(config.projects.map((project) => [project.id, project.signingSecrets]));
  // Keep-alive connections shared by every attempt of a project, each pool bound to its project's policy.
  const dispatchers = new Map(
    config.projects.map((project) => [
      project.id,
      createGuardedAgent(TargetPolicy.of(project.allowInternalTargets), {
        keepAliveTimeout: 10_000,
        connections: 256,
      }),
    ]),
  );
  const dispatcherFor = (projectId: string) => {
    const dispatcher = dispatchers.get(projectId);
    if (!dispatcher) throw new Error(`project "${projectId}" is not configured on this worker`);
    return dispatcher;
  };
  // Alerts to Slack and webhooks go through the project's own pool: only where its hooks may go.
  const alertSenders = new Map(
    config.projects.map((project) => [
      project.id,
      createAlertSender({
        dispatcher: dispatcherFor(project.id),
        userAgent: USER_AGENT,
        timeoutMs: ALERT_SEND_TIMEOUT_MS,
      }),
    ]),
  );
  const projectsById = new Map(config.projects.map((project) => [project.id, project]));
  const client = await connectClient(config.temporal);
  const endpoints = new EndpointTracker(config.projects, client, {
    taskQueue: config.temporal.taskQueue,
    reportIntervalMs: config.worker.endpointReportIntervalMs,
    stateRefreshMs: config.worker.endpointStateRefreshMs,
    logger,
  });
  await endpoints.start();
  // Fanned-out and scheduled hooks are started by the worker, as the API starts the others.
  const hookStarts = {
    client,
    projectOf: (projectId: string) => projectsById.get(projectId),
    taskQueue: config.temporal.taskQueue,
    retryWindowMs: config.temporal.retentionDays * DAY_MS,
  };
  const worker = await startHookWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle,
    activities: {
      ...createDeliveryActivities({
        signingSecrets: (projectId) => secretsByProject.get(projectId),
        userAgent: USER_AGENT,
        dispatcherFor,
        callbacks: { publicUrl: config.api.publicUrl, tokens: new ServerSecret(config.callbackSecret) },
        observeTiming: observeAttemptTiming,
        endpoints,
      }),
      ...createAlertActivities({
        channelsOf: (projectId) => projectsById.get(projectId)?.endpoints.alertChannels,
        senderFor: (projectId) => alertSenders.get(projectId),
        countSend: countAlertSend,
      }),
      ...createFanoutActivities(hookStarts),
      ...createScheduleActivities(hookStarts),
      ...createIngestActivities({
        ...hookStarts,
        fanout: temporalFanoutStore(client, {
          taskQueue: config.temporal.taskQueue,
          cursors: new ServerSecret(config.callbackSecret),
        }),
      }),
      ...createBatchJoinActivities({ client, taskQueue: config.temporal.taskQueue }),
      ...createBatchDeliveryActivities({
        signingSecrets: (projectId) => secretsByProject.get(projectId),
        userAgent: USER_AGENT,
        dispatcherFor,
        endpoints,
        countBatchSent,
      }),
    },
    maxConcurrentAttempts: config.worker.maxConcurrentAttempts,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    shutdownGraceTimeMs: attemptDeadlineMs(
      Math.max(...config.projects.map((project) => project.deliveryTimeoutSecs)) * 1000,
    ),
  });
  // Outcomes of the last attempts still go to their endpoints before the client closes.
  const done = worker.done.finally(async () => {
    await endpoints.stop();
    await client.connection.close();
    await Promise.all([...dispatchers.values()].map((dispatcher) => dispatcher.close()));
  });
  return { done, stop: () => worker.stop().finally(() => done) };
}

export interface RunningWorkerProcess {
  stop(): Promise<void>;
}

/** A worker with its own connection and the workflow bundle of this code: `npm run worker` and `npm start`. */
export async function startWorkerProcess(
  config: AppConfig,
  logger: PinoLogger,
): Promise<RunningWorkerProcess> {
  const connection = await connectWorker(config.temporal);
  const worker = await startWorker(config, connection, await loadWorkflowBundle(), logger);
  return {
    async stop() {
      await worker.stop();
      await connection.close();
    },
  };
}

/**
 * The embedded Temporal dev server for `config`, ready for hooks (namespace and search attributes), with
 * the Temporal CLI found or built first; and the config pointed at it, whatever TEMPORAL_ADDRESS says.
 */
export async function startEmbeddedTemporal(
  config: AppConfig,
  options: { ui: boolean; log?: (message: string) => void },
): Promise<{ devServer: DevServer; config: AppConfig }> {
  const devServer = await startHookDevServer({
    binary: await obtainTemporalCli({ log: options.log }),
    dataDir: config.dataDir,
    port: config.devServer.port,
    uiPort: options.ui ? config.devServer.uiPort : undefined,
    sqliteSynchronous: config.devServer.sqliteSynchronous,
    namespace: config.temporal.namespace,
  });
  const pointed = withTemporalAddress(config, devServer.address);
  return {
    devServer,
    config: {
      ...pointed,
      temporal: { ...pointed.temporal, webUiUrl: config.temporal.webUiUrl ?? devServer.uiUrl },
    },
  };
}

/** The config pointed at the Temporal server at `address`. */
export function withTemporalAddress(config: AppConfig, address: string): AppConfig {
  return { ...config, temporal: { ...config.temporal, address } };
}
