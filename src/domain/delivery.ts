/** The contract between the hook workflow and the delivery activity: one call is one HTTP attempt. */

/** Time an attempt gets beyond its HTTP timeout (signing, reading the body) before its worker counts as lost. */
const ATTEMPT_GRACE_MS = 5_000;

/** How long one attempt may take at most, whatever happens: what Temporal waits before giving up on it. */
export function attemptDeadlineMs(deliveryTimeoutMs: number): number {
  return deliveryTimeoutMs + ATTEMPT_GRACE_MS;
}

export interface DeliveryRequest {
  hookId: string;
  projectId: string;
  attempt: number;
  targetUrl: string;
  path?: string;
  postAt: string;
  createdAt: string;
  data: unknown;
  timeoutMs: number;
  /** Whether a 202 starts an asynchronous wait for an ack (and the request carries ack/nack URLs). */
  async: boolean;
  /** The hook's endpoint released this attempt itself: it goes even if the worker still sees it paused. */
  released?: true;
}

/**
 * No attempt was made: the hook's endpoint is paused or disabled, and its workflow (this id) holds the
 * hook until it is active again.
 */
export interface HeldByEndpoint {
  heldBy: { endpointWorkflowId: string; state: 'paused' | 'disabled' };
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
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** The timing facts of one HTTP attempt, as the delivery activity measured them, for the metrics. */
export interface AttemptTiming {
  projectId: string;
  attempt: number;
  /** The due time the attempt was made for. */
  postAt: string;
  startedAt: Date;
  finishedAt: Date;
}
