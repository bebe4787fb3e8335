import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Attempt, HookWorkflowInput } from '../../src/domain/hook';
import { initialHookState } from '../../src/domain/hook-state';
import { DEFAULT_RETRY_POLICY } from '../../src/domain/retry-policy';
import {
  attemptOfMemoUpdate,
  hookStateMemoUpdate,
  hookStateOf,
  hookWorkflowId,
  initialHookRecord,
  parseHookWorkflowId,
  publishesState,
} from '../../src/workflows/hook-record';

const input: HookWorkflowInput = {
  hookId: `hk_${'c'.repeat(32)}`,
  projectId: 'shop',
  target: { path: '/orders' },
  targetUrl: 'https://receiver.example/orders',
  data: { order: 42 },
  postAt: '2030-01-01T00:00:00.000Z',
  createdAt: '2029-12-31T00:00:00.000Z',
  retry: DEFAULT_RETRY_POLICY,
  async: true,
  deliveryTimeoutMs: 10_000,
  retryWindowMs: 86_400_000,
  publishesState: true,
};

/** What Temporal keeps is JSON: undefined fields are gone once a record has been stored. */
function stored<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function attempt(number: number, outcome: Attempt['outcome']): Attempt {
  return {
    number,
    startedAt: '2030-01-01T00:00:00.000Z',
    finishedAt: '2030-01-01T00:00:01.000Z',
    durationMs: 1000,
    outcome,
  };
}

describe('hook record', () => {
  it('builds and parses workflow ids, and refuses what is not one', () => {
    const id = hookWorkflowId('shop', input.hookId);
    assert.deepEqual(parseHookWorkflowId(id), { projectId: 'shop', hookId: input.hookId });
    assert.throws(() => parseHookWorkflowId('other:shop:hk_1'));
    assert.throws(() => parseHookWorkflowId('hook:shop'));
  });

  it('rebuilds a hook from its start record alone, as a sleeping hook has nothing more', () => {
    const start = initialHookRecord('shop', initialHookState(input), undefined);
    assert.ok(publishesState(start.memo));
    assert.deepEqual(
      hookStateOf({ memo: stored(start.memo), input, publishedAttempts: [] }),
      stored(initialHookState(input)),
    );
  });

  it('folds state changes and attempt records: the latest state, each attempt as last published', () => {
    const hook = initialHookState(input);
    const start = initialHookRecord('shop', hook, 'a-request-hash');
    const pending = { ...hook, attempts: 1, attemptHistory: [attempt(1, 'async_pending')] };
    const acked = {
      ...pending,
      status: 'completed' as const,
      completedAt: '2030-01-01T00:00:05.000Z',
      attemptHistory: [attempt(1, 'acked')],
    };
    const updates = [hookStateMemoUpdate(pending), hookStateMemoUpdate(acked)].map(stored);
    const memo = Object.assign(stored(start.memo), ...updates) as Record<string, unknown>;
    const publishedAttempts = updates.flatMap((update) => attemptOfMemoUpdate(update) ?? []);
    assert.deepEqual(hookStateOf({ memo, input, publishedAttempts }), stored(acked));
  });

  it('knows no state for a hook whose workflow does not publish it', () => {
    const { state: _state, ...previousRelease } = initialHookRecord(
      'shop',
      initialHookState(input),
      undefined,
    ).memo;
    assert.equal(publishesState(previousRelease), false);
    assert.equal(hookStateOf({ memo: previousRelease, input, publishedAttempts: [] }), undefined);
  });
});
