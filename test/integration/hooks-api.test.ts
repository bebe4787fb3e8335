import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HookState } from '../../src/domain/hook';
import { TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ErrorBody {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
}

describe('hooks API', { concurrency: true }, () => {
  let stack: TestStack;
  let target: TestReceiver;

  before(async () => {
    target = await TestReceiver.start();
    stack = await TestStack.start([
      { id: 'acme', allowUrlTargets: true },
      { id: 'strict', baseUrl: 'http://127.0.0.1:9/base' },
      // Receives nothing but bad requests, so that "nothing was scheduled" can be checked by count.
      { id: 'rejects', baseUrl: 'http://127.0.0.1:9/base', maxDataBytes: 1024 },
    ]);
  });
  after(async () => {
    await target.close();
    await stack.close();
  });

  const countWorkflows = (projectId: string) =>
    stack.client.workflow.count(`HookProject = "${projectId}"`).then((result) => result.count);

  describe('bad input gets a clear 4xx and schedules nothing', () => {
    const cases: {
      name: string;
      status: number;
      code: string;
      send: () => ReturnType<TestStack['request']>;
    }[] = [
      {
        name: 'no API key',
        status: 401,
        code: 'unauthorized',
        send: () =>
          stack.app.inject({ method: 'POST', url: '/v1/hooks', payload: { path: '/a', postIn: '1m' } }),
      },
      {
        name: 'a wrong API key',
        status: 401,
        code: 'unauthorized',
        send: () =>
          stack.app.inject({
            method: 'POST',
            url: '/v1/hooks',
            headers: { authorization: 'Bearer hr_not-a-key' },
            payload: { path: '/a', postIn: '1m' },
          }),
      },
      {
        name: 'malformed JSON',
        status: 400,
        code: 'invalid_json',
        send: () =>
          stack.request('rejects', 'POST', '/v1/hooks', '{"path": "/a", "postIn": ', {
            'content-type': 'application/json',
          }),
      },
      {
        name: 'a body that is not JSON',
        status: 415,
        code: 'unsupported_media_type',
        send: () =>
          stack.request('rejects', 'POST', '/v1/hooks', 'path=/a', { 'content-type': 'text/plain' }),
      },
      {
        name: 'two time modes',
        status: 400,
        code: 'validation_failed',
        send: () =>
          stack.request('rejects', 'POST', '/v1/hooks', {
            path: '/a',
            postIn: '1m',
            postAt: '2030-01-01T00:00:00Z',
          }),
      },
      {
        name: 'no time mode',
        status: 400,
        code: 'validation_failed',
        send: () => stack.request('rejects', 'POST', '/v1/hooks', { path: '/a' }),
      },
      {
        name: 'an unknown time zone',
        status: 400,
        code: 'validation_failed',
        send: () =>
          stack.request('rejects', 'POST', '/v1/hooks', {
            path: '/a',
            postAtLocal: '2030-01-01T09:00:00',
            timezone: 'Mars/Olympus_Mons',
          }),
      },
      {
        name: 'postIn over 365 days',
        status: 400,
        code: 'validation_failed',
        send: () => stack.request('rejects', 'POST', '/v1/hooks', { path: '/a', postIn: '366d' }),
      },
      {
        name: 'a path without a leading slash',
        status: 400,
        code: 'validation_failed',
        send: () => stack.request('rejects', 'POST', '/v1/hooks', { path: 'orders', postIn: '1m' }),
      },
      {
        name: 'a url where the project forbids free URLs',
        status: 403,
        code: 'url_not_allowed',
        send: () =>
          stack.request('rejects', 'POST', '/v1/hooks', { url: 'http://127.0.0.1:9/x', postIn: '1m' }),
      },
      {
        name: 'data over the size limit',
        status: 413,
        code: 'payload_too_large',
        send: () =>
          stack.request('rejects', 'POST', '/v1/hooks', { path: '/a', postIn: '1m', data: 'x'.repeat(2000) }),
      },
      {
        name: 'an unknown field',
        status: 400,
        code: 'validation_failed',
        send: () =>
          stack.request('rejects', 'POST', '/v1/hooks', { path: '/a', postIn: '1m', deliverAt: 'now' }),
      },
    ];

    for (const { name, status, code, send } of cases) {
      it(`rejects ${name} with ${status}`, async () => {
        const before = await countWorkflows('rejects');
        const response = await send();
        assert.equal(response.statusCode, status, response.body);
        assert.match(String(response.headers['content-type']), /application\/json/);
        const body = response.json<ErrorBody>();
        assert.equal(body.error.code, code);
        assert.ok(body.error.message.length > 0);
        assert.equal(await countWorkflows('rejects'), before);
      });
    }

    it('lists every bad field in the details', async () => {
      const response = await stack.request('rejects', 'POST', '/v1/hooks', {
        path: 'no-slash',
        postIn: '1x',
        retryOverride: { jitter: 2, strategy: 'sometimes' },
      });
      assert.equal(response.statusCode, 400);
      const fields = response
        .json<ErrorBody>()
        .error.details?.map((detail) => detail.field)
        .sort();
      assert.deepEqual(fields, ['path', 'postIn', 'retryOverride.jitter', 'retryOverride.strategy']);
    });

    it('has scheduled nothing for the project that got only bad requests', async () => {
      await sleep(1000);
      assert.equal(await countWorkflows('rejects'), 0);
    });
  });

  it("answers 404 for another project's hook", async () => {
    const hook = await stack.schedule('acme', { url: target.url, postIn: '1h' });
    const response = await stack.request('strict', 'GET', `/v1/hooks/${hook.id}`);
    assert.equal(response.statusCode, 404);
    assert.equal(response.json<ErrorBody>().error.code, 'not_found');
    assert.equal((await stack.request('strict', 'DELETE', `/v1/hooks/${hook.id}`)).statusCode, 404);
    assert.equal((await stack.getHook('acme', hook.id)).status, 'pending');
  });

  it('delivers a path hook to the project baseUrl + path', async () => {
    const response = await stack.request('strict', 'POST', '/v1/hooks', {
      path: '/orders/7?x=1',
      postIn: '1h',
    });
    assert.equal(response.statusCode, 201);
    const hook = response.json<{ data: HookState }>().data;
    assert.equal(hook.targetUrl, 'http://127.0.0.1:9/base/orders/7?x=1');
    assert.equal(hook.path, '/orders/7?x=1');
    await stack.request('strict', 'DELETE', `/v1/hooks/${hook.id}`);
  });

  it('resolves postAtLocal in its time zone', async () => {
    const response = await stack.request('acme', 'POST', '/v1/hooks', {
      url: target.url,
      postAtLocal: '2030-07-01T09:00:00',
      timezone: 'Europe/Paris',
    });
    assert.equal(response.statusCode, 201);
    assert.equal(response.json<{ data: HookState }>().data.postAt, '2030-07-01T07:00:00.000Z');
  });

  it('treats a postAt in the past as now', async () => {
    const hook = await stack.schedule('acme', { url: target.url, postAt: '2001-01-01T00:00:00+02:00' });
    assert.ok(Math.abs(Date.parse(hook.postAt) - Date.now()) < 5000);
    await stack.waitForHook('acme', hook.id, (current) => current.status === 'completed');
  });

  describe('Idempotency-Key', () => {
    const post = (projectId: string, body: object, key: string) =>
      stack.request(projectId, 'POST', '/v1/hooks', body, { 'idempotency-key': key });

    it('returns the same hook with 200 when the key repeats', async () => {
      const body = { url: target.url, postIn: '1h', data: { n: 1 } };
      const first = await post('acme', body, 'order-1');
      const second = await post('acme', body, 'order-1');
      assert.equal(first.statusCode, 201);
      assert.equal(second.statusCode, 200);
      const [a, b] = [first, second].map((response) => response.json<{ data: HookState }>().data);
      assert.equal(a?.id, b?.id);
      assert.deepEqual(b?.data, { n: 1 });
    });

    it('creates exactly one hook under concurrent requests', async () => {
      const body = { url: target.url, postIn: '1h' };
      const responses = await Promise.all(Array.from({ length: 8 }, () => post('acme', body, 'burst')));
      const statuses = responses.map((response) => response.statusCode).sort();
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 201]);
      const ids = new Set(responses.map((response) => response.json<{ data: HookState }>().data.id));
      assert.equal(ids.size, 1);
      const [id] = [...ids];
      const count = await stack.client.workflow.count(`WorkflowId = "hook:acme:${id ?? ''}"`);
      assert.equal(count.count, 1);
    });

    it('refuses a repeated key with a different request', async () => {
      assert.equal((await post('acme', { url: target.url, postIn: '1h' }, 'k2')).statusCode, 201);
      const response = await post('acme', { url: target.url, postIn: '2h' }, 'k2');
      assert.equal(response.statusCode, 409);
      assert.match(response.json<ErrorBody>().error.message, /Idempotency-Key/);
    });

    it('scopes keys to the project', async () => {
      assert.equal((await post('acme', { url: target.url, postIn: '1h' }, 'shared')).statusCode, 201);
      assert.equal((await post('strict', { path: '/a', postIn: '1h' }, 'shared')).statusCode, 201);
    });
  });

  describe('cancel', () => {
    it('cancels a sleeping hook, which is then never delivered', async () => {
      const receiver = await TestReceiver.start();
      try {
        const hook = await stack.schedule('acme', { url: receiver.url, postIn: '2s' });
        const response = await stack.request('acme', 'DELETE', `/v1/hooks/${hook.id}`);
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(response.json<{ data: HookState }>().data.status, 'cancelled');
        await sleep(3500);
        assert.equal(receiver.arrivals.length, 0);
        const current = await stack.getHook('acme', hook.id);
        assert.equal(current.status, 'cancelled');
        assert.equal(current.attempts, 0);
        assert.equal((await stack.request('acme', 'DELETE', `/v1/hooks/${hook.id}`)).statusCode, 409);
      } finally {
        await receiver.close();
      }
    });

    it('refuses to cancel a finished hook with 409', async () => {
      const hook = await stack.schedule('acme', { url: target.url, postIn: '0s' });
      await stack.waitForHook('acme', hook.id, (current) => current.status === 'completed');
      const response = await stack.request('acme', 'DELETE', `/v1/hooks/${hook.id}`);
      assert.equal(response.statusCode, 409);
      assert.equal(response.json<ErrorBody>().error.code, 'conflict');
    });

    it('answers 404 for an unknown hook', async () => {
      const unknown = 'hk_' + '0'.repeat(32);
      assert.equal((await stack.request('acme', 'DELETE', `/v1/hooks/${unknown}`)).statusCode, 404);
      assert.equal((await stack.request('acme', 'GET', `/v1/hooks/${unknown}`)).statusCode, 404);
      assert.equal((await stack.request('acme', 'GET', '/v1/hooks/garbage')).statusCode, 404);
    });
  });

  it('answers health and readiness', async () => {
    assert.equal((await stack.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const ready = await stack.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
  });
});
