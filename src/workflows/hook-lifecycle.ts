import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  TemporalFailure,
  TimeoutFailure,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createDeliveryActivities } from '../activities/deliver';
import type { createBatchJoinActivities } from '../activities/join-batch';
import { type CallbackPhase, CallbackWindow } from '../domain/async-ack';
import type { HookBatch } from '../domain/batch';
import {
  attemptDeadlineMs,
  type BatchedByEndpoint,
  type DeliveryRequest,
  type DeliveryResult,
  type HeldByEndpoint,
} from '../domain/delivery';
import {
  type Attempt,
  FINISHED_STATUSES,
  type HookState,
  type HookStatus,
  type HookWorkflowInput,
} from '../domain/hook';
import { initialHookState } from '../domain/hook-state';
import { hasAttemptsLeft, nextDelayMs } from '../domain/retry-policy';
import {
  type BatchAttemptReport,
  batchAttemptSignal,
  batchLeftSignal,
  leaveBatchSignal,
} from './batch-messages';
import { askEndpointToHold, reportAttemptMade } from './endpoint-passage';
import { endpointIdOf } from './endpoint-record';
import { callbackMemoUpdate, hookSearchAttributes, hookStateMemoUpdate } from './hook-record';
import {
  callbackSignal,
  cancelHookUpdate,
  endpointReleasedSignal,
  HOOK_STATE_CONFLICT,
  hookStateQuery,
  rescheduleHookUpdate,
  retryHookUpdate,
} from './messages';
import { hookMetrics } from './metrics-sink';

type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
type BatchJoinActivities = ReturnType<typeof createBatchJoinActivities>;

/**
 * A held hook asks its endpoint again after this long without a release, in case the endpoint workflow
 * lost track of it; the next attempt then finds the endpoint's state as it is.
 */
export const HOLD_RECHECK_MS = 60 * 60_000;
/** After an endpoint could not be told of a held hook, the hook waits this long before it tries again. */
export const HOLD_FAILED_BACKOFF_MS = 10_000;
/** A join is one signal-with-start; Temporal retries it until the batch has the hook. */
const JOIN_BATCH_TIMEOUT_MS = 30_000;

/**
 * One hook, from scheduling to its final status: the hook workflow's state and every decision it makes.
 * The workflow sleeps durably until the hook is due, then runs the delivery loop itself: each HTTP attempt
 * is one activity call (never retried by Temporal), and the retry schedule lives here so that every
 * attempt is recorded in the hook's state and in the workflow history.
 *
 * Everything here is replayed from history: the order of commands (timers, activities, upserts) must not
 * change for hooks already in flight. test/workflows/replay.test.ts holds recorded histories to prove it.
 */
export class HookLifecycle {
  private readonly state: HookState;
  private readonly deliverHook: DeliveryActivities['deliverHook'];
  private attemptInFlight = false;
  /** When the next attempt is due; a reschedule moves it while the workflow sleeps. */
  private dueAt: number;
  /** Attempts made before this delivery cycle (a retry of a failed hook starts a new cycle). */
  private earlierAttempts = 0;
  private retryRequested = false;
  /** Open while an async attempt may still receive its ack or nack. */
  private callbackWindow: CallbackWindow | undefined;
  /** Set by the endpoint that held this hook, when it lets it go. */
  private released = false;
  /** The endpoint that released this hook, until it is told the attempt was made. */
  private releasedBy: string | undefined;
  /** The slot a rate-limited endpoint gave the released attempt: it is sent then, not before. */
  private releaseSlot: string | undefined;
  /** When the endpoint took the hook, for the released attempt: its wait is reported apart from lateness. */
  private heldSince: string | undefined;
  /** The batch the hook goes in: its own, or its endpoint's once the endpoint batched it. */
  private batch: HookBatch | undefined;
  /** A batched hook's batch workflow, from its join until its batch has a final outcome for it. */
  private batchWorkflowId: string | undefined;
  private joiningBatch = false;
  /** Set by the batch when it no longer holds this hook (after a cancel asked it to let go). */
  private leftBatch = false;

