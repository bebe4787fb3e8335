/**
 * Async hooks: the receiver answers 202 and acknowledges later through a callback URL. Pure rules shared
 * by the workflow (which waits) and the API (which answers the callback without needing a worker).
 */

const DEFAULT_ASYNC_TIMEOUT_SECS = 300;
export const MAX_ASYNC_TIMEOUT_SECS = 10_800;
/** Longest a nack body is kept on the attempt. */
export const MAX_NACK_BODY_BYTES = 8 * 1024;
/**
 * The workflow keeps listening this long past the deadline, for callbacks the API admitted just before
 * it: the API stamps each callback with its arrival time and the workflow judges by that stamp.
 */
export const CALLBACK_GRACE_MS = 2_000;

/** The receiver's `hook-async-timeout` header in seconds: default 300, clamped to 1..10800. */
export function asyncTimeoutSecs(header: string | undefined): number {
  if (header === undefined || !/^\s*\d+\s*$/.test(header)) return DEFAULT_ASYNC_TIMEOUT_SECS;
  return Math.min(MAX_ASYNC_TIMEOUT_SECS, Math.max(1, Number(header)));
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
 * Where the latest attempt of an async hook stands. The workflow publishes it in its memo, which
 * Temporal serves without a worker, so callbacks are answered correctly even while every worker is down.
 */
export type CallbackPhase = 'delivering' | 'awaiting_ack' | 'acked' | 'nacked' | 'async_timeout' | 'done';

export interface CallbackMemo {
  attempt: number;
  phase: CallbackPhase;
  ackDeadline?: string;
}

export const CALLBACK_MEMO_KEY = 'callback';

type CallbackVerdict =
  'apply' | 'already_resolved' | 'unknown_hook' | 'moved_on' | 'deadline_passed' | 'not_awaiting';

/** How the API answers a validly signed callback for `attempt`, given what the workflow has published. */
export function judgeCallback(
  hook: { cancelled: boolean; memo?: CallbackMemo },
  attempt: number,
  now: Date,
): CallbackVerdict {
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
