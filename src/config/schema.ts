import { z } from 'zod';
import { alertChannelSchema } from '../alerts/channel-config';
import { DEFAULT_BATCH_SIZE, DEFAULT_BATCH_WINDOW_SECS } from '../domain/batch';
import { DEFAULT_ALERT_RULES, DEFAULT_AUTO_DISABLE_AFTER_SECS } from '../domain/endpoint';
import { FLOW_LIMIT_BOUNDS } from '../domain/flow-limits';
import { isValidSigningSecret } from '../security/signing';
import { batchSizingSchema } from '../domain/batch-schema';
import { retryOverrideSchema } from '../domain/retry-schema';
import { sourceConfigSchema } from './source-schema';
import { targetRefusal } from '../domain/new-hook';
import { allowanceEntryProblem, TargetPolicy } from '../security/target-policy';

const API_KEY_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });

/** The rules that judge an endpoint failing; the same schema checks the API's per-endpoint overrides. */
export const alertRulesSchema = z.strictObject({
  minSuccessRate: z
    .number()
    .min(0)
    .max(1)
    .default(DEFAULT_ALERT_RULES.minSuccessRate)
    .describe('Failing under this success rate (0..1) ...'),
  windowMinutes: z
    .int()
    .min(1)
    .max(60)
    .default(DEFAULT_ALERT_RULES.windowMinutes)
    .describe('... over the last this many minutes ...'),
  minAttempts: z
    .int()
    .min(1)
    .max(1_000_000)
    .default(DEFAULT_ALERT_RULES.minAttempts)
    .describe('... once the window holds at least this many attempts.'),
  maxConsecutiveFailures: z
    .int()
    .min(1)
    .max(1_000_000)
    .default(DEFAULT_ALERT_RULES.maxConsecutiveFailures)
    .describe('Failing after more failures in a row than this.'),
});

/** How much traffic each endpoint takes; the same schema checks the API's per-endpoint overrides. */
export const flowLimitsSchema = z.strictObject({
  ratePerSecond: z
    .number()
    .min(0)
    .max(FLOW_LIMIT_BOUNDS.ratePerSecond.max)
    .default(0)
    .describe(
      'At most this many requests in any second (fractions allowed: 0.5 is one per 2 s); 0: no limit.',
    ),
  maxInFlight: z
    .int()
    .min(0)
    .max(FLOW_LIMIT_BOUNDS.maxInFlight.max)
    .default(0)
    .describe('At most this many requests at once; 0: no limit.'),
});

/** 0 turns auto-disable off; at most a year. */
export const autoDisableAfterSecsSchema = z
  .int()
  .min(0)
  .max(365 * 86_400)
  .describe(
    'An endpoint that has failed this long without a single success is disabled (its hooks wait); 0: never.',
  );

const endpointsConfigSchema = z.strictObject({
  /**
   * Health, alerts, pause and auto-disable for this project's endpoints. Off, a hook costs nothing
   * extra and endpoints do not exist.
   */
  tracking: z.boolean().default(true),
  groupBy: z
    .enum(['path', 'origin', 'pathPrefix'])
    .default('path')
    .describe(
      'One endpoint per target URL without its query (path), per scheme+host+port (origin), or per ' +
        'the first pathSegments segments of the path (pathPrefix).',
    ),
  pathSegments: z.int().min(1).max(32).default(1),
  autoDisableAfterSecs: autoDisableAfterSecsSchema.default(DEFAULT_AUTO_DISABLE_AFTER_SECS),
  alertRules: alertRulesSchema.prefault({}),
  alertChannels: z.array(alertChannelSchema).max(20).default([]),
  limits: flowLimitsSchema
    .prefault({})
    .describe("Every endpoint's limits, unless it has its own (PATCH /v1/endpoints/:id)."),
});

