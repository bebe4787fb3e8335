import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_ASYNC_TIMEOUT_SECS } from '../../src/domain/async-ack';
import type { Attempt, HookState, RetryOverride } from '../../src/domain/hook';
import { MAX_RETRY_AFTER_MS } from '../../src/domain/retry-policy';
import {
  callbackMemoOf,
  HOOK_SEARCH_ATTRIBUTES,
  hookStatusOf,
  nextAttemptAtOf,
} from '../../src/workflows/hook-record';
import { rescheduleHookUpdate } from '../../src/workflows/messages';
import {
  acceptedOrRefused,
  assertClosed,
  assertConflict,
  FAST_RETRY,
  Gate,
  HookTestEnv,
  msBetween,
  PROJECT_ID,
  reply,
  sleepUntil,
  type TestHook,
} from './support/hook-test-env';

const HOOK_ATTEMPTS = HOOK_SEARCH_ATTRIBUTES.find((key) => key.name === 'HookAttempts');
const HOOK_PROJECT = HOOK_SEARCH_ATTRIBUTES.find((key) => key.name === 'HookProject');
const HOOK_PATH = HOOK_SEARCH_ATTRIBUTES.find((key) => key.name === 'HookPath');

/** The workflow's time and the fake's are the same machine's clock, read a few milliseconds apart. */
const CLOCK_SLACK_MS = 50;
/** How much later than due a timer-driven step may happen on a busy test machine. */
const LATENESS_MS = 5_000;

/** Attempt `number` (1-based) of the hook, which must have been recorded. */
function nth(state: HookState, number: number): Attempt {
  const attempt = state.attemptHistory[number - 1];
  assert.ok(attempt, `attempt ${number} is recorded`);
  return attempt;
}

/**
 * Delivery timeout of hooks whose attempt a test holds open: long enough that neither the HTTP timer nor
 * the workflow task's heartbeat (at 80 % of the attempt deadline) comes into play while it is held.
 */
const IN_FLIGHT_TIMEOUT_MS = 20_000;

/** A promise whose settling can be checked without awaiting it. */
function settles<T>(promise: Promise<T>): { promise: Promise<T>; readonly settled: boolean } {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  // The test awaits `promise` later; a rejection before then is not unhandled.
  tracked.catch(() => undefined);
  return {
    promise: tracked,
    get settled() {
      return settled;
    },
  };
}

const outcomes = (state: HookState) => state.attemptHistory.map((attempt) => attempt.outcome);
const inRetry = (attempts: number) => (state: HookState) =>
  state.status === 'retry' && state.attempts === attempts && state.nextAttemptAt !== undefined;
const awaitingAck = (attempts: number) => (state: HookState) =>
  state.attempts === attempts && state.attemptHistory.at(-1)?.ackDeadline !== undefined;

/**
 * The retry delay the workflow chose after each of the first `count` failed attempts: `nextAttemptAt`
 * minus `updatedAt`, both set from the workflow's clock in the same activation, so the difference is the
 * policy's delay exactly. Polled while the hook waits, so the delays must leave time to observe them.
 */
async function retryDelays(hook: TestHook, count: number): Promise<number[]> {
  const delays: number[] = [];
  for (let attempts = 1; attempts <= count; attempts++) {
    const state = await hook.waitFor(`retry after attempt ${attempts}`, inRetry(attempts));
    const delay = msBetween(state.updatedAt, state.nextAttemptAt);
    // And it is counted from the end of the failed attempt, not from its start.
    const sinceFailure = msBetween(state.attemptHistory.at(-1)?.finishedAt, state.nextAttemptAt);
    assert.ok(
      sinceFailure >= delay - CLOCK_SLACK_MS && sinceFailure <= delay + LATENESS_MS,
      `${sinceFailure}`,
    );
    delays.push(delay);
  }
  return delays;
}

