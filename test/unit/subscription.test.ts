import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fanoutHookId, newEventId, newSubscriptionId } from '../../src/domain/event-ids';
import { HOOK_ID_PATTERN } from '../../src/domain/hook-ids';
import {
  eventTypeMatches,
  filterMatches,
  isEventType,
  isEventTypePattern,
  isFilterPath,
  patchSubscription,
  type Subscription,
  SUBSCRIPTION_ID_PATTERN,
  subscriptionsFor,
} from '../../src/domain/subscription';

describe('event types and patterns', () => {
  it('accepts dotted segments of letters, digits, _ and -, up to 200 characters', () => {
    for (const type of ['order', 'order.created', 'a-b.c_d.E9', 'x'.repeat(200)])
      assert.ok(isEventType(type), type);
    for (const type of [
      '',
      'order created',
      'order..created',
      '.order',
      'order.',
      'order.*',
      'é',
      'x'.repeat(201),
    ])
      assert.ok(!isEventType(type), type);
  });

  it('accepts * in any segment and ** only last', () => {
    for (const pattern of ['**', '*', 'order.*', '*.created', 'order.**', '*.*.**', 'order.created'])
      assert.ok(isEventTypePattern(pattern), pattern);
    for (const pattern of [
      '',
      '**.created',
      'order.**.x',
      'ord*',
      'order.*x',
      'a b',
      'a..b',
      '***',
      'x'.repeat(201),
    ])
      assert.ok(!isEventTypePattern(pattern), pattern);
  });

  const cases: [string, string, boolean][] = [
    ['order.created', 'order.created', true],
    ['order.created', 'order.updated', false],
    ['order.created', 'order.created.late', false],
    ['order.*', 'order.created', true],
    ['order.*', 'order', false],
    ['order.*', 'order.created.late', false],
    ['*.created', 'invoice.created', true],
    ['order.**', 'order.created', true],
    ['order.**', 'order.created.late', true],
    ['order.**', 'order', false],
    ['order.**', 'orders.created', false],
    ['**', 'anything', true],
    ['**', 'any.thing.at.all', true],
    ['*', 'one', true],
    ['*', 'one.two', false],
    ['Order.created', 'order.created', false],
  ];
  for (const [pattern, type, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${type}`, () => {
      assert.equal(eventTypeMatches(pattern, type), expected);
    });
  }
});

describe('data filters', () => {
  const data = { customer: { tier: 'gold', id: 7, vip: true, note: null }, total: 0, list: ['a'] };

  it('requires every field to equal its value', () => {
    assert.ok(filterMatches(undefined, data));
    assert.ok(filterMatches({}, null));
    assert.ok(filterMatches({ 'customer.tier': 'gold', total: 0 }, data));
    assert.ok(filterMatches({ 'customer.vip': true, 'customer.note': null }, data));
    assert.ok(!filterMatches({ 'customer.tier': 'gold', total: 1 }, data));
    assert.ok(!filterMatches({ 'customer.id': '7' }, data), 'no coercion between types');
  });

  it('finds nothing where the path leads nowhere, not even null', () => {
    assert.ok(!filterMatches({ 'customer.missing': null }, data));
    assert.ok(!filterMatches({ 'total.x': null }, data));
    assert.ok(!filterMatches({ customer: null }, null));
    assert.ok(!filterMatches({ 'customer.constructor': null }, data), 'own properties only');
    assert.ok(!filterMatches(Object.fromEntries([['__proto__', null]]), {}));
    assert.ok(filterMatches({ 'list.0': 'a' }, data), 'an array index is a key like any other');
  });

  it('takes paths of 1 to 8 segments', () => {
    assert.ok(isFilterPath('a'));
    assert.ok(isFilterPath('a.b.c.d.e.f.g.h'));
    assert.ok(!isFilterPath('a.b.c.d.e.f.g.h.i'));
    assert.ok(!isFilterPath(''));
    assert.ok(!isFilterPath('a..b'));
    assert.ok(!isFilterPath('a b'));
  });
});

describe('subscriptionsFor', () => {
  const subscription = (id: string, fields: Partial<Subscription>): Subscription => ({
    id,
    projectId: 'p',
    target: { path: `/${id}` },
    eventTypes: ['order.created'],
    enabled: true,
    createdAt: '2026-11-24T00:00:00.000Z',
    updatedAt: '2026-11-24T00:00:00.000Z',
    ...fields,
  });
  const all = [
    subscription('exact', {}),
    subscription('wildcard', { eventTypes: ['invoice.paid', 'order.*'] }),
    subscription('filtered', { eventTypes: ['**'], filter: { 'customer.tier': 'gold' } }),
    subscription('other-tier', { eventTypes: ['**'], filter: { 'customer.tier': 'silver' } }),
    subscription('disabled', { enabled: false }),
    subscription('other-type', { eventTypes: ['order.deleted'] }),
  ];

  it('picks the enabled subscriptions whose patterns and filter match, in their order', () => {
    const picked = subscriptionsFor({ type: 'order.created', data: { customer: { tier: 'gold' } } }, all);
    assert.deepEqual(
      picked.map((one) => one.id),
      ['exact', 'wildcard', 'filtered'],
    );
  });

  it('may pick none', () => {
    assert.deepEqual(subscriptionsFor({ type: 'user.created', data: null }, all), []);
    assert.deepEqual(subscriptionsFor({ type: 'order.created', data: null }, []), []);
  });
});

describe('patchSubscription', () => {
  const base: Subscription = {
    id: 'sub_1',
    projectId: 'p',
    description: 'orders',
    target: { path: '/a' },
    eventTypes: ['a'],
    filter: { x: 1 },
    enabled: true,
    createdAt: 't0',
    updatedAt: 't0',
  };

  it('changes what the patch sets, removes what it nulls, keeps the rest', () => {
    const { filter: _filter, ...unfiltered } = base;
    assert.deepEqual(patchSubscription(base, { enabled: false, filter: null }, 't1'), {
      ...unfiltered,
      enabled: false,
      updatedAt: 't1',
    });
    const moved = patchSubscription(base, { target: { url: 'https://x.example/' }, description: null }, 't2');
    assert.deepEqual(moved.target, { url: 'https://x.example/' });
    assert.ok(!('description' in moved) && !('filter' in patchSubscription(base, { filter: null }, 't3')));
    assert.deepEqual(patchSubscription(base, {}, 't4'), { ...base, updatedAt: 't4' });
  });
});

describe('ids', () => {
  it('derives one hook id per project, event and subscription, of the shape hooks have', () => {
    const id = fanoutHookId('p', 'ev_1', 'sub_1');
    assert.match(id, HOOK_ID_PATTERN);
    assert.equal(fanoutHookId('p', 'ev_1', 'sub_1'), id);
    assert.notEqual(fanoutHookId('q', 'ev_1', 'sub_1'), id);
    assert.notEqual(fanoutHookId('p', 'ev_2', 'sub_1'), id);
    assert.notEqual(fanoutHookId('p', 'ev_1', 'sub_2'), id);
  });

  it('makes up event and subscription ids', () => {
    assert.match(newEventId(), /^ev_[0-9a-f]{32}$/);
    assert.match(newSubscriptionId(), SUBSCRIPTION_ID_PATTERN);
  });
});
