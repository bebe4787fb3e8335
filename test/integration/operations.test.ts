import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tsToMs } from '../../src/temporal/sdk-internals';
import pino from 'pino';
import type { HookState, HookStatus } from '../../src/domain/hook';
import { applyRetention } from '../../src/temporal/namespace';
import { TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Page {
  data: (Omit<HookState, 'attemptHistory'> & { data?: unknown })[];
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; details?: { field: string }[] };
}

describe('operating hooks', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  /** Paths decide the answer: /invoices succeed, /orders/failed are gone, /flaky fail until fixed. */
  let flakyFixed = false;

  before(async () => {
    receiver = await TestReceiver.start((arrival) => {
      if (arrival.path.startsWith('/orders/failed')) return { status: 410 };
      if (arrival.path.startsWith('/flaky')) return { status: flakyFixed ? 200 : 500 };
      if (arrival.path.startsWith('/slow')) return { status: 200, delayMs: 2000 };
      return { status: 200 };
    });
    stack = await TestStack.start([
      { id: 'ops', baseUrl: receiver.url },
      { id: 'ops-recovery', baseUrl: receiver.url },
      { id: 'other', baseUrl: receiver.url },
    ]);
  });
  after(async () => {
    await stack.close();
    await receiver.close();
  });

  const list = async (projectId: string, query: string): Promise<Page> => {
    const response = await stack.request(projectId, 'GET', `/v1/hooks?${query}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json<Page>();
  };
  const ids = (page: Page) => page.data.map((hook) => hook.id).sort();
  const until = (status: HookStatus) => (hook: HookState) => hook.status === status;

  describe('listing 30 hooks in mixed states', () => {
    const byGroup: Record<string, HookState[]> = {};
    let firstBatchDone: string;
    let all: string[];

    before(async () => {
      const create = (path: string, postIn: string) =>
        stack.schedule('ops', { path, postIn, data: { path } });
      byGroup.pendingOrders = await Promise.all(
        Array.from({ length: 10 }, (_, i) => create(`/orders/${i}`, '2h')),
      );
      byGroup.failedOrders = await Promise.all(
        Array.from({ length: 6 }, (_, i) => create(`/orders/failed/${i}`, '0s')),
      );
      await sleep(50);
      firstBatchDone = new Date().toISOString();
      await sleep(50);
      byGroup.invoices = await Promise.all(
        Array.from({ length: 8 }, (_, i) => create(`/invoices/${i}`, '0s')),
      );
      byGroup.refunds = await Promise.all(Array.from({ length: 6 }, (_, i) => create(`/refunds/${i}`, '3h')));
      for (const hook of byGroup.refunds) await stack.request('ops', 'DELETE', `/v1/hooks/${hook.id}`);
      for (const hook of byGroup.failedOrders) await stack.waitForHook('ops', hook.id, until('failed'));
      for (const hook of byGroup.invoices) await stack.waitForHook('ops', hook.id, until('completed'));
      all = Object.values(byGroup)
        .flat()
        .map((hook) => hook.id)
        .sort();
      // Visibility is eventually consistent: wait until it has caught up with every status change.
      const deadline = Date.now() + 15_000;
      while ((await list('ops', 'status=completed,failed,cancelled&limit=100')).data.length < 20) {
        if (Date.now() > deadline) throw new Error('visibility did not catch up');
        await sleep(200);
      }
    });

    it('filters by status, one or several', async () => {
      const idsOf = (...groups: string[]) =>
        groups
          .flatMap((group) => byGroup[group] ?? [])
          .map((hook) => hook.id)
          .sort();
      assert.deepEqual(ids(await list('ops', 'status=pending')), idsOf('pendingOrders'));
      assert.deepEqual(ids(await list('ops', 'status=failed')), idsOf('failedOrders'));
      assert.deepEqual(ids(await list('ops', 'status=completed')), idsOf('invoices'));
      assert.deepEqual(ids(await list('ops', 'status=cancelled')), idsOf('refunds'));
      assert.deepEqual(ids(await list('ops', 'status=completed,cancelled')), idsOf('invoices', 'refunds'));
      assert.deepEqual(ids(await list('ops', 'status=retry')), []);
    });

    it('filters by path prefix and by due and creation time', async () => {
      const pathIds = (prefix: string) =>
        Object.values(byGroup)
          .flat()
          .filter((hook) => hook.path?.startsWith(prefix))
          .map((hook) => hook.id)
          .sort();
      assert.deepEqual(ids(await list('ops', 'pathPrefix=/orders/')), pathIds('/orders/'));
      assert.deepEqual(ids(await list('ops', 'pathPrefix=/orders/failed')), pathIds('/orders/failed'));
      assert.deepEqual(
        ids(await list('ops', `pathPrefix=${encodeURIComponent('/refunds/1')}`)),
        pathIds('/refunds/1'),
      );

      const inOneHour = new Date(Date.now() + 3600_000).toISOString();
      const dueLater = [...(byGroup.pendingOrders ?? []), ...(byGroup.refunds ?? [])]
        .map((hook) => hook.id)
        .sort();
      assert.deepEqual(ids(await list('ops', `postAtAfter=${inOneHour}`)), dueLater);
      assert.equal((await list('ops', `postAtBefore=${inOneHour}`)).data.length, 14);
      const secondBatch = [...(byGroup.invoices ?? []), ...(byGroup.refunds ?? [])]
        .map((hook) => hook.id)
        .sort();
      assert.deepEqual(ids(await list('ops', `createdAfter=${firstBatchDone}`)), secondBatch);
      assert.equal((await list('ops', `createdBefore=${firstBatchDone}`)).data.length, 16);
    });

    it('pages with limit 7 through every hook exactly once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page = await list('ops', `limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        assert.ok(page.data.length <= 7);
        seen.push(...page.data.map((hook) => hook.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      assert.equal(seen.length, 30);
      assert.deepEqual([...seen].sort(), all);
      const sample = (await list('ops', 'status=completed&limit=1')).data[0];
      assert.ok(sample);
      assert.equal(sample.status, 'completed');
      assert.equal(sample.attempts, 1);
      assert.match(sample.targetUrl, /\/invoices\/\d$/);
      assert.equal(sample.data, undefined, 'list items carry no data');
    });

    it("shows another project's key none of them", async () => {
      assert.deepEqual((await list('other', 'limit=1000')).data, []);
      assert.equal(
        (await stack.request('other', 'GET', `/v1/hooks/${byGroup.invoices?.[0]?.id ?? ''}`)).statusCode,
        404,
      );
    });
  });

  describe('rescheduling', { concurrency: true }, () => {
    it('delivers at the new, earlier time', async () => {
      const hook = await stack.schedule('ops', { path: '/resched/earlier', postIn: '1h' });
      const response = await stack.request('ops', 'PATCH', `/v1/hooks/${hook.id}`, { postIn: '2s' });
      assert.equal(response.statusCode, 200, response.body);
      const moved = response.json<{ data: HookState }>().data;
      assert.ok(Math.abs(Date.parse(moved.postAt) - (Date.now() + 2000)) < 1500);
      const [arrival] = await receiver.waitFor(1, 10_000, hook.id);
      assert.ok(arrival && Math.abs(arrival.at - Date.parse(moved.postAt)) < 1000);
    });

    it('delivers at the new, later time and not at the old one', async () => {
      const hook = await stack.schedule('ops', { path: '/resched/later', postIn: '2s' });
      const later = new Date(Date.now() + 5000).toISOString();
      assert.equal(
        (await stack.request('ops', 'PATCH', `/v1/hooks/${hook.id}`, { postAt: later })).statusCode,
        200,
      );
      await sleep(3500);
      assert.equal(receiver.arrivalsFor(hook.id).length, 0, 'not delivered at the old time');
      const [arrival] = await receiver.waitFor(1, 10_000, hook.id);
      assert.ok(arrival && arrival.at >= Date.parse(later) - 50);
      const done = await stack.waitForHook('ops', hook.id, until('completed'));
      assert.equal(done.postAt, new Date(Date.parse(later)).toISOString());
    });

    // The attempt runs inside the hook's workflow task, so the update is decided once it has finished.
    it('refuses to reschedule a hook whose attempt is in flight with 409, once the attempt is decided', async () => {
      const hook = await stack.schedule('ops', { path: '/slow/resched', postIn: '0s' });
      await receiver.waitFor(1, 10_000, hook.id);
      const response = await stack.request('ops', 'PATCH', `/v1/hooks/${hook.id}`, { postIn: '1h' });
      assert.equal(response.statusCode, 409);
      assert.match(
        response.json<ErrorBody & { error: { message: string } }>().error.message,
        /hook is completed and can no longer be rescheduled/,
      );
      const done = await stack.waitForHook('ops', hook.id, until('completed'));
      assert.equal(done.attempts, 1);
      assert.equal(receiver.arrivalsFor(hook.id).length, 1);
    });

    it('refuses to reschedule a finished hook with 409', async () => {
      const hook = await stack.schedule('ops', { path: '/resched/done', postIn: '0s' });
      await stack.waitForHook('ops', hook.id, until('completed'));
      const response = await stack.request('ops', 'PATCH', `/v1/hooks/${hook.id}`, { postIn: '1m' });
      assert.equal(response.statusCode, 409);
    });
  });

  describe('the dead-letter queue: retry, replay, bulk', () => {
    it('retries a failed hook once the receiver is fixed, keeping the old attempts', async () => {
      flakyFixed = false;
      const hook = await stack.schedule('ops-recovery', {
        path: '/flaky/1',
        postIn: '0s',
        data: { n: 1 },
        retryOverride: { strategy: 'fixed', delaySecs: 0.2, jitter: 0, maxAttempts: 2 },
      });
      await stack.waitForHook('ops-recovery', hook.id, until('failed'));
      flakyFixed = true;
      const response = await stack.request('ops-recovery', 'POST', `/v1/hooks/${hook.id}/retry`);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json<{ data: HookState }>().data.status, 'pending');
      const done = await stack.waitForHook('ops-recovery', hook.id, until('completed'));
      assert.deepEqual(
        done.attemptHistory.map((attempt) => [attempt.number, attempt.statusCode]),
        [
          [1, 500],
          [2, 500],
          [3, 200],
        ],
      );
      assert.equal(done.id, hook.id);
      const again = await stack.request('ops-recovery', 'POST', `/v1/hooks/${hook.id}/retry`);
      assert.equal(again.statusCode, 409, 'a completed hook cannot be retried');

      // A retried hook is still one hook: listed once, and gone from the dead-letter queue.
      await waitForListed('ops-recovery', 'status=completed&pathPrefix=/flaky/1', 1);
      assert.deepEqual(ids(await list('ops-recovery', 'pathPrefix=/flaky/1')), [hook.id]);
      assert.deepEqual((await list('ops-recovery', 'status=failed&pathPrefix=/flaky/1')).data, []);
      const replayFailed = await stack.request('ops-recovery', 'POST', '/v1/hooks/bulk/replay', {
        filter: { status: 'failed', pathPrefix: '/flaky/1' },
      });
      assert.deepEqual(replayFailed.json(), { affected: 0 });
    });

    it('replays a finished hook as a new hook with the same data', async () => {
      const hook = await stack.schedule('ops-recovery', {
        path: '/replay/1',
        postIn: '0s',
        data: { order: 7 },
      });
      await stack.waitForHook('ops-recovery', hook.id, until('completed'));
      const response = await stack.request('ops-recovery', 'POST', `/v1/hooks/${hook.id}/replay`);
      assert.equal(response.statusCode, 201, response.body);
      const copy = response.json<{ data: HookState }>().data;
      assert.notEqual(copy.id, hook.id);
      assert.deepEqual(copy.data, { order: 7 });
      assert.equal(copy.path, '/replay/1');
      await stack.waitForHook('ops-recovery', copy.id, until('completed'));
      assert.equal(receiver.arrivalsFor(copy.id).length, 1);
    });

    it('drains the dead-letter queue with a bulk retry by filter', async () => {
      flakyFixed = false;
      const failing = await Promise.all(
        [1, 2, 3].map((i) =>
          stack.schedule('ops-recovery', {
            path: `/flaky/dlq/${i}`,
            postIn: '0s',
            retryOverride: { maxAttempts: 1 },
          }),
        ),
      );
      for (const hook of failing) await stack.waitForHook('ops-recovery', hook.id, until('failed'));
      await waitForListed('ops-recovery', 'status=failed&pathPrefix=/flaky/dlq/', 3);
      flakyFixed = true;
      const response = await stack.request('ops-recovery', 'POST', '/v1/hooks/bulk/retry', {
        filter: { status: 'failed', pathPrefix: '/flaky/dlq/' },
      });
      assert.deepEqual(response.json(), { affected: 3 });
      for (const hook of failing) await stack.waitForHook('ops-recovery', hook.id, until('completed'));
    });

    it('bulk-cancels exactly the hooks matching a filter', async () => {
      const make = (path: string) => stack.schedule('ops-recovery', { path, postIn: '2h' });
      const matching = await Promise.all([1, 2, 3, 4].map((i) => make(`/bulk/cancel/${i}`)));
      const others = await Promise.all([1, 2].map((i) => make(`/bulk/keep/${i}`)));
      await waitForListed('ops-recovery', 'status=pending&pathPrefix=/bulk/', 6);
      const response = await stack.request('ops-recovery', 'POST', '/v1/hooks/bulk/cancel', {
        filter: { pathPrefix: '/bulk/cancel/' },
      });
      assert.deepEqual(response.json(), { affected: 4 });
      for (const hook of matching)
        assert.equal((await stack.getHook('ops-recovery', hook.id)).status, 'cancelled');
      for (const hook of others)
        assert.equal((await stack.getHook('ops-recovery', hook.id)).status, 'pending');
      const byIds = await stack.request('ops-recovery', 'POST', '/v1/hooks/bulk/cancel', {
        hookIds: [...others.map((hook) => hook.id), matching[0]?.id, 'hk_' + '0'.repeat(32)],
      });
      assert.deepEqual(byIds.json(), { affected: 2 }, 'only the two still pending are affected');
    });

    it('bulk-replays by ids', async () => {
      const hooks = await Promise.all(
        [1, 2].map((i) => stack.schedule('ops-recovery', { path: `/bulk/replay/${i}`, postIn: '0s' })),
      );
      for (const hook of hooks) await stack.waitForHook('ops-recovery', hook.id, until('completed'));
      const response = await stack.request('ops-recovery', 'POST', '/v1/hooks/bulk/replay', {
        hookIds: hooks.map((hook) => hook.id),
      });
      assert.deepEqual(response.json(), { affected: 2 });
      const replayed = () => receiver.arrivals.filter((arrival) => arrival.path.startsWith('/bulk/replay/'));
      const deadline = Date.now() + 10_000;
      while (replayed().length < 4 && Date.now() < deadline) await sleep(100);
      assert.equal(replayed().length, 4);
    });
  });

  describe('bad input changes nothing', { concurrency: true }, () => {
    const rejects = async (method: 'GET' | 'POST', url: string, body?: unknown, status = 400) => {
      const response = await stack.request('ops', method, url, body);
      assert.equal(response.statusCode, status, response.body);
      return response.json<ErrorBody>();
    };

    it('rejects an unknown status value', async () => {
      const body = await rejects('GET', '/v1/hooks?status=pending,lost');
      assert.ok(body.error.details?.some((detail) => detail.field.startsWith('status')));
    });
    it('rejects an inverted time range', async () => {
      const body = await rejects(
        'GET',
        '/v1/hooks?postAtAfter=2030-01-02T00:00:00Z&postAtBefore=2030-01-01T00:00:00Z',
      );
      assert.deepEqual(
        body.error.details?.map((detail) => detail.field),
        ['postAtBefore'],
      );
      await rejects('GET', '/v1/hooks?createdAfter=2030-01-02T00:00:00Z&createdBefore=2030-01-01T00:00:00Z');
    });
    it('rejects a limit over 1000', async () => {
      await rejects('GET', '/v1/hooks?limit=1001');
      await rejects('GET', '/v1/hooks?limit=0');
    });
    it('rejects a malformed cursor', async () => {
      await rejects('GET', '/v1/hooks?cursor=not%20a%20cursor');
      const forged = await rejects('GET', '/v1/hooks?cursor=Zm9vYmFy.AAAAAAAAAAAAAAAAAAAAAA');
      assert.equal(forged.error.details?.[0]?.field, 'cursor');
      const { nextCursor } = await list('ops', 'limit=1');
      assert.ok(nextCursor);
      await rejects('GET', `/v1/hooks?limit=1&status=failed&cursor=${nextCursor}`);
    });
    it('rejects a bulk request with both ids and a filter, or neither', async () => {
      await rejects('POST', '/v1/hooks/bulk/cancel', { hookIds: ['hk_' + '1'.repeat(32)], filter: {} });
      await rejects('POST', '/v1/hooks/bulk/cancel', {});
      await rejects('POST', '/v1/hooks/bulk/cancel', { hookIds: Array.from({ length: 1001 }, () => 'hk_x') });
      await rejects('POST', '/v1/hooks/bulk/explode', { hookIds: ['hk_x'] });
    });
    it('refuses to retry a completed hook and leaves it completed', async () => {
      const hook = await stack.schedule('ops', { path: '/invoices/retry-me', postIn: '0s' });
      const done = await stack.waitForHook('ops', hook.id, until('completed'));
      await rejects('POST', `/v1/hooks/${hook.id}/retry`, undefined, 409);
      await rejects('POST', `/v1/hooks/${hook.id}/replay`, undefined, 201);
      const after = await stack.getHook('ops', hook.id);
      assert.deepEqual(after, done);
    });
    it('refuses to replay a hook that has not finished', async () => {
      const hook = await stack.schedule('ops', { path: '/invoices/later', postIn: '1h' });
      await rejects('POST', `/v1/hooks/${hook.id}/replay`, undefined, 409);
      assert.equal((await stack.getHook('ops', hook.id)).status, 'pending');
    });
  });

  it('applies the configured retention to the namespace', async () => {
    await applyRetention(stack.client, 45, pino({ level: 'silent' }));
    const namespace = await stack.client.workflowService.describeNamespace({
      namespace: stack.config.temporal.namespace,
    });
    assert.equal(tsToMs(namespace.config?.workflowExecutionRetentionTtl), 45 * 86_400_000);
  });

  async function waitForListed(projectId: string, query: string, count: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await list(projectId, query)).data.length < count) {
      if (Date.now() > deadline) throw new Error(`visibility never listed ${count} hooks for ${query}`);
      await sleep(200);
    }
  }
});