  constructor(private readonly input: HookWorkflowInput) {
    this.state = initialHookState(input);
    this.dueAt = Date.parse(input.postAt);
    this.batch = input.batch;
    const options = {
      startToCloseTimeout: attemptDeadlineMs(input.deliveryTimeoutMs),
      retry: { maximumAttempts: 1 },
    };
    // A local activity runs inside the workflow task: the client sets the task timeout to cover it. An
    // async hook's attempt stays an activity: its 'delivering' phase must be published before the
    // request goes out, since the receiver may ack before its 202 reaches us (see judgeCallback).
    this.deliverHook =
      this.input.leanHistory && !this.input.async
        ? proxyLocalActivities<DeliveryActivities>(options).deliverHook
        : proxyActivities<DeliveryActivities>(options).deliverHook;
  }

  /**
   * The workflow's clock. A local activity runs inside its workflow task, during which workflow time
   * stands still at the task's start; the attempt's own finish time is later, and what follows an
   * attempt (its status change, the delay before the next one) is timed from it.
   */
  private now(): number {
    const finishedAt = this.state.attemptHistory.at(-1)?.finishedAt;
    return Math.max(Date.now(), finishedAt === undefined ? 0 : Date.parse(finishedAt));
  }

  // A method, not a getter: the status changes across awaits, and TypeScript would narrow a getter.
  private isFinished(): boolean {
    return FINISHED_STATUSES.includes(this.state.status);
  }

  // A method for the same reason: the release signal sets the flag while the workflow awaits.
  private isReleased(): boolean {
    return this.released;
  }

  registerHandlers(): void {
    setHandler(hookStateQuery, () => this.state);
    setHandler(cancelHookUpdate, () => this.cancel(), {
      validator: () => {
        this.assertCancellable();
      },
    });
    setHandler(rescheduleHookUpdate, (postAt) => this.reschedule(postAt), {
      validator: (postAt: string) => {
        // The API sends only valid instants, but a NaN due time would fail every workflow task after it.
        if (Number.isNaN(Date.parse(postAt))) throw notAllowed(`"${postAt}" is not an instant`);
        this.assertReschedulable();
      },
    });
    setHandler(retryHookUpdate, () => this.retry(), {
      validator: () => {
        this.assertRetryable();
      },
    });
    setHandler(callbackSignal, (signal) => {
      this.callbackWindow?.offer(signal);
    });
    setHandler(endpointReleasedSignal, (release) => {
      this.released = true;
      this.releaseSlot = release?.notBefore;
    });
    // Only a batched hook hears from a batch; any hook may be batched by its endpoint.
    setHandler(batchAttemptSignal, (report) => {
      this.applyBatchAttempt(report);
    });
    setHandler(batchLeftSignal, () => {
      this.leftBatch = true;
    });
  }

  /**
   * Delivery cycles until the hook completes or is cancelled. A failed hook stays open, parked, for
   * `retryWindowMs`: a retry then starts a new cycle in this same workflow, so a hook is always exactly
   * one workflow run, whatever happens to it.
   */
  async run(): Promise<HookState> {
    this.logStatus();
    for (;;) {
      await (this.input.batch ? this.batchedCycle(this.input.batch) : this.deliveryCycle());
      if (
        this.state.status !== 'failed' ||
        !(await condition(() => this.retryRequested, this.input.retryWindowMs))
      ) {
        break;
      }
      this.retryRequested = false;
    }
    // Released but finished before its attempt (cancelled): the endpoint may let the next hook go.
    await this.reportReleasedAttempt();
    // An update may still be returning its answer; let it finish before the workflow closes.
    await condition(allHandlersFinished);
    return this.state;
  }

  private async deliveryCycle(): Promise<void> {
    while (!this.isFinished()) {
      if (await this.sleepUntilDue()) break;

      const attempt = await this.attempt(this.state.attempts + 1);
      // Held by its endpoint and let go since (or finished meanwhile): the loop decides again.
      if (!attempt) continue;
      // Its endpoint batches its hooks: the endpoint's batch makes this hook's attempts from now on.
      if ('batchBy' in attempt) {
        await this.batchedCycle(attempt.batchBy);
        continue;
      }
      if (this.isFinished()) break;
      // The retry policy counts attempts within this delivery cycle.
      const attemptInCycle = attempt.number - this.earlierAttempts;
      if (attempt.outcome === 'success' || attempt.outcome === 'acked') {
        this.setStatus('completed');
      } else if (attempt.permanent || !hasAttemptsLeft(this.input.retry, attemptInCycle)) {
        this.state.failureError = attempt.error;
        this.setStatus('failed');
      } else {
        this.dueAt =
          this.now() + nextDelayMs(this.input.retry, attemptInCycle, Math.random(), attempt.retryAfterMs);
        this.state.nextAttemptAt = new Date(this.dueAt).toISOString();
        this.setStatus('retry');
      }
    }
  }