describe('hook workflow', { concurrency: true }, () => {
  let env: HookTestEnv;
  before(async () => {
    env = await HookTestEnv.start();
  });
  after(async () => {
    // Unset if the start failed; HookTestEnv.start stops what it started itself.
    await (env as HookTestEnv | undefined)?.stop();
  });

  describe('delivery', { concurrency: true }, () => {
    it('sync success on the first attempt: completed, one attempt, the request carries the hook', async () => {
      const data = { order: 42, items: ['a', 'b'], nested: { ok: true } };
      const hook = await env.schedule({ steps: [reply.ok()], data, deliveryTimeoutMs: 2_500 });
      const done = await hook.result();

      assert.equal(done.status, 'completed');
      assert.equal(done.attempts, 1);
      assert.equal(done.failureError, undefined);
      assert.equal(done.nextAttemptAt, undefined);
      assert.ok(done.completedAt);
      assert.deepEqual(outcomes(done), ['success']);
      assert.equal(nth(done, 1).number, 1);
      assert.equal(nth(done, 1).statusCode, 200);
      assert.deepEqual(hook.fake.requests, [
        {
          hookId: hook.input.hookId,
          projectId: PROJECT_ID,
          attempt: 1,
          targetUrl: hook.input.targetUrl,
          path: `/hooks/${hook.input.hookId}`,
          postAt: hook.input.postAt,
          createdAt: hook.input.createdAt,
          data,
          timeoutMs: 2_500,
          async: false,
          // What the activity needs to hand the hook to its endpoint, should that hold it.
          workflowId: hook.workflowId,
          dueAt: hook.input.postAt,
          // A sync hook may go in its endpoint's batch, should the endpoint batch.
          batchable: true,
        },
      ]);
      assert.deepEqual(hook.metricCalls(), [
        ['attemptOutcome', 'success'],
        ['hookFinished', 'completed'],
      ]);
    });

    it('retries then success: every attempt recorded and numbered, nextAttemptAt set while waiting', async () => {
      const hook = await env.schedule({
        steps: [reply.status(500), reply.status(503), reply.ok()],
        retry: { strategy: 'fixed', delaySecs: 0.6, jitter: 0, maxAttempts: 5 },
      });
      const waiting = await hook.waitFor('the first retry', inRetry(1));
      assert.equal(msBetween(waiting.updatedAt, waiting.nextAttemptAt), 600);
      assert.deepEqual(outcomes(waiting), ['failure']);
      assert.equal(nth(waiting, 1).statusCode, 500);

      const done = await hook.result();
      assert.equal(done.status, 'completed');
      assert.equal(done.attempts, 3);
      assert.deepEqual(
        done.attemptHistory.map((attempt) => [attempt.number, attempt.outcome, attempt.statusCode]),
        [
          [1, 'failure', 500],
          [2, 'failure', 503],
          [3, 'success', 200],
        ],
      );
      assert.deepEqual(
        hook.fake.requests.map((req) => [req.attempt, req.hookId]),
        [1, 2, 3].map((n) => [n, hook.input.hookId]),
      );
      // Each retry waited its delay after the failure before the next attempt started.
      for (const next of [2, 3]) {
        const gap = msBetween(nth(done, next - 1).finishedAt, nth(done, next).startedAt);
        assert.ok(gap >= 600 - CLOCK_SLACK_MS, `attempt ${next} started ${gap} ms after the failure`);
      }
      assert.deepEqual(hook.metricCalls(), [
        ['attemptOutcome', 'failure'],
        ['attemptOutcome', 'failure'],
        ['attemptOutcome', 'success'],
        ['hookFinished', 'completed'],
      ]);
    });

    it('permanent failure (410): failed after one attempt, with the reason, and counted as failed', async () => {
      const hook = await env.schedule({ steps: [reply.gone()] });
      const done = await hook.result();
      assert.equal(done.status, 'failed');
      assert.equal(done.attempts, 1);
      assert.equal(hook.fake.requests.length, 1);
      assert.match(done.failureError ?? '', /410 Gone: no further attempts/);
      assert.ok(done.completedAt);
      assert.equal(done.nextAttemptAt, undefined);
      assert.deepEqual(hook.metricCalls(), [
        ['attemptOutcome', 'failure'],
        ['hookFinished', 'failed'],
      ]);
    });

    it('attempts exhausted (maxAttempts 3): failed after exactly 3 attempts', async () => {
      const hook = await env.schedule({
        steps: [reply.status(500), reply.status(502), reply.status(504), reply.ok()],
        retry: { strategy: 'fixed', delaySecs: 0.1, jitter: 0, maxAttempts: 3 },
      });
      const done = await hook.result();
      assert.equal(done.status, 'failed');
      assert.equal(done.attempts, 3);
      assert.equal(hook.fake.requests.length, 3);
      assert.deepEqual(outcomes(done), ['failure', 'failure', 'failure']);
      assert.equal(done.failureError, 'the receiver answered 504');
      assert.deepEqual(hook.metricCalls().at(-1), ['hookFinished', 'failed']);
    });

    it('an activity that throws counts as a failed attempt, then the hook is retried', async () => {
      const hook = await env.schedule({ steps: [reply.crash('receiver exploded'), reply.ok()] });
      const done = await hook.result();
      assert.equal(done.status, 'completed');
      assert.deepEqual(outcomes(done), ['failure', 'success']);
      assert.match(nth(done, 1).error ?? '', /receiver exploded/);
      assert.ok(nth(done, 1).startedAt);
      assert.ok(nth(done, 1).durationMs >= 0);
    });

    // The activity's start-to-close timeout is deliveryTimeoutMs + 5 s: this test takes about 5 s.
    it('an activity that never reports back is recorded as a timeout, then retried', async () => {
      const hook = await env.schedule({ steps: [reply.hang(), reply.ok()], deliveryTimeoutMs: 100 });
      const done = await hook.result();
      assert.equal(done.status, 'completed');
      assert.deepEqual(outcomes(done), ['timeout', 'success']);
      assert.equal(nth(done, 1).error, 'the delivery worker did not report back in time');
      assert.ok(nth(done, 1).durationMs >= 5_000, 'the attempt lasted until its timeout');
    });
  });

  describe('retry schedule', { concurrency: true }, () => {
    async function delaysUnder(retry: RetryOverride, failures: number): Promise<number[]> {
      const steps = Array.from({ length: failures }, () => reply.status(500));
      const hook = await env.schedule({ steps: [...steps, reply.ok()], retry });
      const delays = await retryDelays(hook, failures);
      assert.equal((await hook.result()).status, 'completed');
      return delays;
    }

    it('fixed: the same delay after every failure', async () => {
      const delays = await delaysUnder({ strategy: 'fixed', delaySecs: 0.6, jitter: 0, maxAttempts: 4 }, 3);
      assert.deepEqual(delays, [600, 600, 600]);
    });

    it('exponential: the delay grows by the factor, capped at maxDelaySecs', async () => {
      const retry: RetryOverride = {
        strategy: 'exponential',
        delaySecs: 0.5,
        backoffFactor: 2,
        maxDelaySecs: 1.5,
        jitter: 0,
        maxAttempts: 4,
      };
      assert.deepEqual(await delaysUnder(retry, 3), [500, 1_000, 1_500]);
    });

    it('schedule: the listed delays in order, the last one repeating', async () => {
      const retry: RetryOverride = {
        strategy: 'schedule',
        scheduleSecs: [0.5, 0.8],
        jitter: 0,
        maxAttempts: 4,
      };
      assert.deepEqual(await delaysUnder(retry, 3), [500, 800, 800]);
    });

    it('default policy: the first retry is due 30 s ± 20 % after the failure', async () => {
      const hook = await env.schedule({ steps: [reply.status(500)], retry: null });
      const waiting = await hook.waitFor('the first retry', inRetry(1));
      const delay = msBetween(waiting.updatedAt, waiting.nextAttemptAt);
      assert.ok(delay >= 24_000 && delay <= 36_000, `first delay ${delay} ms`);
      const sinceFailure = msBetween(nth(waiting, 1).finishedAt, waiting.nextAttemptAt);
      assert.ok(sinceFailure >= 24_000 - CLOCK_SLACK_MS && sinceFailure <= 36_000 + LATENESS_MS);
      assert.equal((await hook.cancel()).status, 'cancelled');
      assert.equal(hook.fake.requests.length, 1);
    });

    it('Retry-After longer than the policy delay sets the next attempt; a shorter one does not', async () => {
      const hook = await env.schedule({
        steps: [
          reply.status(429, { retryAfterMs: 1_200 }),
          reply.status(503, { retryAfterMs: 50 }),
          reply.ok(),
        ],
        retry: { strategy: 'fixed', delaySecs: 0.6, jitter: 0, maxAttempts: 3 },
      });
      assert.deepEqual(await retryDelays(hook, 2), [1_200, 600]);
      const done = await hook.result();
      assert.equal(done.status, 'completed');
      const gap = msBetween(nth(done, 1).finishedAt, nth(done, 2).startedAt);
      assert.ok(gap >= 1_200 - CLOCK_SLACK_MS, `the second attempt came ${gap} ms after the 429`);
    });

    it('Retry-After is honoured up to 24 h only', async () => {
      const hook = await env.schedule({
        steps: [reply.status(503, { retryAfterMs: 3 * MAX_RETRY_AFTER_MS })],
      });
      const waiting = await hook.waitFor('the retry', inRetry(1));
      assert.equal(msBetween(waiting.updatedAt, waiting.nextAttemptAt), MAX_RETRY_AFTER_MS);
      assert.equal((await hook.cancel()).status, 'cancelled');
    });
  });

  describe('async acknowledgements', { concurrency: true }, () => {
    it('202 then ack: completed, the attempt acked', async () => {
      const hook = await env.schedule({ async: true, steps: [reply.accepted(30)] });
      const waiting = await hook.waitFor('the ack wait', awaitingAck(1));
      assert.equal(waiting.status, 'pending');
      assert.deepEqual(outcomes(waiting), ['async_pending']);
      assert.equal(hook.fake.requests[0]?.async, true);
      const attempt = nth(waiting, 1);
      assert.equal(msBetween(attempt.finishedAt, attempt.ackDeadline), 30_000);

      await hook.callback({ attempt: 1, kind: 'ack' });
      const done = await hook.result();
      assert.equal(done.status, 'completed');
      assert.deepEqual(outcomes(done), ['acked']);
      assert.equal(nth(done, 1).error, undefined);
      assert.deepEqual(hook.metricCalls(), [
        ['attemptOutcome', 'async_pending'],
        ['attemptOutcome', 'acked'],
        ['hookFinished', 'completed'],
      ]);
    });

    it('202 then nack: the attempt nacked with its body kept, and retried per policy', async () => {
      const hook = await env.schedule({
        async: true,
        steps: [reply.accepted(30), reply.ok()],
        retry: { strategy: 'fixed', delaySecs: 0.7, jitter: 0, maxAttempts: 3 },
      });
      await hook.waitFor('the ack wait', awaitingAck(1));
      await hook.callback({ attempt: 1, kind: 'nack', nackBody: 'transcoder busy: ünïcode' });
      const waiting = await hook.waitFor('the retry after the nack', inRetry(1));
      assert.equal(msBetween(waiting.updatedAt, waiting.nextAttemptAt), 700);

      const done = await hook.result();
      assert.equal(done.status, 'completed');
      assert.deepEqual(outcomes(done), ['nacked', 'success']);
      assert.equal(nth(done, 1).nackBody, 'transcoder busy: ünïcode');
      assert.equal(nth(done, 1).error, 'the receiver sent a nack');
      assert.equal(hook.fake.requests[1]?.attempt, 2);
    });

    it('no callback: async_timeout once the deadline and its 2 s grace have passed, then retried', async () => {
      const hook = await env.schedule({ async: true, steps: [reply.accepted(1), reply.ok()] });
      const done = await hook.result();
      assert.equal(done.status, 'completed');
      assert.deepEqual(outcomes(done), ['async_timeout', 'success']);
      const first = nth(done, 1);
      const second = nth(done, 2);
      assert.equal(first.error, 'no ack or nack within 1 s');
      assert.equal(msBetween(first.finishedAt, first.ackDeadline), 1_000);
      const waited = msBetween(first.finishedAt, second.startedAt);
      assert.ok(waited >= 3_000 - CLOCK_SLACK_MS, `the retry came ${waited} ms after the 202`);
      assert.deepEqual(hook.metricCalls(), [
        ['attemptOutcome', 'async_pending'],
        ['attemptOutcome', 'async_timeout'],
        ['attemptOutcome', 'success'],
        ['hookFinished', 'completed'],
      ]);
    });

    it('a late ack (received after the deadline, within the grace) is ignored: async_timeout', async () => {
      const hook = await env.schedule({
        async: true,
        steps: [reply.accepted(1)],
        retry: { ...FAST_RETRY, maxAttempts: 1 },
      });
      const waiting = await hook.waitFor('the ack wait', awaitingAck(1));
      await sleepUntil(Date.parse(nth(waiting, 1).ackDeadline ?? '') + 200);
      await hook.callback({ attempt: 1, kind: 'ack' });
      const done = await hook.result();
      assert.equal(done.status, 'failed');
      assert.deepEqual(outcomes(done), ['async_timeout']);
    });

    it('an ack received before the deadline but signalled during the grace is applied', async () => {
      const hook = await env.schedule({
        async: true,
        steps: [reply.accepted(1)],
        retry: { ...FAST_RETRY, maxAttempts: 1 },
      });
      const waiting = await hook.waitFor('the ack wait', awaitingAck(1));
      const deadline = Date.parse(nth(waiting, 1).ackDeadline ?? '');
      await sleepUntil(deadline + 200);
      await hook.callback({ attempt: 1, kind: 'ack', receivedAt: new Date(deadline - 1) });
      const done = await hook.result();
      assert.equal(done.status, 'completed');
      assert.deepEqual(outcomes(done), ['acked']);
    });

    it('an early ack, sent before the 202 reached the workflow, is kept and applied', async () => {
      const gate = new Gate();
      const hook = await env.schedule({ async: true, steps: [gate.step] });
      await hook.waitForRequests(1);
      await hook.callback({ attempt: 1, kind: 'ack' });
      gate.release(reply.accepted(60));
      // Applied at once: nowhere near the 60 s the receiver asked for.
      const done = await hook.waitFor('completion', (state) => state.status === 'completed', 5_000);
      assert.deepEqual(outcomes(done), ['acked']);
      assert.equal(msBetween(nth(done, 1).finishedAt, nth(done, 1).ackDeadline), 60_000);
    });

    it('a callback for another attempt number is ignored', async () => {
      const hook = await env.schedule({ async: true, steps: [reply.accepted(30), reply.ok()] });
      await hook.waitFor('the ack wait', awaitingAck(1));
      await hook.callback({ attempt: 2, kind: 'ack' });
      await hook.callback({ attempt: 0, kind: 'ack' });
      // Had either been taken, this nack would have come second and been dropped.
      await hook.callback({ attempt: 1, kind: 'nack', nackBody: 'no' });
      const done = await hook.result();
      assert.deepEqual(outcomes(done), ['nacked', 'success']);
      assert.equal(nth(done, 1).nackBody, 'no');
    });

    it('the wait for an ack is capped at 3 h whatever the receiver asks', async () => {
      const hook = await env.schedule({ async: true, steps: [reply.accepted(999_999)] });
      const waiting = await hook.waitFor('the ack wait', awaitingAck(1));
      const attempt = nth(waiting, 1);
      assert.equal(msBetween(attempt.finishedAt, attempt.ackDeadline), MAX_ASYNC_TIMEOUT_SECS * 1000);
      assert.equal(MAX_ASYNC_TIMEOUT_SECS, 10_800);
      await hook.callback({ attempt: 1, kind: 'ack' });
      assert.deepEqual(outcomes(await hook.result()), ['acked']);
    });

    it('an async hook answered 200 completes at once', async () => {
      const hook = await env.schedule({ async: true, steps: [reply.ok()] });
      const done = await hook.result();
      assert.deepEqual(outcomes(done), ['success']);
      assert.equal(nth(done, 1).ackDeadline, undefined);
      assert.deepEqual(callbackMemoOf((await hook.handle.describe()).memo), { attempt: 1, phase: 'done' });
    });
  });

  describe('cancel', { concurrency: true }, () => {
    it('while sleeping: cancelled at once, the receiver never called', async () => {
      const hook = await env.schedule({ steps: [reply.ok()], postAt: new Date(Date.now() + 3_600_000) });
      const cancelled = await hook.cancel();
      assert.equal(cancelled.status, 'cancelled');
      assert.ok(cancelled.completedAt);
      assert.equal(cancelled.nextAttemptAt, undefined);
      const done = await hook.result();
      assert.equal(done.status, 'cancelled');
      assert.equal(done.attempts, 0);
      assert.equal(hook.fake.requests.length, 0);
      assert.deepEqual(hook.metricCalls(), []);
    });

    // The attempt is a local activity: the update reaches the workflow once the attempt's task ends.
    it('during an attempt that then fails: the cancel waits for it, then cancels', async () => {
      const gate = new Gate();
      const hook = await env.schedule({ steps: [gate.step], deliveryTimeoutMs: IN_FLIGHT_TIMEOUT_MS });
      await hook.waitForRequests(1);
      const update = settles(hook.cancel());
      await sleep(300);
      assert.equal(update.settled, false, 'the attempt in flight is not cut off');
      gate.release(reply.status(500));
      const cancelled = await update.promise;
      assert.equal(cancelled.status, 'cancelled');
      const done = await hook.result();
      assert.equal(done.status, 'cancelled');
      assert.deepEqual(outcomes(done), ['failure']);
      assert.equal(done.nextAttemptAt, undefined);
      assert.equal(hook.fake.requests.length, 1);
    });

    it('during an attempt that then succeeds: the cancel is refused and the hook completed', async () => {
      const gate = new Gate();
      const hook = await env.schedule({ steps: [gate.step], deliveryTimeoutMs: IN_FLIGHT_TIMEOUT_MS });
      await hook.waitForRequests(1);
      const update = settles(hook.cancel());
      await sleep(300);
      gate.release(reply.ok());
      // The hook completed in the task that ended the attempt, which closed the workflow and aborted the
      // update; the API answers it as a conflict, from the completed hook.
      await assertClosed(update.promise);
      assert.equal((await hook.result()).status, 'completed');
    });

    it('during the wait for an ack: cancelled', async () => {
      const hook = await env.schedule({ async: true, steps: [reply.accepted(60)] });
      await hook.waitFor('the ack wait', awaitingAck(1));
      assert.equal((await hook.cancel()).status, 'cancelled');
      const done = await hook.result();
      assert.equal(done.status, 'cancelled');
      assert.deepEqual(outcomes(done), ['async_pending']);
    });

    it('refused for a failed hook, and for a closed one', async () => {
      const failed = await env.schedule({ steps: [reply.gone()], retryWindowMs: 30_000 });
      await failed.waitFor('failure', (state) => state.status === 'failed');
      await assertConflict(failed.cancel(), /hook is failed and can no longer be cancelled/);

      const completed = await env.schedule({ steps: [reply.ok()] });
      await completed.result();
      await assertClosed(completed.cancel());
      await failed.handle.terminate('test over');
    });
  });

  describe('reschedule', { concurrency: true }, () => {
    it('earlier: delivered at the new time, which the request carries as postAt', async () => {
      const hook = await env.schedule({ steps: [reply.ok()], postAt: new Date(Date.now() + 3_600_000) });
      // Far enough ahead that the update's answer (the state at the end of its workflow task) still
      // shows the hook waiting, even when a busy machine delays that task by seconds.
      const postAt = new Date(Date.now() + 4_000);
      const moved = await hook.reschedule(postAt);
      const answer = JSON.stringify(moved);
      assert.equal(moved.status, 'pending', answer);
      assert.equal(moved.postAt, postAt.toISOString(), answer);
      assert.equal(moved.nextAttemptAt, postAt.toISOString(), answer);

      const done = await hook.result();
      assert.equal(done.status, 'completed');
      assert.equal(done.postAt, postAt.toISOString());
      assert.equal(hook.fake.requests[0]?.postAt, postAt.toISOString());
      const late = msBetween(postAt.toISOString(), nth(done, 1).startedAt);
      assert.ok(late >= -CLOCK_SLACK_MS && late <= LATENESS_MS, `delivered ${late} ms after the new time`);
    });

    it('later: nothing is delivered at the old time, nextAttemptAt moves', async () => {
      const oldDue = Date.now() + 800;
      const hook = await env.schedule({ steps: [reply.ok()], postAt: new Date(oldDue) });
      const postAt = new Date(Date.now() + 3_600_000);
      assert.equal((await hook.reschedule(postAt)).nextAttemptAt, postAt.toISOString());

      await sleepUntil(oldDue + 700);
      assert.equal(hook.fake.requests.length, 0);
      const state = await hook.state();
      assert.equal(state.status, 'pending');
      assert.equal(state.nextAttemptAt, postAt.toISOString());
      const description = await hook.handle.describe();
      assert.equal(nextAttemptAtOf(description.typedSearchAttributes)?.toISOString(), postAt.toISOString());
      await hook.cancel();
    });

    it('refused once an attempt has started (in flight or awaiting its ack), while retrying, for a failed or closed hook', async () => {
      const gate = new Gate();
      const inFlight = await env.schedule({ steps: [gate.step], deliveryTimeoutMs: IN_FLIGHT_TIMEOUT_MS });
      await inFlight.waitForRequests(1);
      const moved = inFlight.reschedule(new Date(Date.now() + 60_000));
      await sleep(300);
      gate.release(reply.ok());
      await assertClosed(moved);
      assert.equal((await inFlight.result()).status, 'completed');
      await assertClosed(inFlight.reschedule(new Date(Date.now() + 60_000)));

      // Pending again while it waits for the ack, but its attempt has been made.
      const awaiting = await env.schedule({ async: true, steps: [reply.accepted(60)] });
      await awaiting.waitFor('the ack wait', awaitingAck(1));
      await assertConflict(awaiting.reschedule(new Date(Date.now() + 60_000)), /already being delivered/);
      await awaiting.cancel();

      const retrying = await env.schedule({
        steps: [reply.status(500)],
        retry: { strategy: 'fixed', delaySecs: 60, jitter: 0 },
      });
      await retrying.waitFor('the retry', inRetry(1));
      await assertConflict(retrying.reschedule(new Date(Date.now() + 60_000)));
      await retrying.cancel();

      const failed = await env.schedule({ steps: [reply.gone()], retryWindowMs: 30_000 });
      await failed.waitFor('failure', (state) => state.status === 'failed');
      await assertConflict(failed.reschedule(new Date()), /hook is failed and can no longer be rescheduled/);
      await failed.handle.terminate('test over');
    });

    it('refuses a postAt that is not an instant, and the hook stays deliverable', async () => {
      const hook = await env.schedule({ steps: [reply.ok()], postAt: new Date(Date.now() + 1_500) });
      await assertConflict(
        hook.handle.executeUpdate(rescheduleHookUpdate, { args: ['not a time'] }),
        /is not an instant/,
      );
      assert.equal((await hook.result()).status, 'completed');
    });

    it('a reschedule sent just as the hook comes due either moves it or is refused, never both', async () => {
      // Several hooks, each rescheduled a little before, at, or after its due time: the dev server fires
      // timers up to a few hundred milliseconds late, so the spread makes both outcomes likely.
      const offsetsMs = [-50, 0, 100, 200, 300, 400, 500, 700, 900];
      const dueAt = Date.now() + 1_000;
      const results = await Promise.all(
        offsetsMs.map(async (offset) => {
          const hook = await env.schedule({ steps: [reply.ok()], postAt: new Date(dueAt) });
          await sleepUntil(dueAt + offset);
          const later = new Date(Date.now() + 3_600_000);
          return { hook, later, outcome: await acceptedOrRefused(hook.reschedule(later)) };
        }),
      );
      await sleep(700);
      for (const { hook, later, outcome } of results) {
        if (outcome === 'accepted') {
          assert.equal(hook.fake.requests.length, 0, 'a moved hook was delivered at its old time');
          assert.equal((await hook.state()).nextAttemptAt, later.toISOString());
          await hook.cancel();
        } else {
          const done = await hook.result();
          assert.equal(done.status, 'completed');
          assert.equal(hook.fake.requests.length, 1);
          assert.equal(done.postAt, hook.input.postAt);
        }
      }
    });
  });

  describe('retry of a failed hook', { concurrency: true }, () => {
    it('a new delivery cycle: attempts keep their numbers, the policy counts afresh, completes', async () => {
      const hook = await env.schedule({
        steps: [reply.status(500), reply.status(500), reply.status(500), reply.ok()],
        retry: { strategy: 'fixed', delaySecs: 0.1, jitter: 0, maxAttempts: 2 },
        retryWindowMs: 30_000,
      });
      const failed = await hook.waitFor('failure', (state) => state.status === 'failed');
      assert.equal(failed.attempts, 2);

      const retried = await hook.retry();
      assert.equal(retried.status, 'pending');
      assert.equal(retried.attempts, 2);
      assert.equal(retried.failureError, undefined);
      assert.equal(retried.completedAt, undefined);
      assert.ok(retried.nextAttemptAt);

      const done = await hook.result();
      assert.equal(done.status, 'completed');
      assert.deepEqual(
        done.attemptHistory.map((attempt) => attempt.number),
        [1, 2, 3, 4],
      );
      assert.deepEqual(
        hook.fake.requests.map((req) => req.attempt),
        [1, 2, 3, 4],
      );
      assert.deepEqual(hook.metricCalls(), [
        ['attemptOutcome', 'failure'],
        ['attemptOutcome', 'failure'],
        ['hookFinished', 'failed'],
        ['attemptOutcome', 'failure'],
        ['attemptOutcome', 'success'],
        ['hookFinished', 'completed'],
      ]);
    });

    it('refused unless failed: pending, retrying, completed', async () => {
      const pending = await env.schedule({ steps: [reply.ok()], postAt: new Date(Date.now() + 3_600_000) });
      await assertConflict(pending.retry(), /only failed hooks can be retried; this one is pending/);

      const retrying = await env.schedule({
        steps: [reply.status(500)],
        retry: { strategy: 'fixed', delaySecs: 60, jitter: 0 },
      });
      await retrying.waitFor('the retry', inRetry(1));
      await assertConflict(retrying.retry(), /this one is retry/);

      const completed = await env.schedule({ steps: [reply.ok()] });
      await completed.result();
      await assertClosed(completed.retry());
      await Promise.all([pending.cancel(), retrying.cancel()]);
    });

    it('after the retry window the workflow closes failed, and a retry no longer reaches it', async () => {
      const hook = await env.schedule({ steps: [reply.gone()], retryWindowMs: 1_500 });
      const failed = await hook.waitFor('failure', (state) => state.status === 'failed');
      const description = await hook.handle.describe();
      assert.equal(description.status.name, 'RUNNING', 'a failed hook stays open for a retry');

      const done = await hook.result();
      assert.equal(done.status, 'failed');
      const closed = await hook.handle.describe();
      assert.equal(closed.status.name, 'COMPLETED');
      const parkedMs = (closed.closeTime?.getTime() ?? 0) - Date.parse(failed.completedAt ?? '');
      assert.ok(parkedMs >= 1_500 - CLOCK_SLACK_MS, `closed ${parkedMs} ms after failing`);
      await assertClosed(hook.retry());
    });
  });

  describe('batched', { concurrency: true }, () => {
    let keys = 0;
    /** A batch of its own per hook: one member, sent as soon as it joins. */
    const alone = () => ({ key: `solo-${++keys}-${Date.now()}`, maxSize: 1, windowSecs: 30 });

    it('keeps the outcome its batch told it before its own join completed', async () => {
      const hook = await env.schedule({ steps: [reply.ok()], batch: { ...alone(), joinReturnsLate: true } });
      const done = await hook.result();
      assert.equal(done.status, 'completed');
      assert.deepEqual(outcomes(done), ['success']);
      assert.match(done.batch?.batchId ?? '', /^bat_[0-9a-f]{32}$/);
      assert.deepEqual(hook.metricCalls(), [
        ['attemptOutcome', 'success'],
        ['hookFinished', 'completed'],
      ]);
    });

    it('fails with its batch, and a retry gives it a new batch under the same hook', async () => {
      const hook = await env.schedule({
        steps: [reply.status(500), reply.ok()],
        retry: { maxAttempts: 1 },
        retryWindowMs: 10_000,
        batch: alone(),
      });
      const failed = await hook.waitFor('failure', (state) => state.status === 'failed');
      assert.equal(failed.failureError, 'the receiver answered 500');
      await hook.retry();
      const done = await hook.result();
      assert.equal(done.status, 'completed');
      assert.deepEqual(
        done.attemptHistory.map((attempt) => [attempt.number, attempt.outcome]),
        [
          [1, 'failure'],
          [2, 'success'],
        ],
      );
      assert.notEqual(done.batch?.batchId, failed.batch?.batchId, 'another batch request');
    });
  });

  describe('published record', { concurrency: true }, () => {
    it('search attributes follow the status: retry with its next attempt, then completed', async () => {
      const hook = await env.schedule({
        steps: [reply.status(500), reply.ok()],
        retry: { strategy: 'fixed', delaySecs: 1, jitter: 0 },
      });
      const waiting = await hook.waitFor('the retry', inRetry(1));
      const during = (await hook.handle.describe()).typedSearchAttributes;
      assert.equal(hookStatusOf(during), 'retry');
      assert.equal(nextAttemptAtOf(during)?.toISOString(), waiting.nextAttemptAt);

      await hook.result();
      const attributes = (await hook.handle.describe()).typedSearchAttributes;
      assert.ok(HOOK_ATTEMPTS && HOOK_PROJECT && HOOK_PATH);
      assert.equal(hookStatusOf(attributes), 'completed');
      assert.equal(attributes.get(HOOK_ATTEMPTS), 2);
      assert.equal(attributes.get(HOOK_PROJECT), PROJECT_ID);
      assert.equal(attributes.get(HOOK_PATH), `/hooks/${hook.input.hookId}`);
      assert.equal(nextAttemptAtOf(attributes), undefined);
    });

    it('the callback memo of an async hook: delivering, awaiting_ack with its deadline, acked', async () => {
      const gate = new Gate();
      const hook = await env.schedule({ async: true, steps: [gate.step] });
      const memo = async () => callbackMemoOf((await hook.handle.describe()).memo);
      await hook.waitForRequests(1);
      assert.deepEqual(await memo(), { attempt: 1, phase: 'delivering' });

      gate.release(reply.accepted(30));
      const waiting = await hook.waitFor('the ack wait', awaitingAck(1));
      assert.deepEqual(await memo(), {
        attempt: 1,
        phase: 'awaiting_ack',
        ackDeadline: nth(waiting, 1).ackDeadline,
      });

      await hook.callback({ attempt: 1, kind: 'ack' });
      await hook.result();
      assert.deepEqual(await memo(), { attempt: 1, phase: 'acked' });
    });
  });
});
