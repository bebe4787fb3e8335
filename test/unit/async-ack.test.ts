import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asyncTimeoutSecs, type CallbackMemo, judgeCallback } from '../../src/domain/async-ack';

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
  const judge = (callbackMemo: CallbackMemo | undefined, attempt: number, cancelled = false) =>
    judgeCallback({ cancelled, memo: callbackMemo }, attempt, now);

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