  /**
   * A batched hook's delivery cycle: once due, it joins its batch, and the batch's request makes its
   * attempts. The batch workflow tells the hook of each one (see applyBatchAttempt), until the hook
   * completes or fails with its batch, or is cancelled.
   */
  private async batchedCycle(batch: HookBatch): Promise<void> {
    if (await this.sleepUntilDue()) return;
    this.batch = batch;
    const { joinBatch } = proxyActivities<BatchJoinActivities>({
      startToCloseTimeout: JOIN_BATCH_TIMEOUT_MS,
    });
    const attemptsBefore = this.state.attempts;
    this.joiningBatch = true;
    const batchWorkflowId = await joinBatch({
      batch: {
        projectId: this.input.projectId,
        targetUrl: this.input.targetUrl,
        ...batch,
        retry: this.input.retry,
        deliveryTimeoutMs: this.input.deliveryTimeoutMs,
      },
      member: {
        hookId: this.input.hookId,
        workflowId: workflowInfo().workflowId,
        path: this.input.target.path,
        postAt: this.state.postAt,
        createdAt: this.input.createdAt,
        data: this.input.data,
      },
    });
    this.joiningBatch = false;
    // A full batch may have been sent, and even have its final outcome told, before the join's own
    // completion reached this workflow: what the batch told is never overwritten.
    if (this.isFinished()) return;
    this.batchWorkflowId = batchWorkflowId;
    if (this.state.attempts === attemptsBefore) {
      // The summary of a hook batched by its endpoint has no batch: the state shows which one it is in.
      if (!this.input.batch) this.state.batch = { key: batch.key };
      // Gathering: it goes out at the latest when the window of its batch closes.
      this.state.nextAttemptAt = new Date(this.now() + batch.windowSecs * 1000).toISOString();
      this.setStatus('pending');
    }
    await condition(() => this.isFinished());
  }

  /** An attempt of the batch request this hook went out in: recorded as the hook's own attempt. */
  private applyBatchAttempt(report: BatchAttemptReport): void {
    if (this.isFinished() || !this.batch) return;
    this.state.batch = { key: this.batch.key, batchId: report.batchId };
    const attempt = this.recordAttempt(this.state.attempts + 1, report);
    hookMetrics.attemptOutcome(this.input.projectId, attempt.number, attempt.outcome);
    if (report.outcome === 'success') {
      this.batchWorkflowId = undefined;
      this.setStatus('completed');
    } else if (report.final) {
      this.batchWorkflowId = undefined;
      this.state.failureError = report.error ?? describeFailure(report);
      this.setStatus('failed');
    } else {
      this.state.nextAttemptAt = report.nextAttemptAt;
      this.setStatus('retry');
    }
  }

  /**
   * A cancelled hook leaves its batch first. The batch lets it go at once unless its request is on its way
   * with the hook in it: then the hook learns that attempt's outcome first, as a single hook's cancel waits
   * for its attempt in flight.
   */
  private async leaveBatch(): Promise<void> {
    await condition(() => !this.joiningBatch);
    const batchWorkflowId = this.batchWorkflowId;
    if (!batchWorkflowId || this.isFinished()) return;
    this.leftBatch = false;
    try {
      await getExternalWorkflowHandle(batchWorkflowId).signal(leaveBatchSignal, workflowInfo().workflowId);
    } catch {
      // The batch is gone: nothing of it holds the hook any more.
      return;
    }
    await condition(() => this.leftBatch || this.isFinished());
    this.batchWorkflowId = undefined;
  }

  /**
   * Sleeps on a durable timer until the hook is due. Returns true when the hook finished meanwhile
   * (cancelled); a reschedule wakes the sleep, which then starts over with the new due time.
   */
  private async sleepUntilDue(): Promise<boolean> {
    for (;;) {
      const dueAt = this.dueAt;
      const waitMs = dueAt - this.now();
      if (waitMs <= 0) return false;
      const woken = await condition(() => this.isFinished() || this.dueAt !== dueAt, waitMs);
      if (!woken) return false;
      if (this.isFinished()) return true;
    }
  }

