import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, WorkflowBundle } from '@temporalio/worker';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { generateApiKey, hashApiKey } from '../../src/security/api-keys';
import { generateServerSecret } from '../../src/security/server-secret';
import { DEV_INTERNAL_TARGETS } from '../../src/config/dev-project';
import {
  type AppConfig,
  configSchema,
  type ProjectConfigInput,
  type WorkerConfigInput,
} from '../../src/config/schema';
import { generateSigningSecret } from '../../src/security/signing';
import type { DevServer } from '../../src/devserver/dev-server';
import type { HookState } from '../../src/domain/hook';
import { createLogger } from '../../src/lib/logger';
import { freePort } from '../../src/lib/ports';
import { composeApp, startEmbeddedTemporal, startWorker } from '../../src/main/compose';
import { connectClient, connectWorker } from '../../src/temporal/connection';
import type { RunningWorker } from '../../src/worker/create-worker';
import { loadWorkflowBundle } from '../../src/worker/workflow-bundle';
import { installTemporalRuntime } from '../../src/worker/runtime';
import { HookrelayClient, type ScheduleHookRequest } from '../../src/client';
import { injectFetch } from './inject-fetch';

export interface TestProject {
  id: string;
  apiKey: string;
  signingSecret: string;
}

export interface TestProjectSpec {
  id: string;
  baseUrl?: string;
  allowUrlTargets?: boolean;
  /** Default: loopback, where every test receiver listens (as the dev project allows it). */
  allowInternalTargets?: readonly string[];
  asyncHooks?: boolean;
  maxDataBytes?: number;
  deliveryTimeoutSecs?: number;
  retry?: ProjectConfigInput['retry'];
  endpoints?: ProjectConfigInput['endpoints'];
  sources?: ProjectConfigInput['sources'];
}

/** What a test may set of the stack's own configuration besides projects and worker. */
export interface TestStackOptions {
  /** Unset by default, as without a Temporal Web UI: hook reads then carry no link to it. */
  temporal?: { webUiUrl?: string };
}

let bundle: Promise<WorkflowBundle> | undefined;

/** Quiet unless HOOKRELAY_LOG_LEVEL asks for more. */
function testLogger() {
  return createLogger({ HOOKRELAY_LOG_LEVEL: process.env.HOOKRELAY_LOG_LEVEL ?? 'warn' });
}
let runtime: Promise<void> | undefined;

/**
 * A real embedded stack for integration tests: a Temporal dev server on free ports in a temp folder,
 * a worker, and the API (used through `app.inject`, no socket needed).
 */
export class TestStack {
  private worker: RunningWorker | undefined;

  private constructor(
    readonly config: AppConfig,
    readonly projects: Record<string, TestProject>,
    readonly devServer: DevServer,
    readonly client: Client,
    readonly app: FastifyInstance,
    private readonly workerConnection: NativeConnection,
    private readonly dataDir: string,
  ) {}

  static async start(
    projectSpecs: TestProjectSpec[],
    worker: WorkerConfigInput = {},
    options: TestStackOptions = {},
  ): Promise<TestStack> {
    runtime ??= installTemporalRuntime(testLogger());
    await runtime;
    bundle ??= loadWorkflowBundle();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hookrelay-test-'));
    const projects = Object.fromEntries(
      projectSpecs.map((spec) => [
        spec.id,
        { id: spec.id, apiKey: generateApiKey(), signingSecret: generateSigningSecret() },
      ]),
    );
    const { devServer, config } = await startEmbeddedTemporal(
      configSchema.parse({
        dataDir,
        callbackSecret: generateServerSecret(),
        devServer: { port: await freePort() },
        worker,
        temporal: { namespace: 'hookrelay-test', taskQueue: 'hooks-test', ...options.temporal },
        projects: projectSpecs.map((spec) => ({
          allowInternalTargets: DEV_INTERNAL_TARGETS,
          ...spec,
          apiKeyHashes: [hashApiKey(projects[spec.id]?.apiKey ?? '')],
          signingSecrets: [projects[spec.id]?.signingSecret],
        })),
      }),
      { ui: false },
    );
    const client = await connectClient(config.temporal);
    const app = await composeApp(config, client, { logger: false });
    const workerConnection = await connectWorker(config.temporal);
    const stack = new TestStack(config, projects, devServer, client, app, workerConnection, dataDir);
    await stack.startWorker();
    return stack;
  }

  async startWorker(): Promise<void> {
    if (this.worker) return;
    this.worker = await startWorker(
      this.config,
      this.workerConnection,
      await (bundle as Promise<WorkflowBundle>),
      testLogger(),
    );
  }

  async stopWorker(): Promise<void> {
    await this.worker?.stop();
    this.worker = undefined;
  }

  /** An API request as the given project. */
  request(
    projectId: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const apiKey = this.projects[projectId]?.apiKey ?? 'unknown';
    return this.app.inject({
      method,
      url,
      headers: { 'x-api-key': apiKey, ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  }

  /** The typed client, acting as the given project, on the in-process API. */
  api(projectId: string): HookrelayClient {
    return new HookrelayClient({
      baseUrl: 'http://api.test',
      apiKey: this.projects[projectId]?.apiKey ?? 'unknown',
      fetch: injectFetch(this.app),
    });
  }

  async schedule(projectId: string, body: ScheduleHookRequest): Promise<HookState> {
    return (await this.api(projectId).hooks.schedule(body)).hook;
  }

  async getHook(projectId: string, hookId: string): Promise<HookState> {
    return this.api(projectId).hooks.get(hookId);
  }

  /** Polls the hook until `predicate` holds, or fails after the timeout with the last state seen. */
  async waitForHook(
    projectId: string,
    hookId: string,
    predicate: (hook: HookState) => boolean,
    timeoutMs = 20_000,
  ): Promise<HookState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hook = await this.getHook(projectId, hookId);
      if (predicate(hook)) return hook;
      if (Date.now() > deadline)
        throw new Error(`hook never reached the expected state: ${JSON.stringify(hook)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async close(): Promise<void> {
    await this.stopWorker();
    await this.app.close();
    await this.client.connection.close();
    await this.workerConnection.close();
    await this.devServer.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
