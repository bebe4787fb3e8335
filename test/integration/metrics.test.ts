import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HookState } from '../../src/domain/hook';
import { startMetricsServer } from '../../src/metrics/metrics-server';
import { parseSamples, type Sample, sampleValue } from '../support/prometheus-text';
import { ReceiverPool, type Responder } from '../support/receiver';
import { TestStack } from '../support/stack';

const PROJECT = 'observed';
const until = (status: HookState['status']) => (hook: HookState) => hook.status === status;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What each counter of the project should have gained, by metric name and extra labels. */
interface Expectation {
  name: string;
  labels?: Record<string, string>;
  delta: number;
}

describe('metrics', () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();
  const receiver = (responder?: Responder) => receivers.start(responder);

  async function scrape(): Promise<Sample[]> {
    const response = await stack.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return parseSamples(response.body);
  }

  const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
    sampleValue(samples, name, { project: PROJECT, ...labels }) ?? 0;

  /**
   * Sink calls reach the registry right after the workflow task that made them, which can be a moment
   * after the API already shows the new status; so the deltas are polled for.
   */
  async function assertDeltas(before: Sample[], expected: Expectation[]): Promise<Sample[]> {
    const deltas = (now: Sample[]) =>
      expected.map(({ name, labels }) => valueOf(now, name, labels) - valueOf(before, name, labels));
    const deadline = Date.now() + 5_000;
    for (;;) {
      const now = await scrape();
      if (deltas(now).every((delta, index) => delta === expected[index]?.delta) || Date.now() > deadline) {
        assert.deepEqual(
          expected.map(({ name, labels }, index) => ({ name, labels, delta: deltas(now)[index] })),
          expected.map(({ name, labels, delta }) => ({ name, labels, delta })),
        );
        return now;
      }
      await sleep(200);
    }
  }

  before(async () => {
    stack = await TestStack.start([{ id: PROJECT, allowUrlTargets: true, deliveryTimeoutSecs: 2 }]);
  });
  after(async () => {
    await receivers.closeAll();
    await stack.close();
  });

  it('counts hooks, attempts by outcome, deliveries, latency and lateness', async () => {
    const before = await scrape();
    const ok = await receiver(() => ({ status: 200 }));
    const flaky = await receiver((_arrival, index) => ({ status: index === 0 ? 500 : 200 }));
    const gone = await receiver(() => ({ status: 410 }));
    const slow = await receiver(() => ({ status: 202 }));

    const delivered = await stack.schedule(PROJECT, { url: ok.url, postIn: '0s' });
    const retried = await stack.schedule(PROJECT, {
      url: flaky.url,
      postIn: '0s',
      retryOverride: { strategy: 'fixed', delaySecs: 0.5, jitter: 0 },
    });
    const refused = await stack.schedule(PROJECT, { url: gone.url, postIn: '0s' });
    const acked = await stack.schedule(PROJECT, { url: slow.url, postIn: '0s', async: true });
    // Scheduled twice with one Idempotency-Key: one hook, counted once.
    const later = { url: ok.url, postIn: '1h' };
    const key = { 'idempotency-key': `metrics-${Date.now()}` };
    assert.equal((await stack.request(PROJECT, 'POST', '/v1/hooks', later, key)).statusCode, 201);
    assert.equal((await stack.request(PROJECT, 'POST', '/v1/hooks', later, key)).statusCode, 200);

    const [arrival] = await slow.waitFor(1, 10_000);
    await stack.waitForHook(PROJECT, acked.id, (hook) => hook.attemptHistory[0]?.outcome === 'async_pending');
    const ack = await stack.app.inject({
      method: 'POST',
      url: new URL(String(arrival?.headers['hook-ack-url'])).pathname,
    });
    assert.equal(ack.statusCode, 200);

    await stack.waitForHook(PROJECT, delivered.id, until('completed'));
    await stack.waitForHook(PROJECT, retried.id, until('completed'));
    await stack.waitForHook(PROJECT, refused.id, until('failed'));
    await stack.waitForHook(PROJECT, acked.id, until('completed'));

    const after = await assertDeltas(before, [
      { name: 'hookrelay_hooks_scheduled_total', delta: 5 },
      { name: 'hookrelay_attempts_total', labels: { outcome: 'success' }, delta: 2 },
      { name: 'hookrelay_attempts_total', labels: { outcome: 'failure' }, delta: 2 },
      { name: 'hookrelay_attempts_total', labels: { outcome: 'timeout' }, delta: 0 },
      { name: 'hookrelay_attempts_total', labels: { outcome: 'async_pending' }, delta: 1 },
      { name: 'hookrelay_attempts_total', labels: { outcome: 'acked' }, delta: 1 },
      { name: 'hookrelay_attempts_total', labels: { outcome: 'nacked' }, delta: 0 },
      { name: 'hookrelay_attempts_total', labels: { outcome: 'async_timeout' }, delta: 0 },
      { name: 'hookrelay_deliveries_completed_total', delta: 3 },
      { name: 'hookrelay_deliveries_failed_total', delta: 1 },
      // Five HTTP attempts: 200, 500 then 200, 410, 202.
      { name: 'hookrelay_delivery_latency_seconds_count', delta: 5 },
      // The first attempt of each of the four hooks that came due.
      { name: 'hookrelay_fire_lateness_seconds_count', delta: 4 },
    ]);
    const lateness = valueOf(after, 'hookrelay_fire_lateness_seconds_sum');
    const latenessBefore = valueOf(before, 'hookrelay_fire_lateness_seconds_sum');
    assert.ok(lateness - latenessBefore < 4 * 5, 'hooks due now fire within seconds');
  });

  it('counts each fact once, even when Temporal retries the workflow task that decided it', async () => {
    // Two acks a few milliseconds apart: the second arrives while the first one's workflow task is being
    // completed, the server refuses that completion, and the worker runs the task again.
    const before = await scrape();
    const gapsMs = [5, 8, 10, 12, 15];
    await Promise.all(
      gapsMs.map(async (gapMs) => {
        const slow = await receiver(() => ({ status: 202 }));
        const hook = await stack.schedule(PROJECT, { url: slow.url, postIn: '0s', async: true });
        const [arrival] = await slow.waitFor(1, 10_000);
        await stack.waitForHook(
          PROJECT,
          hook.id,
          (state) => state.attemptHistory[0]?.ackDeadline !== undefined,
        );
        const url = new URL(String(arrival?.headers['hook-ack-url'])).pathname;
        const first = stack.app.inject({ method: 'POST', url });
        await sleep(gapMs);
        const second = stack.app.inject({ method: 'POST', url });
        assert.deepEqual(
          (await Promise.all([first, second])).map((response) => response.statusCode),
          [200, 200],
        );
        await stack.waitForHook(PROJECT, hook.id, until('completed'));
      }),
    );
    await assertDeltas(before, [
      { name: 'hookrelay_attempts_total', labels: { outcome: 'async_pending' }, delta: gapsMs.length },
      { name: 'hookrelay_attempts_total', labels: { outcome: 'acked' }, delta: gapsMs.length },
      { name: 'hookrelay_deliveries_completed_total', delta: gapsMs.length },
    ]);
  });

  it('shows the backlog from Temporal visibility, and how overdue its oldest hook is', async () => {
    const target = await receiver(() => ({ status: 200 }));
    await stack.schedule(PROJECT, { url: target.url, postIn: '1h' });
    await stack.stopWorker();
    try {
      const overdue = await stack.schedule(PROJECT, { url: target.url, postIn: '0s' });
      // Visibility trails the workflows a little; and the hook needs to be overdue for a while.
      const deadline = Date.now() + 10_000;
      let samples: Sample[];
      do {
        await sleep(300);
        samples = await scrape();
      } while (
        ((sampleValue(samples, 'hookrelay_hooks_pending') ?? 0) < 2 ||
          (sampleValue(samples, 'hookrelay_oldest_overdue_hook_age_seconds') ?? 0) < 1) &&
        Date.now() < deadline
      );
      assert.ok((sampleValue(samples, 'hookrelay_hooks_pending') ?? 0) >= 2, 'both hooks are pending');
      const age = sampleValue(samples, 'hookrelay_oldest_overdue_hook_age_seconds') ?? 0;
      const dueFor = (Date.now() - Date.parse(overdue.postAt)) / 1000;
      assert.ok(age >= 1 && age <= dueFor + 1, `oldest overdue ${age} s; the hook has been due ${dueFor} s`);
    } finally {
      await stack.startWorker();
    }
  });

  it('includes the Temporal SDK metrics', async () => {
    const samples = await scrape();
    assert.ok(
      samples.some((sample) => sample.name.startsWith('temporal_')),
      'SDK metrics (temporal_*) are appended',
    );
    assert.ok(
      samples.some((sample) => sample.name.startsWith('process_')),
      'process metrics are there',
    );
  });

  it('serves the same metrics on the worker-only endpoint', async () => {
    const server = await startMetricsServer('127.0.0.1', 0);
    try {
      const response = await fetch(server.url);
      assert.equal(response.status, 200);
      const samples = parseSamples(await response.text());
      assert.ok(sampleValue(samples, 'hookrelay_attempts_total', { project: PROJECT, outcome: 'success' }));
      assert.ok(samples.some((sample) => sample.name.startsWith('temporal_')));
      assert.equal((await fetch(new URL('/', server.url))).status, 404);
    } finally {
      await server.close();
    }
  });
});