  /**
   * One delivery attempt, including the wait for an ack when the receiver answered 202 to an async hook;
   * undefined when the endpoint held the hook instead, without an attempt.
   */
  private async attempt(
    number: number,
  ): Promise<(Attempt & { permanent: boolean; retryAfterMs?: number }) | BatchedByEndpoint | undefined> {
    this.state.nextAttemptAt = undefined;
    if (this.input.async) {
      this.callbackWindow = new CallbackWindow(number);
      this.publishCallbackPhase(number, 'delivering');
    }
    this.attemptInFlight = true;
    // The activity may hand the hook to its endpoint itself, whose release can then come before its result.
    this.released = false;
    const result = await this.runActivity(number);
    this.attemptInFlight = false;
    if ('batchBy' in result) return result;
    if ('heldBy' in result) {
      this.callbackWindow = undefined;
      await this.waitForEndpoint(result.heldBy);
      return undefined;
    }

    const attempt = this.recordAttempt(number, result);
    await this.reportReleasedAttempt(result.reported);
    hookMetrics.attemptOutcome(this.input.projectId, number, result.outcome);
    if (result.outcome === 'async_pending' && this.callbackWindow) {
      await this.awaitCallback(this.callbackWindow, attempt, result.asyncTimeoutSecs);
    } else if (this.input.async) {
      this.callbackWindow = undefined;
      this.publishCallbackPhase(number, 'done');
    }
    log.info('hook attempt', {
      hookId: this.input.hookId,
      projectId: this.input.projectId,
      attempt: number,
      outcome: attempt.outcome,
      statusCode: attempt.statusCode,
    });
    return {
      ...attempt,
      permanent: result.permanent,
      retryAfterMs: result.retryAfterMs,
      error: attempt.error ?? describeFailure(result),
    };
  }

  /**
   * The hook's endpoint is paused, disabled or limited: it waits, without spending an attempt, until the
   * endpoint lets it go (in due order, once it is active again or has room within its limits) or the hook
   * is cancelled.
   */
  private async waitForEndpoint({
    endpointWorkflowId,
    state,
    told,
  }: HeldByEndpoint['heldBy']): Promise<void> {
    log.info('hook held by its endpoint', { hookId: this.input.hookId, endpointWorkflowId, reason: state });
    // Held again after a release (a pause, a missed slot): that release is over for the endpoint too.
    this.releasedBy = undefined;
    this.heldSince = new Date(this.now()).toISOString();
    if (told) {
      // The activity told the endpoint, which saves this workflow a signal and a task. (Hooks held before
      // it did signal below, as their histories have it; they do not show their wait.)
      this.state.waiting = {
        endpointId: endpointIdOf(endpointWorkflowId),
        reason: state,
        since: this.heldSince,
      };
      if (this.publishesStateMemo()) upsertMemo(hookStateMemoUpdate(this.state));
    } else if (!(await askEndpointToHold(endpointWorkflowId, new Date(this.dueAt).toISOString()))) {
      // The endpoint is gone: try again a little later rather than at once.
      await condition(() => this.isFinished(), HOLD_FAILED_BACKOFF_MS);
      return;
    }
    await condition(() => this.isReleased() || this.isFinished(), HOLD_RECHECK_MS);
    this.state.waiting = undefined;
    if (this.isReleased()) this.releasedBy = endpointWorkflowId;
  }

  /**
   * Tells the endpoint that released this hook that its attempt is made, so the next held hook may go;
   * unless the attempt's activity already did (`reported`).
   */
  private async reportReleasedAttempt(reported?: boolean): Promise<void> {
    const endpointWorkflowId = this.releasedBy;
    if (!endpointWorkflowId) return;
    this.releasedBy = undefined;
    if (!reported) await reportAttemptMade(endpointWorkflowId);
  }

