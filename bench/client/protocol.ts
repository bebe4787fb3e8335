/**
 * Messages between the harness and the client process, the process that plays the application: it
 * schedules hooks through the system's own client library (or hookrelay's HTTP API).
 */

/** Schedules `count` hooks as fast as `concurrency` callers can, within `timeLimitMs`. */
export interface ClosedLoopPlan {
  kind: 'closed';
  tag: string;
  count: number;
  concurrency: number;
  timeLimitMs: number;
  /** Every hook due at one instant, or each due a fixed time after it is scheduled. */
  due: { at: number } | { inMs: number };
}

/**
 * Schedules hook i at startAt + i / rate, due leadMs later: hooks flow in and out at the same constant
 * rate. A system slower than the rate makes the client fall behind its timetable, which shows as lateness.
 */
export interface PacedPlan {
  kind: 'paced';
  tag: string;
  ratePerSec: number;
  count: number;
  startAt: number;
  leadMs: number;
  /** Calls in flight at most; beyond it the client waits, as an application with a bounded pool would. */
  maxInFlight: number;
  timeLimitMs: number;
}

export type LoadPlan = ClosedLoopPlan | PacedPlan;

export interface LoadOutcome {
  /** Sequence numbers 0 .. attempted-1 were handed to the system. */
  attempted: number;
  /** Those whose schedule call failed (or timed out): they are not expected to arrive. */
  failedSeqs: number[];
  /** The first few distinct error messages. */
  errors: string[];
  /** Milliseconds per successful schedule call. */
  latenciesMs: number[];
  startedAt: number;
  finishedAt: number;
  /** Paced plans: how far behind its timetable the client fell at worst. */
  maxLagMs: number;
  /** Stopped by the harness (or the time limit) before every hook was attempted. */
  stoppedEarly: boolean;
}

export type ToClient = { type: 'run'; id: number; plan: LoadPlan } | { type: 'abort'; id: number };

export type FromClient =
  { type: 'result'; id: number; outcome: LoadOutcome } | { type: 'failed'; id: number; message: string };

export function isFromClient(message: unknown): message is FromClient {
  if (typeof message !== 'object' || message === null || !('type' in message)) return false;
  return message.type === 'result' || message.type === 'failed';
}

export function isToClient(message: unknown): message is ToClient {
  if (typeof message !== 'object' || message === null || !('type' in message)) return false;
  return message.type === 'run' || message.type === 'abort';
}
