import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Overview } from '../../src/client';
import { ReceiverPool, type TestReceiver } from '../support/receiver';
import { pollFor } from '../support/poll';
import { TestStack } from '../support/stack';

/**
 * `GET /v1/overview` on a real stack: counts from visibility, the last hour from the endpoints' health
 * buckets (attempts, failures, first-attempt lateness), overdue hooks while no worker runs.
 */

/** The overview once `holds` says so; visibility and endpoint health catch up a moment later. */
async function waitFor(what: string, probe: () => Promise<Overview>, holds: (overview: Overview) => boolean) {
  let last: Overview | undefined;
  return pollFor(
    () => `${what}: ${JSON.stringify(last)}`,
    async () => {
      last = await probe();
      return holds(last) ? last : undefined;
    },
  );
}

const sum = (overview: Overview, field: 'attempts' | 'failures' | 'firstAttempts') =>
  overview.perMinute.reduce((total, minute) => total + minute[field], 0);

describe('overview', () => {
  const receivers = new ReceiverPool();
  let stack: TestStack;
  let ok: TestReceiver;
  let down: TestReceiver;

  before(async () => {
    ok = await receivers.start();
    down = await receivers.start(() => ({ status: 500 }));
    stack = await TestStack.start(
      [
        {
          id: 'tracked',
          allowUrlTargets: true,
          retry: { maxAttempts: 1 },
          endpoints: { alertRules: { maxConsecutiveFailures: 1 } },
        },
        { id: 'untracked', allowUrlTargets: true, endpoints: { tracking: false } },
      ],
      { endpointReportIntervalMs: 100 },
    );
  });

  after(async () => {
    await stack.close();
    await receivers.closeAll();
  });

  it('counts hooks per status and plots the last hour from endpoint health', async () => {
    const api = stack.api('tracked');
    const delivered = await Promise.all(
      [1, 2, 3].map(() => api.hooks.schedule({ url: `${ok.url}/a`, postIn: '0s' })),
    );
    // Two failures in a row are more than the project's rule allows: the endpoint is failing.
    const failed = await Promise.all(
      [1, 2].map(() => api.hooks.schedule({ url: `${down.url}/b`, postIn: '0s' })),
    );
    const sleeping = await api.hooks.schedule({ url: `${ok.url}/a`, postIn: '1d' });
    await api.hooks.cancel((await api.hooks.schedule({ url: `${ok.url}/a`, postIn: '1d' })).hook.id);
    for (const { hook } of delivered)
      await stack.waitForHook('tracked', hook.id, (h) => h.status === 'completed');
    for (const { hook } of failed) await stack.waitForHook('tracked', hook.id, (h) => h.status === 'failed');

    const overview = await waitFor(
      'counts and attempts',
      () => api.overview(),
      (o) =>
        o.counts.completed === 3 &&
        o.counts.failed === 2 &&
        sum(o, 'attempts') === 5 &&
        o.endpointsInTrouble.length > 0,
    );
    assert.deepEqual(overview.counts, { pending: 1, retry: 0, completed: 3, failed: 2, cancelled: 1 });
    assert.equal(overview.perMinute.length, 60);
    assert.equal(sum(overview, 'failures'), 2);
    assert.equal(sum(overview, 'firstAttempts'), 5);
    const lastMinutes = overview.perMinute.filter((minute) => minute.firstAttempts > 0);
    for (const minute of lastMinutes) {
      assert.ok(minute.latenessAvgMs !== null && minute.latenessAvgMs >= 0 && minute.latenessAvgMs < 10_000);
      assert.ok(minute.latenessMaxMs !== null && minute.latenessMaxMs >= minute.latenessAvgMs);
    }
    assert.equal(overview.endpointTracking, true);
    assert.deepEqual(
      overview.endpointsInTrouble.map((endpoint) => [endpoint.url, endpoint.health]),
      [[`${down.url}/b`, 'failing']],
    );
    assert.equal(overview.overdue.count, 0);
    assert.equal(overview.overdue.oldest, null);
    assert.ok(sleeping.created);

    const endpoint = await api.endpoints.get(overview.endpointsInTrouble[0]?.id ?? '');
    assert.equal(endpoint.stats.hourly.length, 24);
    assert.deepEqual(
      endpoint.stats.hourly.map((hour) => [hour.attempts, hour.failures]).filter(([attempts]) => attempts),
      [[2, 2]],
    );
  });

  it('shows overdue hooks, the oldest first, while no worker runs', async () => {
    const api = stack.api('tracked');
    await stack.stopWorker();
    try {
      const first = await api.hooks.schedule({ url: `${ok.url}/late`, postIn: '0s' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await api.hooks.schedule({ url: `${ok.url}/late`, postIn: '0s' });
      const overview = await waitFor(
        'two overdue hooks',
        () => api.overview(),
        (o) => o.overdue.count === 2,
      );
      assert.equal(overview.overdue.oldest?.id, first.hook.id);
    } finally {
      await stack.startWorker();
    }
  });

  it('has counts but no per-minute record for a project without endpoint tracking', async () => {
    const api = stack.api('untracked');
    const { hook } = await api.hooks.schedule({ url: `${ok.url}/c`, postIn: '0s' });
    await stack.waitForHook('untracked', hook.id, (h) => h.status === 'completed');
    const overview = await waitFor(
      'the completed hook',
      () => api.overview(),
      (o) => o.counts.completed === 1,
    );
    assert.equal(overview.endpointTracking, false);
    assert.deepEqual(overview.perMinute, []);
    assert.deepEqual(overview.endpointsInTrouble, []);
  });

  it('refuses a wrong key', async () => {
    const answer = await stack.app.inject({
      method: 'GET',
      url: '/v1/overview',
      headers: { 'x-api-key': 'nope' },
    });
    assert.equal(answer.statusCode, 401);
  });
});