  /** A lost worker or an activity crash counts as a failed attempt, never as a lost hook. */
  private async runActivity(number: number): Promise<DeliveryResult | HeldByEndpoint | BatchedByEndpoint> {
    const startedAt = Date.now();
    try {
      return await this.deliverHook({
        hookId: this.input.hookId,
        projectId: this.input.projectId,
        attempt: number,
        targetUrl: this.input.targetUrl,
        path: this.input.target.path,
        postAt: this.state.postAt,
        createdAt: this.input.createdAt,
        data: this.input.data,
        timeoutMs: this.input.deliveryTimeoutMs,
        async: this.input.async,
        ...(this.input.schedule ? { schedule: this.input.schedule } : {}),
        workflowId: workflowInfo().workflowId,
        dueAt: new Date(this.dueAt).toISOString(),
        // A released attempt goes alone: its endpoint counts it in flight until it is made. An async
        // hook's ack has no place in a batch.
        ...(this.releasedBy ? this.releasedAttempt(this.releasedBy) : {}),
        ...(this.releasedBy || this.input.async ? {} : { batchable: true as const }),
      });
    } catch (error) {
      const failure = attemptFailure(error);
      if (!failure) throw error;
      const finishedAt = Date.now();
      const timedOut = failure instanceof TimeoutFailure;
      return {
        outcome: timedOut ? 'timeout' : 'failure',
        permanent: false,
        error: timedOut ? 'the delivery worker did not report back in time' : failure.message,
        startedAt: new Date(startedAt).toISOString(),
        finishedAt: new Date(finishedAt).toISOString(),
        durationMs: finishedAt - startedAt,
      };
    }
  }

  /** What a released attempt tells the activity: that it goes, in which slot, after how long a wait. */
  private releasedAttempt(
    releasedBy: string,
  ): Pick<DeliveryRequest, 'released' | 'releasedBy' | 'notBefore' | 'heldSince'> {
    return {
      released: true,
      releasedBy,
      ...(this.releaseSlot ? { notBefore: this.releaseSlot } : {}),
      ...(this.heldSince ? { heldSince: this.heldSince } : {}),
    };
  }

  private recordAttempt(number: number, result: DeliveryResult): Attempt {
    const attempt: Attempt = {
      number,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      durationMs: result.durationMs,
      outcome: result.outcome,
      statusCode: result.statusCode,
      responseBody: result.responseBody,
      error: result.error,
    };
    this.state.attemptHistory.push(attempt);
    this.state.attempts = number;
    return attempt;
  }

  /**
   * The receiver took the hook with a 202 and will ack or nack it by the deadline it chose. The hook is
   * pending again meanwhile; the wait is a durable timer, and the ack a signal, so neither is lost if
   * every worker stops in between.
   */
  private async awaitCallback(
    window: CallbackWindow,
    attempt: Attempt,
    requestedSecs: number | undefined,
  ): Promise<void> {
    attempt.ackDeadline = window.awaitAck(attempt.finishedAt, requestedSecs).toISOString();
    this.publishCallbackPhase(attempt.number, 'awaiting_ack', attempt.ackDeadline);
    this.setStatus('pending');

    await condition(() => window.callback !== undefined || this.isFinished(), window.listenMs(this.now()));
    this.callbackWindow = undefined;
    if (this.isFinished()) return;

    const callback = window.callback;
    if (callback?.kind === 'ack') {
      attempt.outcome = 'acked';
    } else if (callback?.kind === 'nack') {
      attempt.outcome = 'nacked';
      attempt.nackBody = callback.nackBody;
      attempt.error = 'the receiver sent a nack';
    } else {
      attempt.outcome = 'async_timeout';
      attempt.error = `no ack or nack within ${window.timeoutSecs} s`;
    }
    hookMetrics.attemptOutcome(this.input.projectId, attempt.number, attempt.outcome);
    this.publishCallbackPhase(attempt.number, attempt.outcome);
  }

  private assertCancellable(): void {
    if (this.isFinished()) throw notAllowed(`hook is ${this.state.status} and can no longer be cancelled`);
  }

  /** Only a hook still sleeping before its first attempt of the cycle can be moved. */
  private assertReschedulable(): void {
    if (
      this.state.status !== 'pending' ||
      this.attemptInFlight ||
      this.state.attempts > this.earlierAttempts ||
      this.joiningBatch ||
      this.batchWorkflowId !== undefined
    ) {
      throw notAllowed(
        this.isFinished()
          ? `hook is ${this.state.status} and can no longer be rescheduled`
          : 'hook is already being delivered and can no longer be rescheduled',
      );
    }
  }

