import type { HookBatch, HookBatchView } from './batch';
import type { HookScheduleOrigin } from './schedule';

/**
 * The hook model shared by the API, the workflow and the activities. Pure types and constants only:
 * workflow code imports this module, so it must stay free of I/O and non-determinism.
 */

import type { HoldingState } from './delivery';

export const HOOK_STATUSES = ['pending', 'retry', 'completed', 'failed', 'cancelled'] as const;
export type HookStatus = (typeof HOOK_STATUSES)[number];

/** Statuses from which a hook never moves on by itself. */
export const FINISHED_STATUSES: readonly HookStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * The statuses each operation on an existing hook applies to; in any other the API answers 409. The
 * API, the CLI and the dashboard all read this one table.
 */
export const ACTION_STATUSES = {
  /** A failed hook gets a new delivery cycle under the same id. */
  retry: ['failed'],
  /** A finished hook is copied into a new hook due now. */
  replay: FINISHED_STATUSES,
  cancel: ['pending', 'retry'],
  /** Only before the first attempt. */
  reschedule: ['pending'],
} as const satisfies Record<string, readonly HookStatus[]>;
export type HookAction = keyof typeof ACTION_STATUSES;

/** What `POST /v1/hooks/bulk/:action` does to each hook it selects. */
export const BULK_ACTIONS = ['retry', 'replay', 'cancel'] as const satisfies readonly HookAction[];
export type BulkAction = (typeof BULK_ACTIONS)[number];

export function actionApplies(action: HookAction, status: HookStatus): boolean {
  return (ACTION_STATUSES[action] as readonly HookStatus[]).includes(status);
}

export const ATTEMPT_OUTCOMES = [
  'success',
  'failure',
  'timeout',
  'async_pending',
  'acked',
  'nacked',
  'async_timeout',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export const RETRY_STRATEGIES = ['fixed', 'exponential', 'schedule'] as const;
type RetryStrategy = (typeof RETRY_STRATEGIES)[number];

export interface RetryPolicy {
  strategy: RetryStrategy;
  /** Total attempts including the first one. */
  maxAttempts: number;
  /** Base delay: the fixed delay, or the first delay of the exponential strategy. */
  delaySecs: number;
  backoffFactor: number;
  maxDelaySecs: number;
  /** 0..1: each delay is spread uniformly over ±jitter of itself. */
  jitter: number;
  /** Delays after attempt 1, 2, ...; the last one repeats. Used by the `schedule` strategy. */
  scheduleSecs: number[];
}

export type RetryOverride = Partial<RetryPolicy>;

export interface Attempt {
  number: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: AttemptOutcome;
  statusCode?: number;
  /** First 4 KiB of the response body. */
  responseBody?: string;
  error?: string;
  ackDeadline?: string;
  nackBody?: string;
}

/** Where a hook is delivered: a path on the project's base URL, or a free URL. */
type HookTarget = { path: string; url?: undefined } | { url: string; path?: undefined };

/** Everything a hook workflow needs, fixed when the hook is scheduled. */
export interface HookWorkflowInput {
  hookId: string;
  projectId: string;
  target: HookTarget;
  targetUrl: string;
  data: unknown;
  postAt: string;
  createdAt: string;
  /** The project's defaults merged with the hook's override. */
  retry: RetryPolicy;
  retryOverride?: RetryOverride;
  async: boolean;
  deliveryTimeoutMs: number;
  /** How long a failed hook stays open for a retry before its workflow closes. */
  retryWindowMs: number;
  /**
   * Set by the client for hooks whose workflow publishes its whole state in its memo, so that reads need
   * no worker. Absent in hooks started before that existed: their workflows keep the shape they began
   * with, since a hook's history must replay on every later version of the code.
   */
  publishesState?: true;
  /**
   * Set by the client for hooks whose history is kept short: each HTTP attempt of a sync hook is a local
   * activity (one marker event instead of three and a task-queue round trip), and the status change that closes the
   * workflow writes no memo, since a closed hook is read from its result. Absent in older hooks, which
   * keep the commands their histories hold.
   */
  leanHistory?: true;
  /** Set for a hook delivered in a batch with the other hooks of its key (see src/domain/batch.ts). */
  batch?: HookBatch;
  /** Set for a hook a schedule's run made: which schedule, for which scheduled time. */
  schedule?: HookScheduleOrigin;
}

/** What the API shows of a hook; the workflow keeps it current and returns it when it closes. */
export interface HookState {
  id: string;
  path?: string;
  url?: string;
  targetUrl: string;
  data: unknown;
  postAt: string;
  status: HookStatus;
  attempts: number;
  nextAttemptAt?: string;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  failureError?: string;
  retryOverride?: RetryOverride;
  async: boolean;
  /** Only on a batched hook. */
  batch?: HookBatchView;
  /** Only on a hook a schedule made. */
  schedule?: HookScheduleOrigin;
  attemptHistory: Attempt[];
  /** Set while the hook's endpoint holds it (paused, disabled, or at its limits): the wait is the endpoint's. */
  waiting?: EndpointWait;
}

export interface EndpointWait {
  endpointId: string;
  reason: HoldingState;
  /** When the endpoint took the hook (ISO). */
  since: string;
}

/** The parts of a hook that only a read of the hook itself shows, not a list page. */
export type HookDetailField = 'data' | 'attemptHistory' | 'updatedAt' | 'failureError' | 'waiting';

/** A hook as a list page shows it: everything but its details. */
export type HookSummary = Omit<HookState, HookDetailField>;
