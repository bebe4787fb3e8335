import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { HookrelayApiError, type Subscription } from '../../src/client';
import { MAX_SUBSCRIPTIONS } from '../../src/domain/subscription';
import { assertApiError } from '../support/api-error';
import { type Arrival, TestReceiver } from '../support/receiver';
import { pollFor } from '../support/poll';
import { TestStack } from '../support/stack';

describe('fan-out: events delivered to subscriptions', { timeout: 180_000 }, () => {
  let stack: TestStack;
  let receiver: TestReceiver;

  const hooksOf = async (projectId: string) =>
    (await stack.client.workflow.count(`HookProject = "${projectId}"`)).count;

  before(async () => {
    receiver = await TestReceiver.start();
    stack = await TestStack.start([
      { id: 'fan', baseUrl: receiver.url, allowUrlTargets: true, retry: { maxAttempts: 1 } },
      { id: 'paths', baseUrl: receiver.url },
      { id: 'many', baseUrl: receiver.url },
    ]);
  });

  after(async () => {
    await stack.close();
    await receiver.close();
  });

  it('keeps subscriptions: create, list, read, change, delete', async () => {
    const api = stack.api('paths');
    assert.deepEqual(await api.subscriptions.list(), []);
    const created = await api.subscriptions.create({
      path: '/crud',
      eventTypes: ['user.*'],
      description: 'users',
    });
    assert.match(created.id, /^sub_[0-9a-f]{24}$/);
    assert.deepEqual(
      { ...created, id: undefined, createdAt: undefined, updatedAt: undefined },
      { ...created, id: undefined, createdAt: undefined, updatedAt: undefined, path: '/crud', enabled: true },
    );
    assert.deepEqual(await api.subscriptions.get(created.id), created);

    const changed = await api.subscriptions.update(created.id, {
      enabled: false,
      filter: { 'user.plan': 'pro' },
      description: null,
    });
    assert.equal(changed.enabled, false);
    assert.deepEqual(changed.filter, { 'user.plan': 'pro' });
    assert.equal(changed.description, undefined);
    assert.equal(changed.createdAt, created.createdAt);
    assert.deepEqual(await api.subscriptions.list(), [changed]);

    assert.deepEqual(await api.subscriptions.delete(created.id), changed);
    assert.deepEqual(await api.subscriptions.list(), []);
    await assert.rejects(api.subscriptions.get(created.id), { status: 404, code: 'not_found' });
  });

  it('delivers one event to the three matching subscriptions, once each, signed, and lists it', async () => {
    const api = stack.api('fan');
    const subscribe = (request: Parameters<typeof api.subscriptions.create>[0]) =>
      api.subscriptions.create(request);
    const exact = await subscribe({ path: '/exact', eventTypes: ['order.created'] });
    const wildcard = await subscribe({
      url: `${receiver.url}/wildcard`,
      eventTypes: ['invoice.paid', 'order.*'],
    });
    const filtered = await subscribe({
      path: '/gold',
      eventTypes: ['**'],
      filter: { 'customer.tier': 'gold' },
    });
    await subscribe({ path: '/other-type', eventTypes: ['invoice.*'] });
    await subscribe({ path: '/other-tier', eventTypes: ['order.**'], filter: { 'customer.tier': 'silver' } });
    const disabled = await subscribe({ path: '/disabled', eventTypes: ['order.created'] });
    await api.subscriptions.update(disabled.id, { enabled: false });

    const data = { customer: { tier: 'gold' }, total: 42 };
    const { event, created } = await api.events.publish({ type: 'order.created', data });
    assert.equal(created, true);
    assert.match(event.id, /^ev_[0-9a-f]{32}$/);
    assert.deepEqual(event.subscriptionIds, [exact.id, wildcard.id, filtered.id]);
    assert.equal(new Set(event.hookIds).size, 3);

    const arrivals = await receiver.waitFor(3, 20_000);
    const byHook = new Map<string, Arrival[]>(event.hookIds.map((id) => [id, receiver.arrivalsFor(id)]));
    assert.deepEqual(
      event.hookIds.map((id) => byHook.get(id)?.[0]?.path),
      ['/exact', '/wildcard', '/gold'],
    );
    const secret = stack.projects.fan?.signingSecret ?? '';
    for (const arrival of arrivals) {
      const payload = new Webhook(secret).verify(arrival.body, {
        'webhook-id': String(arrival.headers['webhook-id']),
        'webhook-timestamp': String(arrival.headers['webhook-timestamp']),
        'webhook-signature': String(arrival.headers['webhook-signature']),
      }) as { data: unknown };
      assert.deepEqual(payload.data, { eventId: event.id, eventType: 'order.created', data });
    }
    for (const hookId of event.hookIds) {
      const hook = await stack.waitForHook('fan', hookId, (state) => state.status === 'completed');
      assert.equal(hook.attempts, 1);
    }
    // Nothing more arrives: each hook was delivered once, the others got nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(receiver.arrivals.length, 3);

    assert.deepEqual(await api.events.get(event.id), event);
    const listed = await pollFor('the event listed', async () => {
      const page = await api.events.list({ type: 'order.created' });
      return page.data.length > 0 ? page : undefined;
    });
    const { data: _data, ...summary } = event;
    assert.deepEqual(listed, { data: [summary], nextCursor: null });
    assert.deepEqual((await api.events.list({ type: 'invoice.paid' })).data, []);
  });

  it('answers a repeated event id with the first event and fans out once', async () => {
    const api = stack.api('fan');
    const before = receiver.arrivals.length;
    const first = await api.events.publish({ id: 'order-7', type: 'order.created', data: { n: 1 } });
    assert.equal(first.created, true);
    assert.equal(first.event.hookIds.length, 2, 'exact and wildcard: the data is not gold');
    const again = await api.events.publish({ id: 'order-7', type: 'order.created', data: { n: 2 } });
    assert.deepEqual(again, { event: first.event, created: false });
    await receiver.waitFor(before + 2, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const hookId of first.event.hookIds) assert.equal(receiver.arrivalsFor(hookId).length, 1);
    assert.equal(receiver.arrivals.length, before + 2);
  });

  it('accepts an event no subscription matches, with no hooks', async () => {
    const { event } = await stack.api('fan').events.publish({ type: 'nobody.listens' });
    assert.deepEqual({ hookIds: event.hookIds, data: event.data }, { hookIds: [], data: null });
  });

  it('refuses bad input with a 4xx naming the fields, and schedules nothing', async () => {
    const cases: [string, 'GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown, number, string, string[]?][] =
      [
        [
          'a type with spaces',
          'POST',
          '/v1/events',
          { type: 'order created' },
          400,
          'validation_failed',
          ['type'],
        ],
        ['an empty type', 'POST', '/v1/events', { type: '' }, 400, 'validation_failed', ['type']],
        ['a bad event id', 'POST', '/v1/events', { type: 'a', id: 'a b' }, 400, 'validation_failed', ['id']],
        ['an unknown field', 'POST', '/v1/events', { type: 'a', when: 1 }, 400, 'validation_failed'],
        [
          'a ** not last',
          'POST',
          '/v1/subscriptions',
          { path: '/x', eventTypes: ['order.**.paid'] },
          400,
          'validation_failed',
          ['eventTypes'],
        ],
        [
          'no event types',
          'POST',
          '/v1/subscriptions',
          { path: '/x', eventTypes: [] },
          400,
          'validation_failed',
          ['eventTypes'],
        ],
        [
          'a filter too deep',
          'POST',
          '/v1/subscriptions',
          { path: '/x', eventTypes: ['a'], filter: { 'a.b.c.d.e.f.g.h.i': 1 } },
          400,
          'validation_failed',
          ['filter'],
        ],
        [
          'a filter on an object',
          'POST',
          '/v1/subscriptions',
          { path: '/x', eventTypes: ['a'], filter: { a: { b: 1 } } },
          400,
          'validation_failed',
          ['filter'],
        ],
        [
          'both path and url',
          'POST',
          '/v1/subscriptions',
          { path: '/x', url: 'https://x.example/', eventTypes: ['a'] },
          400,
          'validation_failed',
          ['path'],
        ],
        [
          'an unknown field',
          'POST',
          '/v1/subscriptions',
          { path: '/x', eventTypes: ['a'], events: ['a'] },
          400,
          'validation_failed',
        ],
        [
          'a url where only paths go',
          'POST',
          '/v1/subscriptions',
          { url: 'https://x.example/', eventTypes: ['a'] },
          403,
          'url_not_allowed',
        ],
        [
          'an unknown subscription',
          'GET',
          '/v1/subscriptions/sub_000000000000000000000000',
          undefined,
          404,
          'not_found',
        ],
        [
          'an unknown subscription',
          'PATCH',
          '/v1/subscriptions/sub_000000000000000000000000',
          { enabled: false },
          404,
          'not_found',
        ],
        [
          'an unknown subscription',
          'DELETE',
          '/v1/subscriptions/sub_000000000000000000000000',
          undefined,
          404,
          'not_found',
        ],
        ['not a subscription id', 'GET', '/v1/subscriptions/hk_1', undefined, 404, 'not_found'],
        [
          'an empty change',
          'PATCH',
          '/v1/subscriptions/sub_000000000000000000000000',
          {},
          400,
          'validation_failed',
        ],
        [
          'an unknown event',
          'GET',
          '/v1/events/ev_00000000000000000000000000000000',
          undefined,
          404,
          'not_found',
        ],
        ['a bad type filter', 'GET', '/v1/events?type=a%20b', undefined, 400, 'validation_failed', ['type']],
      ];
    for (const [what, method, url, body, status, code, brokenFields] of cases) {
      const answer = await stack.request('paths', method, url, body);
      assertApiError(
        answer,
        { status, code, ...(brokenFields ? { brokenFields } : {}) },
        `${what}: ${method} ${url}`,
      );
    }
    assert.deepEqual(await stack.api('paths').subscriptions.list(), []);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(await hooksOf('paths'), 0);
    assert.equal((await stack.client.workflow.count('EventProject = "paths"')).count, 0);
  });

  it(`keeps at most ${MAX_SUBSCRIPTIONS} subscriptions a project, over several runs of its workflow`, async () => {
    const api = stack.api('many');
    const made: Subscription[] = [];
    // Ten at a time: the changes of one project are one workflow's updates, taken one after another, and
    // a busy machine must still answer each within the API's wait.
    for (let batch = 0; batch < MAX_SUBSCRIPTIONS / 10; batch++) {
      made.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, index) =>
            api.subscriptions.create({ path: `/n${batch * 10 + index}`, eventTypes: ['never.sent'] }),
          ),
        )),
      );
    }
    const refused = await api.subscriptions
      .create({ path: '/one-more', eventTypes: ['a'] })
      .catch((e: unknown) => e);
    assert.ok(refused instanceof HookrelayApiError, String(refused));
    assert.deepEqual(
      { status: refused.status, code: refused.code },
      { status: 409, code: 'subscription_limit' },
    );
    const listed = await api.subscriptions.list();
    assert.deepEqual(new Set(listed.map((one) => one.id)), new Set(made.map((one) => one.id)));
    // Deleting one makes room again.
    await api.subscriptions.delete(made[0]?.id ?? '');
    await api.subscriptions.create({ path: '/one-more', eventTypes: ['a'] });
    assert.equal((await api.subscriptions.list()).length, MAX_SUBSCRIPTIONS);
  });
});
