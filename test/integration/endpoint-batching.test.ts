import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { ENDPOINT_BATCH_KEY } from '../../src/domain/batch';
import type { HookState } from '../../src/domain/hook';
import { endpointOf } from '../../src/domain/endpoint-grouping';
import { mapLimited } from '../../src/lib/map-limited';
import { assertApiError } from '../support/api-error';
import { pollFor } from '../support/poll';
import { type Arrival, ReceiverPool, type TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

/**
 * An endpoint set to batch: every sync hook to it goes out in a batch request, with no batch key of its
 * own; async hooks still go one by one, and clearing the setting brings single requests back.
 */

const PROJECT = 'ep-batch';

/** Every worker's gate reads endpoint settings once a second: a change is in force after this. */
const GATE_REFRESH_WAIT_MS = 1_500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('an endpoint set to batch', { timeout: 180_000 }, () => {
  const receivers = new ReceiverPool();
  let stack: TestStack;
  let receiver: TestReceiver;
  let url: string;
  let endpointId: string;

  /** The parsed body of a request, after checking its Standard Webhooks signature. */
  const verified = (arrival: Arrival): unknown => {
    const webhook = new Webhook(stack.projects[PROJECT]?.signingSecret ?? '');
    return webhook.verify(arrival.body, {
      'webhook-id': String(arrival.headers['webhook-id']),
      'webhook-timestamp': String(arrival.headers['webhook-timestamp']),
      'webhook-signature': String(arrival.headers['webhook-signature']),
    });
  };

  const scheduleMany = (count: number, extra: object = {}): Promise<HookState[]> =>
    mapLimited(
      Array.from({ length: count }, (_, n) => n),
      16,
      (n) => stack.schedule(PROJECT, { url, postIn: '0s', data: { n }, ...extra }),
    );

  const completed = (hooks: readonly HookState[]) =>
    mapLimited(hooks, 16, (hook) =>
      stack.waitForHook(PROJECT, hook.id, (state) => state.status === 'completed', 60_000),
    );

  before(async () => {
    receiver = await receivers.start();
    url = `${receiver.url}/orders`;
    stack = await TestStack.start([{ id: PROJECT, allowUrlTargets: true }]);
    // An endpoint appears with its first hook.
    await stack.schedule(PROJECT, { url, postIn: '0s', data: { warmUp: true } });
    await receiver.waitFor(1, 15_000);
    endpointId = endpointOf(url, { by: 'path' }).id;
    await pollFor(`endpoint of ${url}`, async () => {
      const response = await stack.request(PROJECT, 'GET', `/v1/endpoints/${endpointId}`);
      return response.statusCode === 200 ? true : undefined;
    });
  });

  after(async () => {
    await stack.close();
    await receivers.closeAll();
  });

  it('sends its sync hooks together, signed, each with its own record; an async hook goes alone', async () => {
    const api = stack.api(PROJECT);
    const configured = await api.endpoints.configure(endpointId, { batch: { windowSecs: 2 } });
    // The project's size, the endpoint's own window over it.
    assert.deepEqual(configured.batch, { maxSize: 100, windowSecs: 2 });
    assert.deepEqual(configured.overrides.batch, { windowSecs: 2 });
    await sleep(GATE_REFRESH_WAIT_MS);

    const before = receiver.arrivals.length;
    const hooks = await scheduleMany(30);
    const asyncHook = await stack.schedule(PROJECT, {
      url,
      postIn: '0s',
      data: { alone: true },
      async: true,
    });

    // One signed array of envelopes per batch request, and the async hook as a single delivery.
    const byId = new Map<string, string>();
    let single: Arrival | undefined;
    const sorted = () => {
      byId.clear();
      single = undefined;
      for (const arrival of receiver.arrivals.slice(before)) {
        const body = verified(arrival);
        if (!Array.isArray(body)) {
          single = arrival;
          continue;
        }
        for (const envelope of body as Array<{ id: string }>) {
          assert.equal(byId.has(envelope.id), false, `${envelope.id} arrives once`);
          byId.set(envelope.id, String(arrival.headers['webhook-id']));
        }
      }
      return byId.size === hooks.length && single ? true : undefined;
    };
    await pollFor('all 31 hooks delivered', () => Promise.resolve(sorted()));
    const requests = new Set(byId.values());
    assert.ok(requests.size <= 3, `30 hooks went in ${requests.size} requests, not one each`);
    for (const batchId of requests) assert.match(batchId, /^bat_[0-9a-f]{32}$/);
    assert.equal(String(single?.headers['webhook-id']), asyncHook.id, 'the async hook went alone');

    for (const hook of await completed(hooks)) {
      assert.deepEqual(
        hook.attemptHistory.map((attempt) => [attempt.number, attempt.outcome, attempt.statusCode]),
        [[1, 'success', 200]],
      );
      assert.deepEqual(hook.batch, { key: ENDPOINT_BATCH_KEY, batchId: byId.get(hook.id) });
    }
    const [asyncDone] = await completed([asyncHook]);
    assert.equal(asyncDone?.batch, undefined);
  });

  it('keeps a hook with its own batch key in its own batch', async () => {
    await stack.api(PROJECT).endpoints.configure(endpointId, { batch: { windowSecs: 1 } });
    await sleep(GATE_REFRESH_WAIT_MS);
    const hooks = await scheduleMany(2, { batch: { key: 'own', windowSecs: 1 } });
    for (const hook of await completed(hooks)) assert.equal(hook.batch?.key, 'own');
  });

  it('goes back to single requests once the setting is cleared', async () => {
    const api = stack.api(PROJECT);
    const cleared = await api.endpoints.configure(endpointId, { batch: null });
    assert.equal(cleared.batch, undefined);
    assert.equal(cleared.overrides.batch, undefined);
    await sleep(GATE_REFRESH_WAIT_MS);

    const before = receiver.arrivals.length;
    const hooks = await scheduleMany(3);
    const arrivals = (await receiver.waitFor(before + 3, 30_000)).slice(before);
    assert.deepEqual(
      arrivals.map((arrival) => Array.isArray(verified(arrival))).sort(),
      [false, false, false],
      'each hook its own request',
    );
    for (const hook of await completed(hooks)) assert.equal(hook.batch, undefined);
  });

  it('refuses batch settings out of range, naming the field, and changes nothing', async () => {
    const cases: Array<[object, string]> = [
      [{ batch: { maxSize: 0 } }, 'batch.maxSize'],
      [{ batch: { maxSize: 2.5 } }, 'batch.maxSize'],
      [{ batch: { maxSize: 100_000 } }, 'batch.maxSize'],
      [{ batch: { windowSecs: 0 } }, 'batch.windowSecs'],
      [{ batch: { windowSecs: 'soon' } }, 'batch.windowSecs'],
      [{ batch: { key: 'mine' } }, 'batch'],
      [{ batch: true }, 'batch'],
    ];
    for (const [body, field] of cases) {
      assertApiError(await stack.request(PROJECT, 'PATCH', `/v1/endpoints/${endpointId}`, body), {
        status: 400,
        code: 'validation_failed',
        brokenFields: [field],
      });
    }
    const view = await stack.api(PROJECT).endpoints.get(endpointId);
    assert.equal(view.batch, undefined);
  });
});
