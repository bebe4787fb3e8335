import type { BenchHook } from '../hook-target';
import type { ProcessProbe } from '../process-stats';
import type { ServiceEndpoints, ServiceName } from '../services';

export const SYSTEM_NAMES = [
  'hookrelay',
  'hookrelay-before',
  'hookrelay-cluster',
  'hookrelay-untracked',
  'naive-temporal',
  'naive-temporal-tuned',
  'bullmq',
  'pgboss',
  'bare-http',
] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

/**
 * What runs unless `--systems` says otherwise: hookrelay-before is for comparing a change,
 * hookrelay-cluster (the real Temporal server on PostgreSQL) for a production-like row, and
 * hookrelay-untracked (endpoint health off) for the cost of endpoint health, on request.
 */
const ON_REQUEST: readonly SystemName[] = ['hookrelay-before', 'hookrelay-cluster', 'hookrelay-untracked'];
export const DEFAULT_SYSTEMS: readonly SystemName[] = SYSTEM_NAMES.filter(
  (name) => !ON_REQUEST.includes(name),
);

/** Settings handed to a child process: flat and JSON-safe. */
export type ProcessConfig = Readonly<Record<string, string | number>>;

/** The application side of a system: what an app calls to schedule a hook. Runs in the client process. */
export interface HookScheduler {
  /** Resolves once the system has accepted the hook (for hookrelay: the API answered 201). */
  schedule(hook: BenchHook): Promise<void>;
  close(): Promise<void>;
}

/** A worker we write ourselves for an alternative, running in its own process. */
export interface BenchWorker {
  stop(): Promise<void>;
}

export interface StartContext {
  /** Base URL of the receiver every hook is delivered to. */
  receiverUrl: string;
  /** Unique for each start: names queues, schemas and folders, so that no state leaks between runs. */
  instanceId: string;
  /** A temporary folder that the system may fill; removed by the suite afterwards. */
  workDir: string;
  services: ServiceEndpoints;
}

/** A started system: its processes, and what the client process needs to reach it. */
export interface RunningSystem {
  readonly clientConfig: ProcessConfig;
  /** Every process of the system (the client process is added by the suite). */
  readonly probes: readonly ProcessProbe[];
  /** Bytes the system's store holds now; undefined where hooks live only in process memory. */
  storeBytes(): Promise<number | undefined>;
  /** Versions of the servers it runs on, for the report. */
  readonly versions: Readonly<Record<string, string>>;
  /** Throws, with its output, if one of the system's processes has died. */
  assertHealthy(): void;
  stop(): Promise<void>;
}

/** One system under test: how to start it, and its application and worker sides. */
export interface SystemDefinition {
  readonly name: SystemName;
  /** How it is set up and why, for the report. */
  readonly setup: string;
  /** The process whose memory is reported as the worker's. */
  readonly workerRole: string;
  /** What storeBytes measures, if anything. */
  readonly store?: string;
  /** Without a queue in between, accepting a hook that is due now means delivering it. */
  readonly acceptIsDelivery?: boolean;
  readonly needs: readonly ServiceName[];
  /** Serves this checkout's dashboard at /ui (the Dashboard scenario measures its pages). */
  readonly servesDashboard?: boolean;
  /** Receives webhooks at /v1/ingest/<BENCH_INGEST_SOURCE> (the Ingest scenario measures its answers). */
  readonly receivesWebhooks?: boolean;
  /** Runs on the Temporal CLI's dev server, which the suite finds or builds before any timed step. */
  readonly usesTemporalCli?: boolean;
  /** Finds or builds what it runs on; the suite calls it once, before any system starts. */
  prepare?(): Promise<void>;
  start(context: StartContext): Promise<RunningSystem>;
  /**
   * For a product with a start command of its own: runs it on `dataDir` until it is ready, stops it,
   * and returns the milliseconds it took to be ready.
   */
  readonly timeStart?: (dataDir: string) => Promise<number>;
  connectClient(config: ProcessConfig): Promise<HookScheduler>;
  /** For systems whose worker is benchmark code; hookrelay runs its own entry point instead. */
  runWorker?(config: ProcessConfig): Promise<BenchWorker>;
}

export function configString(config: ProcessConfig, key: string): string {
  const value = config[key];
  if (typeof value !== 'string') throw new Error(`process config: "${key}" must be a string`);
  return value;
}

export function configNumber(config: ProcessConfig, key: string): number {
  const value = config[key];
  if (typeof value !== 'number') throw new Error(`process config: "${key}" must be a number`);
  return value;
}
