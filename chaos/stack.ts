import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AppConfig, configSchema } from '../src/config/schema';
import type { DevServer } from '../src/devserver/dev-server';
import { freePort } from '../src/lib/ports';
import { startEmbeddedTemporal } from '../src/main/compose';
import { generateApiKey, hashApiKey } from '../src/security/api-keys';
import { generateServerSecret } from '../src/security/server-secret';
import { generateSigningSecret } from '../src/security/signing';
import { connectClient } from '../src/temporal/connection';
import { ChildHandle, withoutConfigOverrides } from '../bench/child-process';
import { answersOk, waitFor } from '../bench/wait';

/** The processes a chaos run kills: hookrelay's two entry points and the Temporal server under them. */
export type StackPart = 'worker' | 'api' | 'temporal';
export type ProcessRole = Exclude<StackPart, 'temporal'>;

export const PROCESS_ROLES: readonly ProcessRole[] = ['worker', 'api'];

const PROJECT_ID = 'chaos';
const READY_TIMEOUT_MS = 60_000;

export interface ChaosStackOptions {
  /** Where every hook is delivered; hooks name a path under it. */
  receiverUrl: string;
  deliveryTimeoutSecs: number;
  log: (line: string) => void;
}

/**
 * hookrelay as production runs it, on one machine: `npm run worker` and `npm run api` as child processes
 * (the real entry points, reading one config file), against the embedded Temporal dev server on a SQLite
 * file in a temporary folder. Everything listens on 127.0.0.1, on free ports. Each part can be killed
 * with SIGKILL and started again on the same ports and the same database.
 */
export class ChaosStack {
  readonly projectId = PROJECT_ID;
  private readonly children: Partial<Record<ProcessRole, ChildHandle>> = {};

  private constructor(
    readonly apiUrl: string,
    readonly apiKey: string,
    private readonly dataDir: string,
    /** The config before it names a Temporal address: the dev server restarts from it. */
    private readonly serverConfig: AppConfig,
    private readonly childEnv: NodeJS.ProcessEnv,
    private readonly workerMetricsUrl: string,
    private devServer: DevServer,
  ) {}

  static async start(options: ChaosStackOptions): Promise<ChaosStack> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hookrelay-chaos-'));
    let stack: ChaosStack;
    try {
      stack = await ChaosStack.withServer(dataDir, options);
    } catch (error) {
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
    try {
      await Promise.all(PROCESS_ROLES.map((role) => stack.restart(role)));
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** The config, its file for the child processes, and the Temporal server they talk to. */
  private static async withServer(dataDir: string, options: ChaosStackOptions): Promise<ChaosStack> {
    const apiKey = generateApiKey();
    const apiPort = await freePort();
    const metricsPort = await freePort();
    const fileConfig = {
      dataDir,
      api: { host: '127.0.0.1', port: apiPort },
      callbackSecret: generateServerSecret(),
      worker: { metricsHost: '127.0.0.1', metricsPort },
      devServer: { port: await freePort() },
      temporal: { namespace: 'hookrelay-chaos', taskQueue: 'hookrelay-chaos' },
      projects: [
        {
          id: PROJECT_ID,
          apiKeyHashes: [hashApiKey(apiKey)],
          signingSecrets: [generateSigningSecret()],
          baseUrl: options.receiverUrl,
          // The receiver listens on loopback, where deliveries are refused unless allowed.
          allowInternalTargets: ['127.0.0.1'],
          deliveryTimeoutSecs: options.deliveryTimeoutSecs,
        },
      ],
    };
    const serverConfig = configSchema.parse(fileConfig);
    const { devServer, config } = await startEmbeddedTemporal(serverConfig, { ui: false, log: options.log });
    const configFile = path.join(dataDir, 'hookrelay.json');
    await writeFile(configFile, JSON.stringify({ ...fileConfig, temporal: config.temporal }, null, 2));
    return new ChaosStack(
      `http://127.0.0.1:${apiPort}`,
      apiKey,
      dataDir,
      serverConfig,
      // Info would log every status change of every hook; the run reads nothing from the logs.
      { ...withoutConfigOverrides(process.env), HOOKRELAY_CONFIG: configFile, HOOKRELAY_LOG_LEVEL: 'warn' },
      `http://127.0.0.1:${metricsPort}/metrics`,
      devServer,
    );
  }

  /**
   * How the process of `role` ended, if it is not running. A kill is always followed by a restart, so a
   * process found ended has died by itself.
   */
  crashReport(role: ProcessRole): string | undefined {
    try {
      this.children[role]?.assertRunning();
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** SIGKILL, as a crash or an out-of-memory kill would; resolves once the process has exited. */
  async kill(part: StackPart): Promise<void> {
    if (part === 'temporal') await this.devServer.kill();
    else await this.children[part]?.kill();
  }

  /**
   * Starts the part again and resolves once it is ready: the worker serves its metrics (it has connected
   * and polls), the API answers /readyz; after the Temporal server, once the API reaches it again.
   */
  async restart(part: StackPart): Promise<void> {
    if (part === 'temporal') {
      // The same config, hence the same data folder, SQLite file and port: what the server had committed is back.
      ({ devServer: this.devServer } = await startEmbeddedTemporal(this.serverConfig, { ui: false }));
      await this.waitUntilReady('api');
      return;
    }
    this.children[part] = ChildHandle.start({
      role: part,
      script: `src/main/${part}.ts`,
      env: this.childEnv,
    });
    await this.waitUntilReady(part);
  }

  /** Hook workflows Temporal holds, from its visibility store. */
  async countHooks(): Promise<number> {
    const client = await connectClient({ ...this.serverConfig.temporal, address: this.devServer.address });
    try {
      // Endpoint and alert workflows live in the same namespace: only hooks are counted.
      return (await client.workflow.count(`WorkflowType = 'hookWorkflow'`)).count;
    } finally {
      await client.connection.close();
    }
  }

  /** The API first (no new hooks), then the worker, then the server; the temporary folder goes last. */
  async stop(): Promise<void> {
    for (const role of [...PROCESS_ROLES].reverse()) await this.children[role]?.stop();
    await this.devServer.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async waitUntilReady(role: ProcessRole): Promise<void> {
    const child = this.children[role];
    const url = role === 'api' ? `${this.apiUrl}/readyz` : this.workerMetricsUrl;
    await waitFor(() => answersOk(url), {
      timeoutMs: READY_TIMEOUT_MS,
      what: `the ${role} to be ready`,
      pollMs: 100,
      check: () => child?.assertRunning(),
    });
  }
}
