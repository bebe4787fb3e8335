import type { CallbackSignal, CallbackView } from './async-ack';
import type { EndpointStore } from './endpoint-store';
import type { HookState, HookStatus, HookSummary } from './hook';
import type { NewHook } from './new-hook';
import type { ProjectOverview } from './project-overview';

/**
 * What the rest of hookrelay asks of the store that keeps hooks, split by who needs what. Temporal is the
 * only implementation (src/temporal); the API depends on these interfaces alone, so its route tests can
 * hand it fakes. Failures are the domain errors of ./errors.
 */

/** What `GET /v1/hooks` and bulk operations can filter on; every bound is optional. */
export interface HookFilter {
  statuses?: readonly HookStatus[];
  pathPrefix?: string;
  postAtAfter?: string;
  postAtBefore?: string;
  createdAfter?: string;
  createdBefore?: string;
}

export interface HookPage {
  hooks: HookSummary[];
  nextCursor?: string;
}

/** An Idempotency-Key and the request it came with (to tell a repeat from a reuse). */
export interface Idempotency {
  key: string;
  request: unknown;
}

/** Changes to hooks. */
export interface HookCommands {
  /** Schedules a hook; with an Idempotency-Key already used for the same request, finds that hook instead. */
  schedule(
    projectId: string,
    hook: NewHook,
    idempotency?: Idempotency,
  ): Promise<{ hook: HookState; created: boolean }>;
  /** Moves the due time of a hook still waiting for its first attempt. */
  reschedule(projectId: string, hookId: string, postAt: Date): Promise<HookState>;
  cancel(projectId: string, hookId: string): Promise<HookState>;
  /** A new delivery cycle for a failed hook, under the same id and with its earlier attempts kept. */
  retry(projectId: string, hookId: string): Promise<HookState>;
}

/** Reading hooks. */
export interface HookReads {
  get(projectId: string, hookId: string): Promise<HookState>;
  /**
   * One page of a project's hooks, newest first. Eventually consistent: a hook changed a moment ago may
   * show its previous status for a short while.
   */
  list(projectId: string, filter: HookFilter, page: { limit: number; cursor?: string }): Promise<HookPage>;
  /** How many hooks each status has, and which are overdue, as visibility sees them at `now`. */
  standing(projectId: string, now: Date): Promise<Pick<ProjectOverview, 'counts' | 'overdue'>>;
}

/** The async-ack callbacks' path into the store; both work while every worker is down. */
export interface HookCallbacks {
  /** What a callback is judged against. */
  callbackView(projectId: string, hookId: string): Promise<CallbackView>;
  /** Hands an ack/nack to the hook; kept until a worker applies it. */
  sendCallback(projectId: string, hookId: string, signal: CallbackSignal): Promise<void>;
}

export interface HookBacklog {
  /** Hooks with status pending or retry. */
  pending: number;
  /** Seconds since the most overdue hook was due (nextAttemptAt in the past); 0 when none is overdue. */
  oldestOverdueAgeSeconds: number;
}

/** Health of the store, for readiness and the backlog gauges. */
export interface StoreHealth {
  /** True when the store answers. */
  isReachable(): Promise<boolean>;
  /** The backlog across all projects; gives up at `deadline` (epoch ms). */
  backlog(deadline: number): Promise<HookBacklog>;
}

/** The whole store, as the composition root hands it to the API. */
export interface HookStore {
  commands: HookCommands;
  reads: HookReads;
  callbacks: HookCallbacks;
  health: StoreHealth;
  endpoints: EndpointStore;
}
