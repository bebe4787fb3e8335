import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HookState, HookWorkflowInput } from '../../src/domain/hook';
import { initialHookState } from '../../src/domain/hook-state';
import { newHookId } from '../../src/domain/hook-ids';
import { newHookWorkflowInput } from '../../src/temporal/hook-start';
import { DEFAULT_RETRY_POLICY } from '../../src/domain/retry-policy';
import { hookWorkflowId, initialHookRecord } from '../../src/workflows/hook-record';
import { hookStateQuery } from '../../src/workflows/messages';
import { type Reply, TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

/**
 * A hook is read from Temporal's own records (memo, history, result), so reads answer with every
 * worker down, and answer what the workflow itself would.
 */

const REPLIES: Record<string, Reply> = {
  '/ok': { status: 200, body: 'fine' },
  '/fail': { status: 500, body: 'down for maintenance' },
  '/gone': { status: 410 },
  '/async': { status: 202, headers: { 'hook-async-timeout': '600' } },
};

/**
 * A hook as a read answers it, with what a read adds to the workflow's own state set apart: its endpoint,
 * the request of record and the links.
 */
function withoutEndpoint(
  read: HookState & { endpoint?: unknown; request?: unknown; links?: unknown },
): HookState {
  const { endpoint, request, links, ...hook } = read;
  assert.ok(endpoint, 'a read names the endpoint');
  assert.ok(request && links, 'a read shows the request of record and the links');
  return hook;
}

describe('reads without a worker', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  const hooks: Record<string, HookState> = {};
  const scheduledAs: Record<string, HookState> = {};
  const get = (hookId: string) => stack.request('reads', 'GET', `/v1/hooks/${hookId}`);

  before(async () => {
    receiver = await TestReceiver.start((arrival) => REPLIES[arrival.path] ?? { status: 404 });
    stack = await TestStack.start([{ id: 'reads', baseUrl: receiver.url }]);
    const fixed = { strategy: 'fixed', delaySecs: 3600, jitter: 0 };
    const shapes: [string, Record<string, unknown>, (hook: HookState) => boolean][] = [
      ['sleeping', { path: '/ok', postIn: '1h' }, () => true],
      ['completed', { path: '/ok', postIn: '0s' }, (hook) => hook.status === 'completed'],
      ['retrying', { path: '/fail', postIn: '0s', retryOverride: fixed }, (hook) => hook.status === 'retry'],
      ['failed', { path: '/gone', postIn: '0s' }, (hook) => hook.status === 'failed'],
      [
        'awaiting-ack',
        { path: '/async', postIn: '0s', async: true },
        (hook) => hook.attemptHistory[0]?.outcome === 'async_pending',
      ],
    ];
    await Promise.all(
      shapes.map(async ([name, body, reached]) => {
        const scheduled = await stack.schedule('reads', { ...body, data: { shape: name } });
        scheduledAs[name] = scheduled;
        hooks[name] = await stack.waitForHook('reads', scheduled.id, reached);
      }),
    );
  });
  after(async () => {
    await stack.close();
    await receiver.close();
  });

  it('reads a sleeping hook, whose workflow has not even run yet, as it was scheduled', async () => {
    // Started with a delay until it is due: no workflow task has run, so not even a query could answer.
    const handle = stack.client.workflow.getHandle(hookWorkflowId('reads', hooks.sleeping?.id ?? ''));
    await assert.rejects(handle.query(hookStateQuery));
    assert.ok(hooks.sleeping);
    assert.deepEqual(withoutEndpoint(hooks.sleeping), scheduledAs.sleeping);
  });

  it('reads an open hook exactly as the workflow itself holds it', async () => {
    for (const name of ['retrying', 'failed', 'awaiting-ack']) {
      const hook = hooks[name];
      assert.ok(hook, name);
      const fromWorkflow = await stack.client.workflow
        .getHandle(hookWorkflowId('reads', hook.id))
        .query(hookStateQuery);
      const response = await get(hook.id);
      assert.equal(response.statusCode, 200, name);
      assert.deepEqual(withoutEndpoint(response.json<{ data: HookState }>().data), fromWorkflow, name);
    }
  });

  it('answers for a hook in any state while no worker runs', async () => {
    const before = Object.fromEntries(
      await Promise.all(
        Object.entries(hooks).map(async ([name, hook]) => [name, (await get(hook.id)).json()] as const),
      ),
    );
    await stack.stopWorker();
    try {
      for (const [name, hook] of Object.entries(hooks)) {
        const response = await get(hook.id);
        assert.equal(response.statusCode, 200, `${name}: ${response.body}`);
        assert.deepEqual(response.json(), before[name], name);
      }
      const retrying = (await get(hooks.retrying?.id ?? '')).json<{ data: HookState }>().data;
      assert.equal(retrying.attemptHistory[0]?.responseBody, 'down for maintenance');
      assert.deepEqual(retrying.data, { shape: 'retrying' });
      const list = await stack.request('reads', 'GET', '/v1/hooks?limit=10');
      assert.equal(list.statusCode, 200);
    } finally {
      await stack.startWorker();
    }
  });

  // Hooks in flight keep the workflow shape they were started with (see HookWorkflowInput's flags): each
  // earlier release's shape, started as that release started it, is delivered by this release's worker.
  const EARLIER_RELEASES = [
    { release: 'before published state', publishesState: false },
    { release: 'before lean histories', publishesState: true },
  ] as const;
  for (const earlier of EARLIER_RELEASES) {
    it(`delivers and reads a hook started by the release ${earlier.release}`, async () => {
      const hookId = newHookId();
      const now = new Date();
      const current = newHookWorkflowInput(
        {
          target: { path: '/ok' },
          targetUrl: `${receiver.url}/ok`,
          data: { shape: earlier.release },
          postAt: new Date(now.getTime() + 1_000).toISOString(),
          retry: DEFAULT_RETRY_POLICY,
          async: false,
          deliveryTimeoutMs: 10_000,
        },
        { hookId, projectId: 'reads', retryWindowMs: 60_000 },
      );
      const { publishesState: _p, leanHistory: _l, ...bare } = current;
      const input: HookWorkflowInput = {
        ...bare,
        ...(earlier.publishesState ? { publishesState: true } : {}),
      };
      const { memo, typedSearchAttributes } = initialHookRecord('reads', initialHookState(input), undefined);
      const { state: _state, ...memoWithoutState } = memo;
      await stack.client.workflow.start('hookWorkflow', {
        taskQueue: stack.config.temporal.taskQueue,
        workflowId: hookWorkflowId('reads', hookId),
        args: [input],
        memo: earlier.publishesState ? memo : memoWithoutState,
        typedSearchAttributes,
      });
      const delivered = await stack.waitForHook('reads', hookId, (hook) => hook.status === 'completed');
      assert.equal(delivered.attempts, 1);
      assert.deepEqual(delivered.data, { shape: earlier.release });
      assert.ok(receiver.arrivals.some((arrival) => arrival.headers['webhook-id'] === hookId));
    });
  }
});