  private reschedule(postAt: string): HookState {
    this.assertReschedulable();
    this.dueAt = Date.parse(postAt);
    this.state.postAt = postAt;
    this.state.nextAttemptAt = postAt;
    // Its own upsert before the status change's: the histories of hooks in flight have two here.
    this.publishRecord();
    this.setStatus('pending');
    return this.state;
  }

  private assertRetryable(): void {
    if (this.state.status !== 'failed') {
      throw notAllowed(`only failed hooks can be retried; this one is ${this.state.status}`);
    }
  }

  /** A new delivery cycle, due now, with the whole retry policy again; earlier attempts stay recorded. */
  private retry(): HookState {
    this.assertRetryable();
    this.earlierAttempts = this.state.attempts;
    this.retryRequested = true;
    this.dueAt = this.now();
    this.state.nextAttemptAt = new Date(this.dueAt).toISOString();
    this.state.failureError = undefined;
    this.state.completedAt = undefined;
    this.setStatus('pending');
    return this.state;
  }

  /** An attempt in flight is let finish first: its request may already have reached the receiver. */
  private async cancel(): Promise<HookState> {
    if (this.batch) await this.leaveBatch();
    await condition(() => !this.attemptInFlight);
    this.assertCancellable();
    this.setStatus('cancelled');
    return this.state;
  }

  private publishCallbackPhase(attempt: number, phase: CallbackPhase, ackDeadline?: string): void {
    upsertMemo(callbackMemoUpdate({ attempt, phase, ...(ackDeadline ? { ackDeadline } : {}) }));
  }

  /**
   * Every status change is mirrored into search attributes (for listing) and, for hooks that publish
   * their state, into the memo (for reads without a worker), and logged once.
   */
  private setStatus(status: HookStatus): void {
    const now = new Date(this.now()).toISOString();
    this.state.status = status;
    this.state.updatedAt = now;
    if (this.isFinished()) {
      this.state.completedAt = now;
      this.state.nextAttemptAt = undefined;
    }
    this.publishRecord();
    if (this.publishesStateMemo()) upsertMemo(hookStateMemoUpdate(this.state));
    if (status === 'completed' || status === 'failed') {
      hookMetrics.hookFinished(this.input.projectId, this.state.attempts, status);
    }
    this.logStatus();
  }

  /**
   * Whether this status change goes into the memo. Hooks started before the state was published keep the
   * commands their histories have; lean hooks skip it when the workflow is about to close, because a
   * closed hook is read from its result. (A failed hook stays open, parked, so it still publishes.)
   */
  private publishesStateMemo(): boolean {
    if (!this.input.publishesState) return false;
    const closing = this.state.status === 'completed' || this.state.status === 'cancelled';
    return !(this.input.leanHistory && closing);
  }

  /** Mirrors the hook into its search attributes, for listing and filtering. */
  private publishRecord(): void {
    upsertSearchAttributes(hookSearchAttributes(this.input.projectId, this.state));
  }

  /** One structured line per status change; the first one, pending, is logged when the workflow starts. */
  private logStatus(): void {
    log.info('hook status changed', {
      hookId: this.input.hookId,
      projectId: this.input.projectId,
      status: this.state.status,
      attempt: this.state.attempts,
      outcome: this.state.attemptHistory.at(-1)?.outcome,
    });
  }
}

/**
 * Why an attempt's activity failed, or undefined for an error that is not an activity's failure (which
 * then fails the workflow task). Temporal wraps a failed activity in an ActivityFailure; the SDK hands a
 * local activity's failure (its error, or its timeout) to the workflow as it is.
 */
export function attemptFailure(error: unknown): TemporalFailure | undefined {
  if (error instanceof ActivityFailure) return error.cause instanceof TemporalFailure ? error.cause : error;
  if (error instanceof ApplicationFailure || error instanceof TimeoutFailure) return error;
  return undefined;
}

function describeFailure(result: DeliveryResult): string | undefined {
  if (result.outcome === 'success' || result.outcome === 'async_pending') return undefined;
  if (result.permanent) return `the receiver answered ${result.statusCode ?? 410} Gone: no further attempts`;
  return result.statusCode === undefined ? result.outcome : `the receiver answered ${result.statusCode}`;
}

function notAllowed(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: HOOK_STATE_CONFLICT, message, nonRetryable: true });
}
