import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { batchWorkflowId } from '../../src/activities/join-batch';
import type { HookState } from '../../src/domain/hook';
import { mapLimited } from '../../src/lib/map-limited';
import { batchViewQuery } from '../../src/workflows/batch-messages';
import { assertApiError } from '../support/api-error';
import { pollFor } from '../support/poll';
import { type Arrival, ReceiverPool, TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';
import { ChaosStack } from '../../chaos/stack';

/** What a batch request's body holds: one single-delivery envelope per member. */
interface Envelope {
  id: string;
  path: string | null;
  postAt: string;
  postedAt: string;
  attempt: number;
  data: unknown;
  createdAt: string;
}

const PROJECT = 'batches';

describe('batching: hooks of one key delivered together', { timeout: 300_000 }, () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();

  /** The envelopes of a request, after checking its Standard Webhooks signature. */
  const verified = (arrival: Arrival): Envelope[] => {
    const webhook = new Webhook(stack.projects[PROJECT]?.signingSecret ?? '');
    return webhook.verify(arrival.body, {
      'webhook-id': String(arrival.headers['webhook-id']),
      'webhook-timestamp': String(arrival.headers['webhook-timestamp']),
      'webhook-signature': String(arrival.headers['webhook-signature']),
    }) as Envelope[];
  };

  const scheduleMany = (
    count: number,
    receiver: TestReceiver,
    batch: { key: string; maxSize?: number; windowSecs?: number },
  ): Promise<HookState[]> =>
    mapLimited(
      Array.from({ length: count }, (_, i) => i),
      16,
      (i) => stack.schedule(PROJECT, { url: `${receiver.url}/orders`, postIn: '0s', data: { n: i }, batch }),
    );

  /** Waits until the batch of `key` gathers these many members (asking the batch workflow itself). */
  const gathered = (receiver: TestReceiver, key: string, count: number) =>
    pollFor(`${count} members gathering under "${key}"`, async () => {
      const handle = stack.client.workflow.getHandle(batchWorkflowId(PROJECT, `${receiver.url}/orders`, key));
      const view = await handle.query(batchViewQuery).catch(() => undefined);
      return view && view.gathering.length >= count ? view : undefined;
    });

  const finished = (hooks: readonly HookState[]) =>
    mapLimited(hooks, 16, (hook) =>
      stack.waitForHook(
        PROJECT,
        hook.id,
        (current) => ['completed', 'failed'].includes(current.status),
        60_000,
      ),
    );

  before(async () => {
    stack = await TestStack.start([
      {
        id: PROJECT,
        allowUrlTargets: true,
        retry: { strategy: 'fixed', delaySecs: 1, maxAttempts: 3, jitter: 0 },
      },
    ]);
  });

  after(async () => {
    await stack.close();
    await receivers.closeAll();
  });

  it('sends 250 hooks of one key as three signed requests of 100, 100 and 50, the last after the window', async () => {
    const receiver = await receivers.start();
    const windowSecs = 2;
    const hooks = await scheduleMany(250, receiver, { key: 'orders', maxSize: 100, windowSecs });

    const arrivals = await receiver.waitFor(3, 60_000);
    const requests = arrivals.map((arrival) => ({ arrival, envelopes: verified(arrival) }));
    assert.deepEqual(
      requests.map((request) => request.envelopes.length),
      [100, 100, 50],
    );
    for (const { arrival, envelopes } of requests) {
      assert.match(String(arrival.headers['webhook-id']), /^bat_[0-9a-f]{32}$/);
      assert.equal(arrival.headers['hook-attempt'], '1');
      assert.equal(arrival.headers['hook-batch-size'], String(envelopes.length));
      for (const envelope of envelopes) assert.equal(envelope.attempt, 1);
    }
    // Every hook exactly once across the requests, its envelope as its own delivery would carry it.
    const byId = new Map(hooks.map((hook) => [hook.id, hook]));
    const delivered = requests.flatMap((request) => request.envelopes);
    assert.equal(new Set(delivered.map((envelope) => envelope.id)).size, 250);
    for (const envelope of delivered) {
      const hook = byId.get(envelope.id);
      assert.ok(hook, `${envelope.id} is one of the hooks scheduled`);
      assert.deepEqual(
        { data: envelope.data, postAt: envelope.postAt, createdAt: envelope.createdAt, path: envelope.path },
        { data: hook.data, postAt: hook.postAt, createdAt: hook.createdAt, path: null },
      );
    }
    // The last 50 never fill a request: they go when the window after the first of them has passed.
    const last = requests[2];
    assert.ok(last);
    const firstJoinedAt = Math.min(...last.envelopes.map((envelope) => Date.parse(envelope.createdAt)));
    assert.ok(
      last.arrival.at >= firstJoinedAt + windowSecs * 1000,
      `the last request came ${last.arrival.at - firstJoinedAt} ms after its first hook was created`,
    );

    // Each hook has its own record: completed, one attempt, and the batch it went out in.
    const batchOf = new Map(
      requests.flatMap(({ arrival, envelopes }) =>
        envelopes.map((envelope) => [envelope.id, String(arrival.headers['webhook-id'])] as const),
      ),
    );
    for (const hook of await finished(hooks)) {
      assert.equal(hook.status, 'completed');
      assert.deepEqual(
        hook.attemptHistory.map((attempt) => [attempt.number, attempt.outcome, attempt.statusCode]),
        [[1, 'success', 200]],
      );
      assert.deepEqual(hook.batch, { key: 'orders', batchId: batchOf.get(hook.id) });
    }
    assert.equal(receiver.arrivals.length, 3, 'no request after the three');

    // A list shows each hook's batch key, from the record written when it was scheduled.
    const listed = await pollFor('the 250 hooks listed', async () => {
      const page = await stack.api(PROJECT).hooks.list({ pathPrefix: `${receiver.url}/orders`, limit: 300 });
      return page.data.length === 250 ? page.data : undefined;
    });
    assert.ok(listed.every((hook) => hook.batch?.key === 'orders'));

    // A hook's read shows its own envelope as its batch request carried it, under the batch's id.
    const [sample] = hooks;
    assert.ok(sample);
    const { request } = await stack.api(PROJECT).hooks.get(sample.id);
    assert.equal(request.headers['webhook-id'], batchOf.get(sample.id));
    assert.deepEqual(
      JSON.parse(request.body),
      delivered.find((envelope) => envelope.id === sample.id),
    );
  });

  it('retries a failed batch as a whole, and every member records both attempts', async () => {
    const receiver = await receivers.start((_, index) => ({ status: index === 0 ? 500 : 200, body: 'busy' }));
    const hooks = await scheduleMany(3, receiver, { key: 'retried', maxSize: 3, windowSecs: 30 });

    const arrivals = await receiver.waitFor(2, 30_000);
    const [first, second] = arrivals.map(verified);
    assert.equal(arrivals[0]?.headers['webhook-id'], arrivals[1]?.headers['webhook-id'], 'one batch id');
    assert.deepEqual(
      [first?.map((envelope) => envelope.attempt), second?.map((envelope) => envelope.attempt)],
      [
        [1, 1, 1],
        [2, 2, 2],
      ],
    );
    assert.deepEqual(new Set(second?.map((envelope) => envelope.id)), new Set(hooks.map((hook) => hook.id)));
    for (const hook of await finished(hooks)) {
      assert.equal(hook.status, 'completed');
      assert.deepEqual(
        hook.attemptHistory.map((attempt) => [attempt.number, attempt.outcome, attempt.statusCode]),
        [
          [1, 'failure', 500],
          [2, 'success', 200],
        ],
      );
      assert.equal(hook.attemptHistory[0]?.responseBody, 'busy');
    }
  });

  it('loses nothing when the worker stops while a batch gathers', async () => {
    const receiver = await receivers.start();
    const batch = { key: 'through-restart', maxSize: 100, windowSecs: 3 };
    const early = await scheduleMany(5, receiver, batch);
    await gathered(receiver, batch.key, 5);

    await stack.stopWorker();
    try {
      // The window closes while no worker runs, and more hooks are scheduled meanwhile.
      const late = await scheduleMany(3, receiver, batch);
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      assert.equal(receiver.arrivals.length, 0, 'nothing is sent without a worker');
      await stack.startWorker();

      const hooks = [...early, ...late];
      const done = await finished(hooks);
      assert.ok(done.every((hook) => hook.status === 'completed'));
      const delivered = receiver.arrivals.flatMap(verified).map((envelope) => envelope.id);
      assert.deepEqual(delivered.toSorted(), hooks.map((hook) => hook.id).toSorted(), 'each once, none lost');
    } finally {
      await stack.startWorker();
    }
  });

  it('leaves a hook cancelled while its batch gathers out of the request', async () => {
    const receiver = await receivers.start();
    const batch = { key: 'with-cancel', maxSize: 100, windowSecs: 3 };
    const [kept, cancelled, alsoKept] = await scheduleMany(3, receiver, batch);
    assert.ok(kept && cancelled && alsoKept);
    await gathered(receiver, batch.key, 3);

    const answer = await stack.api(PROJECT).hooks.cancel(cancelled.id);
    assert.equal(answer.status, 'cancelled');

    const [arrival] = await receiver.waitFor(1, 20_000);
    assert.ok(arrival);
    assert.deepEqual(
      verified(arrival)
        .map((envelope) => envelope.id)
        .toSorted(),
      [kept.id, alsoKept.id].toSorted(),
    );
    await finished([kept, alsoKept]);
    const after = await stack.getHook(PROJECT, cancelled.id);
    assert.equal(after.status, 'cancelled');
    assert.deepEqual(after.attemptHistory, []);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(receiver.arrivals.length, 1);
  });

  it('leaves a hook cancelled while its batch waits to retry out of the next attempt', async () => {
    const receiver = await receivers.start((_, index) => ({ status: index === 0 ? 503 : 200 }));
    const retryOverride = { strategy: 'fixed' as const, delaySecs: 4, jitter: 0 };
    const [leaving, staying] = await mapLimited([1, 2], 2, (n) =>
      stack.schedule(PROJECT, {
        url: `${receiver.url}/orders`,
        postIn: '0s',
        data: { n },
        retryOverride,
        batch: { key: 'cancel-in-retry', maxSize: 2 },
      }),
    );
    assert.ok(leaving && staying);
    await stack.waitForHook(PROJECT, leaving.id, (hook) => hook.status === 'retry');

    const answer = await stack.api(PROJECT).hooks.cancel(leaving.id);
    assert.equal(answer.status, 'cancelled');
    assert.equal(answer.attempts, 1, 'the attempt it was in stays recorded');

    const [first, second] = (await receiver.waitFor(2, 20_000)).map(verified);
    assert.deepEqual(first?.map((envelope) => envelope.id).toSorted(), [leaving.id, staying.id].toSorted());
    assert.deepEqual(
      second?.map((envelope) => envelope.id),
      [staying.id],
    );
    const [done] = await finished([staying]);
    assert.deepEqual(
      done?.attemptHistory.map((attempt) => attempt.statusCode),
      [503, 200],
    );
  });

  it('refuses a bad batch with a clear 400 and schedules nothing', async () => {
    const bad: [string, Record<string, unknown>, string][] = [
      ['size 0', { batch: { key: 'k', maxSize: 0 } }, 'batch.maxSize'],
      ['a size over 1000', { batch: { key: 'k', maxSize: 1001 } }, 'batch.maxSize'],
      ['a negative window', { batch: { key: 'k', windowSecs: -1 } }, 'batch.windowSecs'],
      ['a zero window', { batch: { key: 'k', windowSecs: 0 } }, 'batch.windowSecs'],
      ['a key with spaces', { batch: { key: 'has spaces' } }, 'batch.key'],
      ['an empty key', { batch: { key: '' } }, 'batch.key'],
      ['no key', { batch: { maxSize: 5 } }, 'batch.key'],
      ['an async hook', { batch: { key: 'k' }, async: true }, 'async'],
    ];
    for (const [name, fields, field] of bad) {
      const answer = await stack.request(PROJECT, 'POST', '/v1/hooks', {
        url: 'http://127.0.0.1:9/never',
        postIn: '0s',
        ...fields,
      });
      assertApiError(answer, { status: 400, code: 'validation_failed', brokenFields: [field] }, name);
    }
    const { count } = await stack.client.workflow.count(
      `HookProject = "${PROJECT}" AND HookPath = "http://127.0.0.1:9/never"`,
    );
    assert.equal(count, 0);
  });
});

