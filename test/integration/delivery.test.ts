import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { freePort } from '../../src/lib/ports';
import { ReceiverPool, type Responder } from '../support/receiver';
import { TestStack } from '../support/stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('delivery', { concurrency: true }, () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();
  const receiver = (responder?: Responder) => receivers.start(responder);

  before(async () => {
    stack = await TestStack.start([{ id: 'acme', allowUrlTargets: true, deliveryTimeoutSecs: 1 }]);
  });
  after(async () => {
    await receivers.closeAll();
    await stack.close();
  });

  it('delivers once, within 1 s of the due time, signed so Standard Webhooks verifies it', async () => {
    const target = await receiver();
    const hook = await stack.schedule('acme', {
      url: `${target.url}/orders/1`,
      postIn: '3s',
      data: { order: 1, note: 'ünïcode' },
    });
    assert.equal(hook.status, 'pending');

    const [arrival] = await target.waitFor(1, 10_000);
    assert.ok(arrival);
    const lateness = arrival.at - Date.parse(hook.postAt);
    assert.ok(lateness >= -50 && lateness <= 1000, `arrived ${lateness} ms after the due time`);

    const signingSecret = stack.projects.acme?.signingSecret ?? '';
    const payload = new Webhook(signingSecret).verify(arrival.body, {
      'webhook-id': String(arrival.headers['webhook-id']),
      'webhook-timestamp': String(arrival.headers['webhook-timestamp']),
      'webhook-signature': String(arrival.headers['webhook-signature']),
    });
    assert.deepEqual(payload, {
      id: hook.id,
      path: null,
      postAt: hook.postAt,
      postedAt: (JSON.parse(arrival.body) as { postedAt: string }).postedAt,
      attempt: 1,
      data: { order: 1, note: 'ünïcode' },
      createdAt: hook.createdAt,
    });
    assert.equal(arrival.path, '/orders/1');
    assert.equal(arrival.headers['webhook-id'], hook.id);
    assert.equal(arrival.headers['hook-attempt'], '1');
    assert.equal(arrival.headers['content-type'], 'application/json');
    assert.match(String(arrival.headers['user-agent']), /^hookrelay\/\d+\.\d+\.\d+/);

    const done = await stack.waitForHook('acme', hook.id, (current) => current.status === 'completed');
    assert.equal(done.attempts, 1);
    assert.equal(done.attemptHistory[0]?.outcome, 'success');
    assert.equal(done.attemptHistory[0].statusCode, 200);
    await sleep(1500);
    assert.equal(target.arrivals.length, 1, 'delivered exactly once');
  });

  it('retries 500s on the configured schedule and records every attempt', async () => {
    const replies = [
      { status: 500, body: 'boom 1' },
      { status: 500, body: 'boom 2' },
      { status: 200, body: 'ok' },
    ];
    const target = await receiver((_arrival, index) => replies[index] ?? { status: 200 });
    const hook = await stack.schedule('acme', {
      url: target.url,
      postIn: '0s',
      retryOverride: { strategy: 'schedule', scheduleSecs: [1, 2], jitter: 0.1, maxAttempts: 5 },
    });

    const arrivals = await target.waitFor(3, 15_000);
    const gaps = [1, 2].map((i) => (arrivals[i]?.at ?? 0) - (arrivals[i - 1]?.at ?? 0));
    // Within ±10 % jitter of 1 s and 2 s, plus scheduling latency.
    assert.ok(gaps[0] !== undefined && gaps[0] >= 900 && gaps[0] <= 1600, `first gap ${gaps[0]} ms`);
    assert.ok(gaps[1] !== undefined && gaps[1] >= 1800 && gaps[1] <= 2700, `second gap ${gaps[1]} ms`);

    const done = await stack.waitForHook('acme', hook.id, (current) => current.status === 'completed');
    assert.deepEqual(
      done.attemptHistory.map((attempt) => [
        attempt.number,
        attempt.outcome,
        attempt.statusCode,
        attempt.responseBody,
      ]),
      [
        [1, 'failure', 500, 'boom 1'],
        [2, 'failure', 500, 'boom 2'],
        [3, 'success', 200, 'ok'],
      ],
    );
    assert.deepEqual(
      arrivals.map((arrival) => arrival.headers['hook-attempt']),
      ['1', '2', '3'],
    );
    assert.equal(
      new Set(arrivals.map((arrival) => arrival.headers['webhook-id'])).size,
      1,
      'stable webhook-id',
    );
  });

  it('waits at least as long as Retry-After asks on a 429', async () => {
    const target = await receiver((_arrival, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    const hook = await stack.schedule('acme', {
      url: target.url,
      postIn: '0s',
      retryOverride: { strategy: 'fixed', delaySecs: 0.2, jitter: 0 },
    });
    const [first, second] = await target.waitFor(2, 10_000);
    assert.ok(first && second);
    assert.ok(second.at - first.at >= 1950, `second attempt came ${second.at - first.at} ms after the first`);
    const done = await stack.waitForHook('acme', hook.id, (current) => current.status === 'completed');
    assert.equal(done.attemptHistory[0]?.statusCode, 429);
  });

  it('stops at once on 410 Gone', async () => {
    const target = await receiver(() => ({ status: 410, body: 'unsubscribed' }));
    const hook = await stack.schedule('acme', {
      url: target.url,
      postIn: '0s',
      retryOverride: { strategy: 'fixed', delaySecs: 0.2, maxAttempts: 5 },
    });
    const done = await stack.waitForHook('acme', hook.id, (current) => current.status === 'failed');
    assert.equal(done.attempts, 1);
    assert.equal(done.attemptHistory[0]?.statusCode, 410);
    assert.match(done.failureError ?? '', /410/);
    await sleep(1000);
    assert.equal(target.arrivals.length, 1);
  });

  it('fails after maxAttempts when the receiver is unreachable', async () => {
    const closedPort = await freePort();
    const hook = await stack.schedule('acme', {
      url: `http://127.0.0.1:${closedPort}/nowhere`,
      postIn: '0s',
      retryOverride: { strategy: 'fixed', delaySecs: 0.2, jitter: 0, maxAttempts: 3 },
    });
    const done = await stack.waitForHook('acme', hook.id, (current) => current.status === 'failed');
    assert.equal(done.attempts, 3);
    for (const attempt of done.attemptHistory) {
      assert.equal(attempt.outcome, 'failure');
      assert.match(attempt.error ?? '', /ECONNREFUSED/);
    }
  });

  it('records a timeout when the receiver is slower than the delivery timeout', async () => {
    const target = await receiver(() => ({ status: 200, delayMs: 3000 }));
    const hook = await stack.schedule('acme', {
      url: target.url,
      postIn: '0s',
      retryOverride: { maxAttempts: 1 },
    });
    const done = await stack.waitForHook('acme', hook.id, (current) => current.status === 'failed');
    assert.equal(done.attemptHistory[0]?.outcome, 'timeout');
    assert.ok(done.attemptHistory[0].durationMs < 2500);
  });

  it('does not follow redirects', async () => {
    const target = await receiver(() => ({
      status: 302,
      headers: { location: 'http://127.0.0.1:1/elsewhere' },
    }));
    const hook = await stack.schedule('acme', {
      url: target.url,
      postIn: '0s',
      retryOverride: { maxAttempts: 1 },
    });
    const done = await stack.waitForHook('acme', hook.id, (current) => current.status === 'failed');
    assert.equal(done.attemptHistory[0]?.statusCode, 302);
    assert.match(done.attemptHistory[0].error ?? '', /redirect .* not followed/);
    assert.equal(target.arrivals.length, 1);
  });

  it('keeps only the first 4 KiB of a response body', async () => {
    const target = await receiver(() => ({ status: 500, body: 'x'.repeat(100_000) }));
    const hook = await stack.schedule('acme', {
      url: target.url,
      postIn: '0s',
      retryOverride: { maxAttempts: 1 },
    });
    const done = await stack.waitForHook('acme', hook.id, (current) => current.status === 'failed');
    assert.equal(done.attemptHistory[0]?.responseBody?.length, 4096);
  });
});
