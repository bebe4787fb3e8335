import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  asyncTimeoutSecs,
  type CallbackMemo,
  CallbackWindow,
  callbackTokenExpiry,
  judgeCallback,
  MAX_ASYNC_TIMEOUT_SECS,
} from '../../src/domain/async-ack';

describe('asyncTimeoutSecs', () => {
  it('defaults to 300 s and clamps to 1..10800 s', () => {
    assert.equal(asyncTimeoutSecs(undefined), 300);
    assert.equal(asyncTimeoutSecs('soon'), 300);
    assert.equal(asyncTimeoutSecs('-5'), 300);
    assert.equal(asyncTimeoutSecs('1.5'), 300);
    assert.equal(asyncTimeoutSecs('0'), 1);
    assert.equal(asyncTimeoutSecs('2'), 2);
    assert.equal(asyncTimeoutSecs(' 600 '), 600);
    assert.equal(asyncTimeoutSecs('10800'), 10_800);
    assert.equal(asyncTimeoutSecs('10801'), 10_800);
    assert.equal(asyncTimeoutSecs('99999999999999999999'), 10_800);
  });
});

describe('judgeCallback', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const memo = (attempt: number, phase: CallbackMemo['phase'], ackDeadline?: string): CallbackMemo => ({
    attempt,
    phase,
    ackDeadline,
  });
  const tokenValid = now.getTime() / 1000 + 60;
  const judge = (
    callbackMemo: CallbackMemo | undefined,
    attempt: number,
    cancelled = false,
    expiresAt = tokenValid,
  ) => judgeCallback({ cancelled, memo: callbackMemo }, { attempt, expiresAt }, now);

  it('applies a callback for the attempt awaiting its ack, before the deadline', () => {
    assert.equal(judge(memo(2, 'awaiting_ack', '2030-01-01T00:00:01Z'), 2), 'apply');
    assert.equal(judge(memo(2, 'awaiting_ack', '2029-12-31T23:59:59Z'), 2), 'deadline_passed');
  });

  it('applies a callback that overtakes the 202 of its own attempt', () => {
    assert.equal(judge(memo(1, 'delivering'), 1), 'apply');
  });

  it('tells resolved, superseded, timed-out and never-awaiting attempts apart', () => {
    assert.equal(judge(memo(1, 'acked'), 1), 'already_resolved');
    assert.equal(judge(memo(1, 'nacked'), 1), 'already_resolved');
    assert.equal(judge(memo(2, 'awaiting_ack', '2030-01-01T00:05:00Z'), 1), 'moved_on');
    assert.equal(judge(memo(1, 'async_timeout'), 1), 'deadline_passed');
    assert.equal(judge(memo(1, 'done'), 1), 'not_awaiting');
  });

  it('knows no hook that is cancelled or never published a callback state', () => {
    assert.equal(judge(memo(1, 'awaiting_ack', '2030-01-01T00:05:00Z'), 1, true), 'unknown_hook');
    assert.equal(judge(undefined, 1), 'unknown_hook');
    assert.equal(judge(memo(1, 'delivering'), 3), 'unknown_hook');
  });
});

describe('the ack deadline, as the token, the workflow and the API see it', () => {
  const now = new Date('2030-01-01T00:00:00Z');

  it('refuses a callback whose token has expired, even for an attempt still awaiting its ack', () => {
    const memo: CallbackMemo = { attempt: 1, phase: 'awaiting_ack', ackDeadline: '2030-01-01T01:00:00Z' };
    const expiredToken = { attempt: 1, expiresAt: now.getTime() / 1000 - 1 };
    assert.equal(judgeCallback({ cancelled: false, memo }, expiredToken, now), 'deadline_passed');
  });

  it('gives tokens a lifetime past the longest wait a receiver may ask for', () => {
    const startedAt = new Date('2030-01-01T00:00:00Z');
    const expiresAt = callbackTokenExpiry(startedAt, 10_000);
    const longestDeadline = startedAt.getTime() + 10_000 + MAX_ASYNC_TIMEOUT_SECS * 1000;
    assert.ok(expiresAt * 1000 > longestDeadline);
  });

  it('caps the wait at 3 hours whatever the attempt reports, and keeps only callbacks in time', () => {
    const window = new CallbackWindow(2);
    const deadline = window.awaitAck('2030-01-01T00:00:00.000Z', 999_999);
    assert.equal(deadline.toISOString(), '2030-01-01T03:00:00.000Z');
    const signal = (attempt: number, receivedAt: string) => ({ attempt, kind: 'ack' as const, receivedAt });
    window.offer(signal(1, '2030-01-01T00:00:01Z'));
    window.offer(signal(2, '2030-01-01T03:00:01Z'));
    assert.equal(window.callback?.receivedAt, undefined);
    window.offer(signal(2, '2030-01-01T02:59:59Z'));
    window.offer(signal(2, '2030-01-01T02:59:59.500Z'));
    assert.equal(window.callback?.receivedAt, '2030-01-01T02:59:59Z');
  });

  it('listens for 2 s past the deadline, for callbacks the API admitted just before it', () => {
    const window = new CallbackWindow(1);
    const deadline = window.awaitAck('2030-01-01T00:00:00.000Z', 5).getTime();
    assert.equal(window.listenMs(deadline), 2_000);
    assert.equal(window.listenMs(deadline + 5_000), 0);
  });

  it('keeps a callback that overtakes its own 202', () => {
    const window = new CallbackWindow(1);
    window.offer({ attempt: 1, kind: 'nack', nackBody: 'no', receivedAt: '2030-01-01T00:00:00Z' });
    window.awaitAck('2030-01-01T00:00:01Z', 300);
    assert.equal(window.callback?.kind, 'nack');
  });
});
