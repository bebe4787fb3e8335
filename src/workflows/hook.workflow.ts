import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createDeliveryActivities } from '../activities/deliver';
import type { DeliveryResult } from '../domain/delivery';
import {
  type Attempt,
  FINISHED_STATUSES,
  type HookState,
  type HookStatus,
  type HookWorkflowInput,
} from '../domain/hook';
import { initialHookState } from '../domain/hook-state';
import { hasAttemptsLeft, nextDelayMs } from '../domain/retry-policy';
import { cancelHookUpdate, HOOK_STATE_CONFLICT, hookStateQuery } from './definitions';
import { HookAttempts, HookNextAttemptAt, HookStatusKey } from './search-attributes';

type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;

/** Time the activity gets beyond the HTTP timeout before Temporal declares the worker lost. */
const ACTIVITY_GRACE_MS = 5_000;

/**
 * One hook, from scheduling to its final status. The workflow sleeps durably until the hook is due,
 * then runs the delivery loop itself: each HTTP attempt is one activity call (never retried by
 * Temporal), and the retry schedule lives here so that every attempt is recorded in the hook's state
 * and in the workflow history.
 */
export async function hookWorkflow(input: HookWorkflowInput): Promise<HookState> {
  const { deliverHook } = proxyActivities<DeliveryActivities>({
    startToCloseTimeout: input.deliveryTimeoutMs + ACTIVITY_GRACE_MS,
    retry: { maximumAttempts: 1 },
  });

  const state = initialHookState(input);
  let attemptInFlight = false;
  const isFinished = () => FINISHED_STATUSES.includes(state.status);

  setHandler(hookStateQuery, () => state);
  setHandler(
    cancelHookUpdate,
    async () => {
      await condition(() => !attemptInFlight);
      if (isFinished()) throw notAllowed(`hook is ${state.status} and can no longer be cancelled`);
      setStatus(state, 'cancelled', { completed: true });
      return state;
    },
    {
      validator: () => {
        if (isFinished()) throw notAllowed(`hook is ${state.status} and can no longer be cancelled`);
      },
    },
  );

  let dueAt = Date.parse(input.postAt);
  while (!isFinished()) {
    const waitMs = dueAt - Date.now();
    if (waitMs > 0 && (await condition(isFinished, waitMs))) break;

    const number = state.attempts + 1;
    state.nextAttemptAt = undefined;
    attemptInFlight = true;
    const result = await runAttempt(() =>
      deliverHook({
        hookId: input.hookId,
        projectId: input.projectId,
        attempt: number,
        targetUrl: input.targetUrl,
        path: input.target.path,
        postAt: input.postAt,
        createdAt: input.createdAt,
        data: input.data,
        timeoutMs: input.deliveryTimeoutMs,
        async: input.async,
      }),
    );
    attemptInFlight = false;
    recordAttempt(state, number, result);

    if (result.outcome === 'success') {
      setStatus(state, 'completed', { completed: true });
    } else if (result.permanent || !hasAttemptsLeft(input.retry, number)) {
      state.failureError = describeFailure(result);
      setStatus(state, 'failed', { completed: true });
    } else {
      dueAt = Date.now() + nextDelayMs(input.retry, number, Math.random(), result.retryAfterMs);
      state.nextAttemptAt = new Date(dueAt).toISOString();
      setStatus(state, 'retry');
    }
  }

  // An update may still be returning its answer; let it finish before the workflow closes.
  await condition(allHandlersFinished);
  return state;
}

/** Runs one attempt; a lost worker or an activity crash counts as a failed attempt, never as a lost hook. */
async function runAttempt(attempt: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
  const startedAt = Date.now();
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const finishedAt = Date.now();
    const timedOut = error.cause instanceof TimeoutFailure;
    return {
      outcome: timedOut ? 'timeout' : 'failure',
      permanent: false,
      error: timedOut
        ? 'the delivery worker did not report back in time'
        : (error.cause?.message ?? error.message),
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      durationMs: finishedAt - startedAt,
    };
  }
}

function recordAttempt(state: HookState, number: number, result: DeliveryResult): void {
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
  state.attemptHistory.push(attempt);
  state.attempts = number;
  log.info('hook attempt', {
    hookId: state.id,
    attempt: number,
    outcome: result.outcome,
    statusCode: result.statusCode,
  });
}

function describeFailure(result: DeliveryResult): string {
  if (result.permanent) return `receiver answered ${result.statusCode ?? 410} Gone: no further attempts`;
  return (
    result.error ??
    (result.statusCode === undefined ? result.outcome : `receiver answered ${result.statusCode}`)
  );
}

/** Every status change is mirrored into search attributes (for listing) and logged once. */
function setStatus(state: HookState, status: HookStatus, options: { completed?: boolean } = {}): void {
  const now = new Date(Date.now()).toISOString();
  state.status = status;
  state.updatedAt = now;
  if (options.completed) {
    state.completedAt = now;
    state.nextAttemptAt = undefined;
  }
  upsertSearchAttributes([
    { key: HookStatusKey, value: status },
    { key: HookAttempts, value: state.attempts },
    { key: HookNextAttemptAt, value: state.nextAttemptAt ? new Date(state.nextAttemptAt) : null },
  ]);
  log.info('hook status changed', { hookId: state.id, status, attempt: state.attempts });
}

function notAllowed(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: HOOK_STATE_CONFLICT, message, nonRetryable: true });
}
