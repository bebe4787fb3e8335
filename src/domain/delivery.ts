import type { HookScheduleOrigin } from './schedule';

/** The contract between the hook workflow and the delivery activity: one call is one HTTP attempt. */
import type { HookBatch } from './batch';

/** Time an attempt gets beyond its HTTP timeout (signing, reading the body) before its worker counts as lost. */
const ATTEMPT_GRACE_MS = 5_000;

/** How long one attempt may take at most, whatever happens: what Temporal waits before giving up on it. */
export function attemptDeadlineMs(deliveryTimeoutMs: number): number {
  return deliveryTimeoutMs + ATTEMPT_GRACE_MS;
}

/**
 * What an attempt's endpoint has a say in, before the request (may it go now?) and after (its outcome,
 * and that the attempt it let go is made): the same for a hook's attempt and a batch's.
 */
export interface EndpointPassage {
  projectId: string;
  targetUrl: string;
  /** The workflow its endpoint lets go when it holds it: the hook's, or the batch's. */
  workflowId?: string;
  /** When the attempt is due (ISO): its place among what its endpoint holds. */
  dueAt?: string;
  /** Its endpoint released it: it goes even if this worker still sees the endpoint holding. */
  released?: true;
  /** The endpoint workflow that released it, told when the attempt is made. */
  releasedBy?: string;
  /** The start of the slot its endpoint gave it (ISO): it is not sent before. */
  notBefore?: string;
}

export interface DeliveryRequest extends EndpointPassage {
  hookId: string;
  attempt: number;
  path?: string;
  postAt: string;
  createdAt: string;
  data: unknown;
  timeoutMs: number;
  /** Whether a 202 starts an asynchronous wait for an ack (and the request carries ack/nack URLs). */
  async: boolean;
  /** When the hook was held (ISO), for a released attempt: the wait is reported apart from lateness. */
  heldSince?: string;
  /** The hook may go in its endpoint's batch, if its endpoint batches (workflows that predate it may not). */
  batchable?: true;
  /** The schedule that made the hook, which the body names. */
  schedule?: HookScheduleOrigin;
}

/**
 * Why an endpoint holds a hook: paused by a user, disabled after failing, or limited (it has rate or
 * concurrency limits, or its receiver asked to back off, or a released attempt missed its slot).
 */
export type HoldingState = 'paused' | 'disabled' | 'limited';

/** No attempt was made: the hook's endpoint (its workflow, this id) holds the hook until it lets it go. */
export interface HeldByEndpoint {
  heldBy: {
    endpointWorkflowId: string;
    state: HoldingState;
    /** The activity told the endpoint; otherwise (attempts before it did, or it could not) the workflow does. */
    told?: true;
    /** A receiver's back-off this worker knows of and the endpoint may not yet (ISO). */
    backOffUntil?: string;
  };
}

/** No attempt was made: the hook's endpoint batches its hooks, and this one joins the endpoint's batch. */
export interface BatchedByEndpoint {
  batchBy: HookBatch;
}

export interface DeliveryResult {
  outcome: 'success' | 'failure' | 'timeout' | 'async_pending';
  /** The receiver said never to try again (410 Gone). */
  permanent: boolean;
  statusCode?: number;
  responseBody?: string;
  error?: string;
  /** From a Retry-After header on 429/503: the next attempt waits at least this long. */
  retryAfterMs?: number;
  /** For `async_pending`: how long the receiver asked us to wait for its ack (hook-async-timeout). */
  asyncTimeoutSecs?: number;
  /** A released attempt: the activity told its endpoint the attempt is made (the workflow need not). */
  reported?: true;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** The timing facts of one attempt, as the delivery activity measured them, for the metrics. */
export interface AttemptTiming {
  projectId: string;
  attempt: number;
  /** The due time the attempt was made for. */
  postAt: string;
  startedAt: Date;
  /** Absent when the hook's endpoint held it instead: no request went out. */
  finishedAt?: Date;
  /** A released attempt's: when its endpoint held it. The wait is the endpoint's, not the scheduler's. */
  heldSince?: string;
}
