/**
 * The async-ack protocol in one place. A receiver answers 202 and acknowledges later through a callback
 * URL; every rule about that wait lives here and is pure, so the three parties apply the same ones:
 * the delivery activity (how long a callback URL works), the workflow (how long it waits and which
 * callback counts), and the API (how it answers a callback without needing a worker).
 */

const DEFAULT_ASYNC_TIMEOUT_SECS = 300;
export const MAX_ASYNC_TIMEOUT_SECS = 10_800;
/** Longest a nack body is kept on the attempt. */
export const MAX_NACK_BODY_BYTES = 8 * 1024;
/**
 * The workflow keeps listening this long past the deadline, for callbacks the API admitted just before
 * it: the API stamps each callback with its arrival time and the workflow judges by that stamp.
 */
const CALLBACK_GRACE_MS = 2_000;

/** The receiver's `hook-async-timeout` header in seconds: default 300, clamped to 1..10800. */
export function asyncTimeoutSecs(header: string | undefined): number {
  if (header === undefined || !/^\s*\d+\s*$/.test(header)) return DEFAULT_ASYNC_TIMEOUT_SECS;
  return clampTimeoutSecs(Number(header));
}

function clampTimeoutSecs(secs: number | undefined): number {
  if (secs === undefined || Number.isNaN(secs)) return DEFAULT_ASYNC_TIMEOUT_SECS;
  return Math.min(MAX_ASYNC_TIMEOUT_SECS, Math.max(1, secs));
}

/**
 * Until when (unix seconds) the callback URLs of an attempt started at `startedAt` are honoured at all:
 * past the end of the longest wait any receiver may ask for, so the token never expires first.
 */
export function callbackTokenExpiry(startedAt: Date, deliveryTimeoutMs: number): number {
  const lastUseMs =
    startedAt.getTime() + deliveryTimeoutMs + MAX_ASYNC_TIMEOUT_SECS * 1000 + CALLBACK_GRACE_MS;
  return Math.ceil(lastUseMs / 1000);
}

type CallbackKind = 'ack' | 'nack';

/** What the API signals to the hook's workflow when a callback arrives. */
export interface CallbackSignal {
  attempt: number;
  kind: CallbackKind;
  nackBody?: string;
  /** When the API received the callback; the deadline is judged against this, not the processing time. */
  receivedAt: string;
}

/**
 * The workflow's side of one async attempt: which callback counts. It opens when the request is sent (a
 * receiver may ack before its own 202 reaches us), gets its deadline from the 202, and keeps the first
 * callback for its attempt that the API received by that deadline.
 */
export class CallbackWindow {
  private deadline = Infinity;
  private received: CallbackSignal | undefined;
  /** How long the receiver has, once its 202 is in: what it asked for, within the protocol's bounds. */
  timeoutSecs = DEFAULT_ASYNC_TIMEOUT_SECS;

  constructor(readonly attempt: number) {}

  /** The receiver answered 202 at `finishedAt` and asked for `requestedSecs`; returns the ack deadline. */
  awaitAck(finishedAt: string, requestedSecs: number | undefined): Date {
    this.timeoutSecs = clampTimeoutSecs(requestedSecs);
    this.deadline = Date.parse(finishedAt) + this.timeoutSecs * 1000;
    return new Date(this.deadline);
  }

  /** How long to listen from `now`: to the deadline plus the grace for callbacks admitted just before it. */
  listenMs(now: number): number {
    return Math.max(0, this.deadline + CALLBACK_GRACE_MS - now);
  }

  offer(signal: CallbackSignal): void {
    if (signal.attempt !== this.attempt || this.received) return;
    if (Date.parse(signal.receivedAt) > this.deadline) return;
    this.received = signal;
  }

  get callback(): CallbackSignal | undefined {
    return this.received;
  }
}

/**
 * Where the latest attempt of an async hook stands. The workflow publishes it in its memo, which
 * Temporal serves without a worker, so callbacks are answered correctly even while every worker is down.
 */
export type CallbackPhase = 'delivering' | 'awaiting_ack' | 'acked' | 'nacked' | 'async_timeout' | 'done';

export interface CallbackMemo {
  attempt: number;
  phase: CallbackPhase;
  ackDeadline?: string;
}

/** What the API knows of a hook when a callback for it arrives, all of it readable without a worker. */
export interface CallbackView {
  cancelled: boolean;
  memo?: CallbackMemo;
}

type CallbackVerdict =
  'apply' | 'already_resolved' | 'unknown_hook' | 'moved_on' | 'deadline_passed' | 'not_awaiting';

/**
 * How the API answers a validly signed callback for `claims.attempt` that arrived at `now`, given what
 * the workflow has published and the token's own expiry.
 */
export function judgeCallback(
  hook: CallbackView,
  claims: { attempt: number; expiresAt: number },
  now: Date,
): CallbackVerdict {
  const verdict = judgeAgainstMemo(hook, claims.attempt, now);
  return verdict === 'apply' && now.getTime() > claims.expiresAt * 1000 ? 'deadline_passed' : verdict;
}

function judgeAgainstMemo(hook: CallbackView, attempt: number, now: Date): CallbackVerdict {
  if (hook.cancelled || !hook.memo) return 'unknown_hook';
  const { memo } = hook;
  if (attempt < memo.attempt) return 'moved_on';
  if (attempt > memo.attempt) return 'unknown_hook';
  switch (memo.phase) {
    case 'acked':
    case 'nacked':
      return 'already_resolved';
    case 'async_timeout':
      return 'deadline_passed';
    case 'done':
      return 'not_awaiting';
    case 'awaiting_ack':
      return memo.ackDeadline && now.getTime() > Date.parse(memo.ackDeadline) ? 'deadline_passed' : 'apply';
    case 'delivering':
      // The receiver may acknowledge before its 202 has reached us; the workflow keeps the early callback.
      return 'apply';
  }
}