/**
 * The worker as production runs it (`npm run worker`, a child process of the chaos stack), killed with
 * SIGKILL while a batch gathers: the batch is Temporal's, so nothing of it goes with the process.
 */
describe('batching: a worker killed while a batch gathers', { timeout: 180_000 }, () => {
  let receiver: TestReceiver;
  let chaos: ChaosStack;

  before(async () => {
    receiver = await TestReceiver.start();
    chaos = await ChaosStack.start({
      receiverUrl: receiver.url,
      deliveryTimeoutSecs: 5,
      log: () => undefined,
    });
  });

  after(async () => {
    await chaos.stop();
    await receiver.close();
  });

  const api = async (method: 'GET' | 'POST', url: string, body?: unknown): Promise<HookState> => {
    const response = await fetch(`${chaos.apiUrl}${url}`, {
      method,
      headers: { 'x-api-key': chaos.apiKey, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.ok(response.ok, `${method} ${url}: ${response.status} ${await response.clone().text()}`);
    return ((await response.json()) as { data: HookState }).data;
  };

  it('delivers every member once after the worker comes back', async () => {
    const windowSecs = 3;
    const hooks = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        api('POST', '/v1/hooks', {
          path: '/killed',
          postIn: '0s',
          data: { n },
          batch: { key: 'kill', windowSecs },
        }),
      ),
    );
    // Joined: its batch has it, and it is due by the end of the window rather than at its postAt.
    for (const hook of hooks) {
      await pollFor(`${hook.id} in its batch`, async () => {
        const current = await api('GET', `/v1/hooks/${hook.id}`);
        return current.nextAttemptAt && current.nextAttemptAt > current.postAt ? current : undefined;
      });
    }

    await chaos.kill('worker');
    await new Promise((resolve) => setTimeout(resolve, (windowSecs + 2) * 1000));
    assert.equal(receiver.arrivals.length, 0, 'nothing is sent without a worker');
    await chaos.restart('worker');

    const [arrival] = await receiver.waitFor(1, 30_000);
    const delivered = (JSON.parse(arrival?.body ?? '[]') as { id: string }[]).map((envelope) => envelope.id);
    assert.deepEqual(delivered.toSorted(), hooks.map((hook) => hook.id).toSorted());
    for (const hook of hooks) {
      await pollFor(`${hook.id} completed`, async () => {
        const current = await api('GET', `/v1/hooks/${hook.id}`);
        return current.status === 'completed' ? current : undefined;
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(receiver.arrivals.length, 1, 'one request, none repeated');
  });
});
