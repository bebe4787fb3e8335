import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HookState } from '../../src/domain/hook';
import { hookWorkflowId } from '../../src/workflows/hook-record';
import { type Arrival, ReceiverPool, type Responder } from '../support/receiver';
import { TestStack } from '../support/stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface CallbackAnswer {
  data?: { hookId: string; attempt: number; result: string };
  error?: { code: string };
}

describe('async hooks', () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();
  const receiver = (responder?: Responder) => receivers.start(responder);
  const schedule = (url: string, extra: Record<string, unknown> = {}) =>
    stack.schedule('media', { url, postIn: '0s', async: true, ...extra });

  /** Calls an ack/nack URL the way a receiver would, through the API. */
  async function callback(url: string, body?: string): Promise<{ status: number; body: CallbackAnswer }> {
    const response = await stack.app.inject({
      method: 'POST',
      url: new URL(url).pathname,
      ...(body === undefined ? {} : { payload: body, headers: { 'content-type': 'text/plain' } }),
    });
    return { status: response.statusCode, body: response.json<CallbackAnswer>() };
  }
  const ackUrl = (arrival: Arrival | undefined) => String(arrival?.headers['hook-ack-url']);
  const nackUrl = (arrival: Arrival | undefined) => String(arrival?.headers['hook-nack-url']);
  const until = (status: HookState['status']) => (hook: HookState) => hook.status === status;

  before(async () => {
    stack = await TestStack.start([
      { id: 'media', allowUrlTargets: true },
      { id: 'async-default', allowUrlTargets: true, asyncHooks: true },
    ]);
  });
  after(async () => {
    await receivers.closeAll();
    await stack.close();
  });

  describe('with a worker running', { concurrency: true }, () => {
    it('202 then ack: completed, the attempt shows async_pending then acked', async () => {
      const target = await receiver(() => ({ status: 202 }));
      const hook = await schedule(target.url);
      const [arrival] = await target.waitFor(1, 10_000);
      assert.match(ackUrl(arrival), /^http:\/\/.+\/v1\/callbacks\/[\w-]+\.[\w-]+\/ack$/);
      assert.match(nackUrl(arrival), /\/nack$/);

      const waiting = await stack.waitForHook(
        'media',
        hook.id,
        (current) => current.attemptHistory.length === 1,
      );
      assert.equal(waiting.status, 'pending');
      assert.equal(waiting.attemptHistory[0]?.outcome, 'async_pending');
      const deadline = Date.parse(waiting.attemptHistory[0].ackDeadline ?? '');
      const finished = Date.parse(waiting.attemptHistory[0].finishedAt);
      assert.equal(deadline - finished, 300_000, 'the default wait is 300 s');

      const answer = await callback(ackUrl(arrival));
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.data, { hookId: hook.id, attempt: 1, result: 'applied' });
      const done = await stack.waitForHook('media', hook.id, until('completed'));
      assert.deepEqual(
        done.attemptHistory.map((attempt) => attempt.outcome),
        ['acked'],
      );
    });

    it('202 then nack with a body: retried, the second attempt acked, the nack body kept', async () => {
      const target = await receiver(() => ({ status: 202 }));
      const hook = await schedule(target.url, {
        retryOverride: { strategy: 'fixed', delaySecs: 0.5, jitter: 0 },
      });
      const [first] = await target.waitFor(1, 10_000);
      assert.equal((await callback(nackUrl(first), 'transcoder busy: ünïcode')).status, 200);

      const arrivals = await target.waitFor(2, 10_000);
      assert.equal(arrivals[1]?.headers['hook-attempt'], '2');
      assert.equal((await callback(ackUrl(arrivals[1]))).status, 200);
      const done = await stack.waitForHook('media', hook.id, until('completed'));
      assert.deepEqual(
        done.attemptHistory.map((attempt) => [attempt.outcome, attempt.nackBody]),
        [
          ['nacked', 'transcoder busy: ünïcode'],
          ['acked', undefined],
        ],
      );
    });

    it('202 with hook-async-timeout: 2 and no callback: async_timeout, retried, then failed', async () => {
      const target = await receiver(() => ({ status: 202, headers: { 'hook-async-timeout': '2' } }));
      const hook = await schedule(target.url, {
        retryOverride: { strategy: 'fixed', delaySecs: 0.5, jitter: 0, maxAttempts: 2 },
      });
      const done = await stack.waitForHook('media', hook.id, until('failed'), 30_000);
      assert.deepEqual(
        done.attemptHistory.map((attempt) => attempt.outcome),
        ['async_timeout', 'async_timeout'],
      );
      const [attempt] = done.attemptHistory;
      assert.equal(Date.parse(attempt?.ackDeadline ?? '') - Date.parse(attempt?.finishedAt ?? ''), 2000);
      assert.match(done.failureError ?? '', /no ack or nack within 2 s/);
      assert.equal(target.arrivals.length, 2);
    });

    it("answers 409 for an older attempt's URL once a newer attempt has started", async () => {
      const target = await receiver((_arrival, index) => ({
        status: 202,
        headers: { 'hook-async-timeout': index === 0 ? '1' : '600' },
      }));
      const hook = await schedule(target.url, {
        retryOverride: { strategy: 'fixed', delaySecs: 0.2, jitter: 0 },
      });
      const [first, second] = await target.waitFor(2, 15_000);
      await stack.waitForHook(
        'media',
        hook.id,
        (current) => current.attemptHistory[1]?.outcome === 'async_pending',
      );
      const stale = await callback(ackUrl(first));
      assert.equal(stale.status, 409);
      assert.equal(stale.body.error?.code, 'superseded');
      assert.equal((await callback(ackUrl(second))).status, 200);
      await stack.waitForHook('media', hook.id, until('completed'));
    });

    it('answers 401 for a tampered token', async () => {
      const target = await receiver(() => ({ status: 202 }));
      const hook = await schedule(target.url);
      const [arrival] = await target.waitFor(1, 10_000);
      const url = new URL(ackUrl(arrival));
      const [payload, signature] = (url.pathname.split('/')[3] ?? '').split('.');
      const forgedPayload = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), a: 2 }),
      ).toString('base64url');
      for (const token of [
        `${forgedPayload}.${signature ?? ''}`,
        `${payload ?? ''}.${'A'.repeat(43)}`,
        'garbage',
      ]) {
        const answer = await callback(`${url.origin}/v1/callbacks/${token}/ack`);
        assert.equal(answer.status, 401, token);
        assert.equal(answer.body.error?.code, 'invalid_token');
      }
      await stack.request('media', 'DELETE', `/v1/hooks/${hook.id}`);
    });

    it('answers 410 for an ack after the deadline', async () => {
      const target = await receiver(() => ({ status: 202, headers: { 'hook-async-timeout': '1' } }));
      const hook = await schedule(target.url, { retryOverride: { maxAttempts: 1 } });
      const [arrival] = await target.waitFor(1, 10_000);
      await sleep(1500);
      const late = await callback(ackUrl(arrival));
      assert.equal(late.status, 410, 'refused while the workflow still listens out its grace period');
      const done = await stack.waitForHook('media', hook.id, until('failed'));
      assert.equal(done.attemptHistory[0]?.outcome, 'async_timeout');
      assert.equal((await callback(ackUrl(arrival))).status, 410, 'and after the hook has failed');
    });

    it('answers 404 for an ack to a cancelled hook', async () => {
      const target = await receiver(() => ({ status: 202 }));
      const hook = await schedule(target.url);
      const [arrival] = await target.waitFor(1, 10_000);
      await stack.waitForHook('media', hook.id, (current) => current.attemptHistory.length === 1);
      const cancelled = await stack.request('media', 'DELETE', `/v1/hooks/${hook.id}`);
      assert.equal(cancelled.statusCode, 200, 'a hook awaiting its ack can be cancelled');
      const answer = await callback(ackUrl(arrival));
      assert.equal(answer.status, 404);
      assert.equal((await stack.getHook('media', hook.id)).status, 'cancelled');
    });

    it('answers 200 to the same ack twice, with one effect', async () => {
      const target = await receiver(() => ({ status: 202 }));
      const hook = await schedule(target.url);
      const [arrival] = await target.waitFor(1, 10_000);
      await stack.waitForHook('media', hook.id, (current) => current.attemptHistory.length === 1);
      const answers = await Promise.all([callback(ackUrl(arrival)), callback(ackUrl(arrival))]);
      assert.deepEqual(
        answers.map((answer) => answer.status),
        [200, 200],
      );
      const done = await stack.waitForHook('media', hook.id, until('completed'));
      const again = await callback(ackUrl(arrival));
      assert.equal(again.status, 200);
      assert.equal(again.body.data?.result, 'already_resolved');
      const nackAfterAck = await callback(nackUrl(arrival), 'too late');
      assert.equal(nackAfterAck.body.data?.result, 'already_resolved');
      const final = await stack.getHook('media', hook.id);
      assert.deepEqual(final.attemptHistory, done.attemptHistory);
      assert.equal(final.attemptHistory[0]?.outcome, 'acked');
    });

    it('keeps an ack that arrives before the 202 does', async () => {
      const target = await receiver(() => ({ status: 202, delayMs: 1000 }));
      const hook = await schedule(target.url);
      const [arrival] = await target.waitFor(1, 10_000);
      assert.equal((await callback(ackUrl(arrival))).status, 200);
      const done = await stack.waitForHook('media', hook.id, until('completed'));
      assert.equal(done.attemptHistory[0]?.outcome, 'acked');
    });

    it('accepts and shows a 3-hour deadline, and clamps longer ones', async () => {
      const target = await receiver((_arrival, index) => ({
        status: 202,
        headers: { 'hook-async-timeout': index === 0 ? '10800' : '999999' },
      }));
      const waits: number[] = [];
      for (let i = 0; i < 2; i++) {
        const hook = await schedule(target.url);
        const waiting = await stack.waitForHook(
          'media',
          hook.id,
          (current) => current.attemptHistory.length === 1,
        );
        const [attempt] = waiting.attemptHistory;
        waits.push(Date.parse(attempt?.ackDeadline ?? '') - Date.parse(attempt?.finishedAt ?? ''));
        await stack.request('media', 'DELETE', `/v1/hooks/${hook.id}`);
      }
      assert.deepEqual(waits, [10_800_000, 10_800_000]);
    });

    it('treats 202 as an ordinary success when async is off, and follows the project default', async () => {
      const target = await receiver(() => ({ status: 202 }));
      const plain = await stack.schedule('media', { url: target.url, postIn: '0s' });
      const optedOut = await stack.schedule('async-default', { url: target.url, postIn: '0s', async: false });
      for (const [project, hook] of [
        ['media', plain],
        ['async-default', optedOut],
      ] as const) {
        const done = await stack.waitForHook(project, hook.id, until('completed'));
        assert.equal(done.async, false);
        assert.deepEqual(
          done.attemptHistory.map((attempt) => [attempt.outcome, attempt.statusCode]),
          [['success', 202]],
        );
        assert.equal(target.arrivalsFor(hook.id)[0]?.headers['hook-ack-url'], undefined);
      }
      const byDefault = await stack.schedule('async-default', { url: target.url, postIn: '0s' });
      assert.equal(byDefault.async, true);
      const waiting = await stack.waitForHook(
        'async-default',
        byDefault.id,
        (current) => current.attempts === 1,
      );
      assert.equal(waiting.attemptHistory[0]?.outcome, 'async_pending');
      await stack.request('async-default', 'DELETE', `/v1/hooks/${byDefault.id}`);
    });
  });

  describe('while no worker runs', () => {
    it('lets an attempt in flight finish when the worker stops, so it is not delivered twice', async () => {
      const target = await receiver(() => ({ status: 200, delayMs: 1500 }));
      const hook = await stack.schedule('media', { url: target.url, postIn: '0s' });
      await target.waitFor(1, 10_000);
      await stack.stopWorker();
      await stack.startWorker();
      const done = await stack.waitForHook('media', hook.id, until('completed'));
      assert.deepEqual(
        done.attemptHistory.map((attempt) => attempt.outcome),
        ['success'],
      );
      await sleep(500);
      assert.equal(target.arrivals.length, 1);
    });

    it('keeps an ack sent while every worker is down and completes the hook when one returns', async () => {
      const target = await receiver(() => ({ status: 202 }));
      const hook = await schedule(target.url);
      const [arrival] = await target.waitFor(1, 10_000);
      await stack.waitForHook('media', hook.id, (current) => current.attemptHistory.length === 1);

      await stack.stopWorker();
      const answer = await callback(ackUrl(arrival));
      assert.equal(answer.status, 200, 'answered without a worker');
      assert.equal(answer.body.data?.result, 'applied');
      await sleep(1000);
      const handle = stack.client.workflow.getHandle(hookWorkflowId('media', hook.id));
      assert.equal((await handle.describe()).status.name, 'RUNNING', 'nothing applied it yet');

      await stack.startWorker();
      const done = await stack.waitForHook('media', hook.id, until('completed'));
      assert.equal(done.attemptHistory[0]?.outcome, 'acked');
    });
  });
});