export const projectConfigSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, "-" and "_", at most 63 characters'),
  apiKeyHashes: z
    .array(z.string().regex(API_KEY_HASH_PATTERN, 'must be "sha256:" + 64 hex digits (see `npm run keygen`)'))
    .min(1),
  signingSecrets: z
    .array(
      z
        .string()
        .refine(isValidSigningSecret, 'must be "whsec_" + base64 of 24 to 64 bytes (see `npm run keygen`)'),
    )
    .min(1)
    .describe(
      'Every delivery carries one signature per secret, so a new secret can be added before the old one goes.',
    ),
  baseUrl: httpUrl.optional().describe('Hooks with a `path` are delivered to baseUrl + path.'),
  allowUrlTargets: z.boolean().default(false),
  allowInternalTargets: z
    .array(
      z.string().superRefine((entry, ctx) => {
        const problem = allowanceEntryProblem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    )
    .default([])
    .describe(
      'Internal addresses (loopback, private, link-local…) this project may deliver to, which are refused ' +
        'otherwise: IP addresses, CIDRs, or host names trusted whatever they resolve to.',
    ),
  asyncHooks: z.boolean().default(false),
  deliveryTimeoutSecs: z.number().min(1).max(120).default(10),
  maxDataBytes: z
    .int()
    .min(1)
    .max(1024 * 1024)
    .default(64 * 1024),
  retry: retryOverrideSchema.default({}),
  endpoints: endpointsConfigSchema.prefault({}),
  /** What a hook's `batch` leaves out: how many hooks one request carries, and how long a batch gathers. */
  batching: batchSizingSchema
    .extend({
      maxSize: batchSizingSchema.shape.maxSize.unwrap().default(DEFAULT_BATCH_SIZE),
      windowSecs: batchSizingSchema.shape.windowSecs.unwrap().default(DEFAULT_BATCH_WINDOW_SECS),
    })
    .prefault({}),
  sources: z
    .array(sourceConfigSchema)
    .max(100)
    .default([])
    .describe('Senders whose webhooks this project receives at POST /v1/ingest/:sourceId.'),
});

const temporalConfigSchema = z.strictObject({
  address: z.string().min(1).default('127.0.0.1:7233'),
  namespace: z.string().min(1).default('hookrelay'),
  taskQueue: z.string().min(1).default('hookrelay'),
  /** How long closed hooks stay readable (namespace retention), applied at start-up. */
  retentionDays: z.int().min(1).max(3650).default(30),
  /** Temporal Cloud API key; implies TLS. */
  apiKey: z.string().min(1).optional(),
  /**
   * The Temporal Web UI, for links from a hook to its workflow history; `npm start` sets it to the
   * embedded server's UI.
   */
  webUiUrl: z.url({ protocol: /^https?$/ }).optional(),
  tls: z
    .strictObject({
      serverName: z.string().optional(),
      serverRootCaPath: z.string().optional(),
      clientCertPath: z.string().optional(),
      clientKeyPath: z.string().optional(),
    })
    .refine((tls) => Boolean(tls.clientCertPath) === Boolean(tls.clientKeyPath), {
      message: 'clientCertPath and clientKeyPath go together',
    })
    .optional(),
});

/**
 * Workflow-task polls a worker keeps open. Each poll holds a workflow-task slot while it waits, and a
 * sync attempt holds its task's slot while it runs, so a worker needs a slot for each of both: with no
 * room left for polls, the tasks that finish attempts queued behind them, and a burst of one-second
 * attempts on 10 slots went out at about one a second.
 */
export const WORKFLOW_TASK_POLLS = 10;

/** Workflow-task slots a worker needs: one per attempt it may run, and one per open poll. */
export function workflowTaskSlots(maxConcurrentAttempts: number): number {
  return maxConcurrentAttempts + WORKFLOW_TASK_POLLS;
}

const workerConfigSchema = z.strictObject({
  /** Where `npm run worker` serves GET /metrics; `npm start` serves them on the API instead. */
  metricsHost: z.string().min(1).default('127.0.0.1'),
  metricsPort: z.int().min(0).max(65_535).default(9464),
  /**
   * HTTP attempts one worker makes at once: local activities (sync hooks) and activities (async hooks)
   * each, with workflow-task slots for as many attempts plus the polls (see workflowTaskSlots).
   */
  maxConcurrentAttempts: z.int().min(2).max(2_000).default(100),
  /**
   * Workflows kept in memory between their tasks (0: none). Only hooks that wait inside their workflow
   * (a retry delay, an ack, a failed hook's retry window) are cached; a hook that has not come due has
   * no workflow running, and a delivered one has closed. The SDK's default scales with the heap (about
   * 2,300 on a 4 GiB heap), which lets memory grow with the backlog; each entry costs about 80 KiB.
   */
  maxCachedWorkflows: z.int().min(0).max(100_000).default(1_000),
  /**
   * How often attempt outcomes go to their endpoints, in one signal per endpoint: a worker crash loses
   * at most this much of the endpoints' health counts (never a delivery).
   */
  endpointReportIntervalMs: z.int().min(100).max(60_000).default(1_000),
  /** How often the worker reads which endpoints are paused or disabled. */
  endpointStateRefreshMs: z.int().min(100).max(60_000).default(1_000),
});

const devServerConfigSchema = z.strictObject({
  port: z.int().min(1).max(65_535).default(7233),
  uiPort: z.int().min(1).max(65_535).default(8233),
  /**
   * SQLite's `synchronous` for the embedded server's file. NORMAL (with its write-ahead log) loses
   * nothing when a process crashes, but an OS crash or power loss can take the last commits; FULL
   * syncs every commit to disk, at a cost in throughput.
   */
  sqliteSynchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
});

export const configSchema = z
  .strictObject({
    dataDir: z.string().min(1).default('data'),
    api: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.int().min(0).max(65_535).default(3000),
        /** Base of the ack/nack URLs receivers call; defaults to the address the API listens on. */
        publicUrl: httpUrl.optional(),
      })
      .prefault({}),
    callbackSecret: z
      .string()
      .min(32, 'must be at least 32 characters (see `npm run keygen`)')
      .describe(
        'Signs ack/nack URL tokens and list cursors; every API and worker process needs the same one.',
      ),
    temporal: temporalConfigSchema.prefault({}),
    devServer: devServerConfigSchema.prefault({}),
    worker: workerConfigSchema.prefault({}),
    projects: z.array(projectConfigSchema).min(1),
  })
  .superRefine((config, ctx) => {
    const { maxCachedWorkflows, maxConcurrentAttempts } = config.worker;
    const slots = workflowTaskSlots(maxConcurrentAttempts);
    if (maxCachedWorkflows > 0 && maxCachedWorkflows < slots) {
      ctx.addIssue({
        code: 'custom',
        path: ['worker', 'maxCachedWorkflows'],
        message: `must be 0 or at least worker.maxConcurrentAttempts + ${WORKFLOW_TASK_POLLS} (${slots}): a workflow task runs on a cached workflow`,
      });
    }
    const seenIds = new Set<string>();
    const seenKeys = new Set<string>();
    const seenSources = new Set<string>();
    config.projects.forEach((project, index) => {
      if (seenIds.has(project.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['projects', index, 'id'],
          message: `duplicate project id "${project.id}"`,
        });
      }
      seenIds.add(project.id);
      project.apiKeyHashes.forEach((hash, keyIndex) => {
        if (seenKeys.has(hash)) {
          ctx.addIssue({
            code: 'custom',
            path: ['projects', index, 'apiKeyHashes', keyIndex],
            message: 'an API key belongs to exactly one project',
          });
        }
        seenKeys.add(hash);
      });
      // The ingest URL names the source alone, so a source id belongs to one project of the file.
      project.sources.forEach((source, sourceIndex) => {
        if (seenSources.has(source.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['projects', index, 'sources', sourceIndex, 'id'],
            message: `duplicate source id "${source.id}": source ids are unique across projects`,
          });
        }
        seenSources.add(source.id);
        source.forward.targets.forEach((target, targetIndex) => {
          const refusal = targetRefusal(project, target);
          if (refusal) {
            ctx.addIssue({
              code: 'custom',
              path: ['projects', index, 'sources', sourceIndex, 'forward', 'targets', targetIndex],
              message: refusal.message,
            });
          }
        });
      });
      const baseUrlRefusal =
        project.baseUrl && new TargetPolicy(project.allowInternalTargets).refusalForUrl(project.baseUrl);
      if (baseUrlRefusal) {
        ctx.addIssue({
          code: 'custom',
          path: ['projects', index, 'baseUrl'],
          message: `${baseUrlRefusal}: add it to allowInternalTargets to deliver there`,
        });
      }
      if (!project.baseUrl && !project.allowUrlTargets) {
        ctx.addIssue({
          code: 'custom',
          path: ['projects', index, 'baseUrl'],
          message: 'required unless allowUrlTargets is true: hooks need somewhere to go',
        });
      }
    });
  })

  .transform((config) => ({
    ...config,
    api: { ...config.api, publicUrl: config.api.publicUrl ?? listenUrl(config.api.host, config.api.port) },
  }));

/** The URL of the API as this machine reaches it: a wildcard listen address means loopback. */
function listenUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export type AppConfig = z.output<typeof configSchema>;
export type ProjectConfig = z.output<typeof projectConfigSchema>;
/** A project as a config file or a test writes it, before defaults. */
export type ProjectConfigInput = z.input<typeof projectConfigSchema>;
export type WorkerConfigInput = z.input<typeof workerConfigSchema>;
export type TemporalConfig = AppConfig['temporal'];
