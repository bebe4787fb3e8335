import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { buildApp } from '../../src/api/app';
import type { HookDetail } from '../../src/client';
import { configSchema } from '../../src/config/schema';
import type { CallbackSignal, CallbackView } from '../../src/domain/async-ack';
import {
  HookConflictError,
  HookNotFoundError,
  InvalidCursorError,
  TargetNotAllowedError,
} from '../../src/domain/errors';
import type { HookState } from '../../src/domain/hook';
import type { FanoutStore } from '../../src/domain/fanout-store';
import type { ProjectSettingsStore } from '../../src/domain/project-settings';
import type { IngestStore } from '../../src/domain/ingest-store';
import type { HookStore } from '../../src/domain/hook-store';
import type { ScheduleDefinition, ScheduleView } from '../../src/domain/schedule';
import type { ScheduleStore } from '../../src/domain/schedule-store';
import type { NewHook } from '../../src/domain/new-hook';
import { hashApiKey } from '../../src/security/api-keys';
import { ServerSecret } from '../../src/security/server-secret';
import { generateSigningSecret } from '../../src/security/signing';
import { assertApiError } from '../support/api-error';
import { sendRaw } from '../support/raw-http';

/**
 * The HTTP layer on its own: the API depends on the store's interfaces only, so these tests hand it a
 * scripted store and check how requests become store calls and how domain errors become HTTP answers.
 */

const API_KEY = 'routes-test-key';
const HOOK_ID = `hk_${'a'.repeat(32)}`;
const secret = new ServerSecret('s'.repeat(40));

/** A store whose every method records its call and then does what the test scripted (by default, fail). */
class ScriptedStore {
  readonly calls: { method: string; args: unknown[] }[] = [];
  outcome: () => unknown = () => {
    throw new Error('not scripted');
  };

  private call<T>(method: string, args: unknown[]): Promise<T> {
    this.calls.push({ method, args });
    return Promise.resolve().then(() => this.outcome() as T);
  }

  readonly store: HookStore = {
    commands: {
      schedule: (...args) => this.call('schedule', args),
      reschedule: (...args) => this.call('reschedule', args),
      cancel: (...args) => this.call('cancel', args),
      retry: (...args) => this.call('retry', args),
    },
    reads: {
      get: (...args) => this.call('get', args),
      list: (...args) => this.call('list', args),
      standing: (...args) => this.call('standing', args),
    },
    callbacks: {
      callbackView: (...args) => this.call<CallbackView>('callbackView', args),
      sendCallback: (...args) => this.call('sendCallback', args),
    },
    health: {
      isReachable: () => this.call('isReachable', []),
      backlog: (...args) => this.call('backlog', args),
    },
    endpoints: {
      list: (...args) => this.call('listEndpoints', args),
      get: (...args) => this.call('getEndpoint', args),
      pause: (...args) => this.call('pauseEndpoint', args),
      resume: (...args) => this.call('resumeEndpoint', args),
      configure: (...args) => this.call('configureEndpoint', args),
      alerts: (...args) => this.call('alerts', args),
      activity: (...args) => this.call('activity', args),
      // The hook routes ask for every hook read; a project without endpoint tracking has none.
      endpointOfTarget: () => Promise.resolve(undefined),
    },
  };

  readonly fanout: FanoutStore = {
    subscriptions: {
      list: (...args) => this.call('listSubscriptions', args),
      get: (...args) => this.call('getSubscription', args),
      create: (...args) => this.call('createSubscription', args),
      update: (...args) => this.call('updateSubscription', args),
      delete: (...args) => this.call('deleteSubscription', args),
    },
    events: {
      publish: (...args) => this.call('publishEvent', args),
      get: (...args) => this.call('getEvent', args),
      list: (...args) => this.call('listEvents', args),
    },
  };

  readonly projectSettings: ProjectSettingsStore = {
    get: (...args) => this.call('getProjectSettings', args),
    change: (...args) => this.call('changeProjectSettings', args),
  };

  readonly ingest: IngestStore = {
    accept: (...args) => this.call('acceptIngested', args),
    get: (...args) => this.call('getIngested', args),
    list: (...args) => this.call('listIngested', args),
    replay: (...args) => this.call('replayIngested', args),
  };

  readonly schedules: ScheduleStore = {
    create: (...args) => this.call('createSchedule', args),
    get: (...args) => this.call('getSchedule', args),
    list: (...args) => this.call('listSchedules', args),
    update: (...args) => this.call('updateSchedule', args),
    pause: (...args) => this.call('pauseSchedule', args),
    resume: (...args) => this.call('resumeSchedule', args),
    trigger: (...args) => this.call('triggerSchedule', args),
    backfill: (...args) => this.call('backfillSchedule', args),
    delete: (...args) => this.call('deleteSchedule', args),
  };
}

function hookState(overrides: Partial<HookState> = {}): HookState {
  return {
    id: HOOK_ID,
    path: '/orders',
    targetUrl: 'https://receiver.example/orders',
    data: null,
    postAt: '2030-01-01T00:00:00.000Z',
    status: 'pending',
    attempts: 0,
    createdAt: '2029-12-31T00:00:00.000Z',
    updatedAt: '2029-12-31T00:00:00.000Z',
    async: false,
    attemptHistory: [],
    ...overrides,
  };
}

describe('API routes over the store interfaces', () => {
  const scripted = new ScriptedStore();
  let app: FastifyInstance;

  const signingSecret = generateSigningSecret();

  before(async () => {
    const config = configSchema.parse({
      callbackSecret: 's'.repeat(40),
      projects: [
        {
          id: 'shop',
          apiKeyHashes: [hashApiKey(API_KEY)],
          signingSecrets: [signingSecret],
          baseUrl: 'https://receiver.example',
          retry: { maxAttempts: 4 },
        },
      ],
    });
    app = await buildApp({
      store: scripted.store,
      fanout: scripted.fanout,
      projectSettings: scripted.projectSettings,
      ingest: scripted.ingest,
      schedules: scripted.schedules,
      projects: config.projects,
      callbackTokens: secret,
      logger: false,
      temporalWebUi: { url: 'http://127.0.0.1:8233/', namespace: 'hookrelay' },
    });
  });
  after(() => app.close());
  beforeEach(() => {
    scripted.calls.length = 0;
  });

  const send = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, headers: { 'x-api-key': API_KEY }, ...(payload ? { payload } : {}) });

  it('schedules the hook the request describes, under the project rules, due when it asks', async () => {
    scripted.outcome = () => ({ hook: hookState(), created: true });
    const before = Date.now();
    const response = await send('POST', '/v1/hooks', { path: '/orders', postIn: '1h', data: { n: 1 } });
    assert.equal(response.statusCode, 201);
    const call = scripted.calls.at(0);
    assert.equal(call?.method, 'schedule');
    const [projectId, hook, idempotency] = call.args as [string, NewHook, unknown];
    assert.equal(projectId, 'shop');
    assert.equal(hook.targetUrl, 'https://receiver.example/orders');
    assert.deepEqual(hook.data, { n: 1 });
    assert.equal(hook.retry.maxAttempts, 4, "the project's retry settings");
    const dueIn = Date.parse(hook.postAt) - before;
    assert.ok(dueIn >= 3_600_000 && dueIn < 3_600_000 + 5_000, `due in ${dueIn} ms`);
    assert.equal(idempotency, undefined);
  });

  it('answers 200 with the existing hook for a repeated Idempotency-Key', async () => {
    scripted.outcome = () => ({ hook: hookState(), created: false });
    const response = await app.inject({
      method: 'POST',
      url: '/v1/hooks',
      headers: { 'x-api-key': API_KEY, 'idempotency-key': 'order-1' },
      payload: { path: '/orders', postIn: '1h' },
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(
      scripted.calls[0]?.args[2],
      { key: 'order-1', request: { path: '/orders', postIn: '1h' } },
      'the request as sent, so that fingerprints stay what they were for hooks already scheduled',
    );
  });

  it('turns a schedule request into its definition, with the defaults the API documents', async () => {
    const view = (definition: ScheduleDefinition): ScheduleView => ({
      ...definition,
      id: `sch_${'b'.repeat(24)}`,
      paused: false,
      nextRunTimes: [],
      recentRuns: [],
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    });
    scripted.outcome = () => view(scripted.calls[0]?.args[2] as ScheduleDefinition);
    const response = await send('POST', '/v1/schedules', {
      path: '/nightly',
      cron: '30 2 * * *',
      startAt: '2030-01-01T01:00:00+01:00',
    });
    assert.equal(response.statusCode, 201, response.body);
    const [projectId, scheduleId, definition] = scripted.calls[0]?.args as [
      string,
      string,
      ScheduleDefinition,
    ];
    assert.equal(projectId, 'shop');
    assert.match(scheduleId, /^sch_[0-9a-f]{24}$/);
    assert.deepEqual(definition, {
      target: { path: '/nightly' },
      data: null,
      timing: { cron: '30 2 * * *' },
      timezone: 'UTC',
      startAt: '2030-01-01T00:00:00.000Z',
      overlap: 'skip',
    });
    const body = response.json<{ data: Record<string, unknown> }>().data;
    assert.equal(body.path, '/nightly');
    assert.equal(body.cron, '30 2 * * *');
    assert.equal(body.target, undefined, 'target and timing are flat on the wire');
  });

  it('answers a bad schedule request or id without asking the store', async () => {
    assertApiError(await send('POST', '/v1/schedules', { path: '/x', cron: '0 0 30 2 *' }), {
      status: 400,
      code: 'validation_failed',
      brokenFields: ['cron'],
    });
    assertApiError(
      await send('POST', '/v1/schedules', { url: 'https://elsewhere.example/', interval: '1h' }),
      {
        status: 403,
        code: 'url_not_allowed',
      },
    );
    assertApiError(await send('POST', '/v1/schedules/sch_nope/trigger'), { status: 404, code: 'not_found' });
    assertApiError(
      await send('POST', `/v1/schedules/sch_${'c'.repeat(24)}/backfill`, {
        from: '2030-01-01T00:00:00Z',
        to: '2030-01-09T00:00:00Z',
      }),
      { status: 400, code: 'validation_failed', brokenFields: ['to'] },
    );
    assert.equal(scripted.calls.length, 0);
  });

  it('refuses a free URL for a project without allowUrlTargets with 403, and schedules nothing', async () => {
    const response = await send('POST', '/v1/hooks', { url: 'https://elsewhere.example/', postIn: '1m' });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'url_not_allowed');
    assert.equal(scripted.calls.length, 0);
  });

  it("shows the request the hook's latest attempt sent, as the receiver got and verified it", async () => {
    const startedAt = new Date(Date.now() - 1_000).toISOString();
    const attempt = {
      number: 2,
      startedAt,
      finishedAt: startedAt,
      durationMs: 5,
      outcome: 'failure' as const,
    };
    scripted.outcome = () =>
      hookState({ status: 'retry', attempts: 2, data: { order: 7 }, attemptHistory: [attempt] });
    const response = await send('GET', `/v1/hooks/${HOOK_ID}`);
    assert.equal(response.statusCode, 200);
    const { request, links } = response.json<{ data: HookDetail }>().data;
    assert.equal(request.url, 'https://receiver.example/orders');
    assert.equal(request.attempt, 2);
    assert.equal(request.sentAt, startedAt);
    assert.equal(request.headers['webhook-id'], HOOK_ID);
    assert.equal(request.headers['hook-attempt'], '2');
    assert.equal(request.headers['webhook-timestamp'], String(Math.floor(Date.parse(startedAt) / 1000)));
    assert.deepEqual(new Webhook(signingSecret).verify(request.body, request.headers), {
      id: HOOK_ID,
      path: '/orders',
      postAt: hookState().postAt,
      postedAt: startedAt,
      attempt: 2,
      data: { order: 7 },
      createdAt: hookState().createdAt,
    });
    assert.equal(
      links.temporalUi,
      `http://127.0.0.1:8233/namespaces/hookrelay/workflows/${encodeURIComponent(`hook:shop:${HOOK_ID}`)}`,
    );
  });

  it('signs nothing for a hook not attempted yet, nor hands out ack and nack URLs', async () => {
    scripted.outcome = () => hookState({ async: true });
    const { request } = (await send('GET', `/v1/hooks/${HOOK_ID}`)).json<{ data: HookDetail }>().data;
    assert.equal(request.attempt, 1);
    assert.equal(request.sentAt, null);
    for (const name of ['webhook-timestamp', 'webhook-signature', 'hook-ack-url', 'hook-nack-url']) {
      assert.equal(request.headers[name], '(issued when sent)', name);
    }
    assert.equal(request.headers['webhook-id'], HOOK_ID);
  });

  it('reschedules to the instant the body names', async () => {
    scripted.outcome = () => hookState();
    const response = await send('PATCH', `/v1/hooks/${HOOK_ID}`, {
      postAtLocal: '2030-03-31T02:30:00',
      timezone: 'Europe/Paris',
    });
    assert.equal(response.statusCode, 200);
    const [, , postAt] = scripted.calls[0]?.args as [string, string, Date];
    assert.equal(postAt.toISOString(), '2030-03-31T01:30:00.000Z', '02:30 is skipped: 03:30 CEST');
  });

  const errorCases: [string, () => unknown, number, string][] = [
    [
      'a hook the store does not know',
      () => Promise.reject(new HookNotFoundError('hook not found')),
      404,
      'not_found',
    ],
    ['a state conflict', () => Promise.reject(new HookConflictError('hook is completed')), 409, 'conflict'],
    [
      'a target the project refuses',
      () => Promise.reject(new TargetNotAllowedError('path_not_allowed', 'no baseUrl')),
      403,
      'path_not_allowed',
    ],
    [
      'Temporal unavailable',
      () => Promise.reject(Object.assign(new Error('14 UNAVAILABLE'), { code: 14 })),
      503,
      'unavailable',
    ],
    ['an unexpected error', () => Promise.reject(new Error('boom')), 500, 'internal'],
  ];
  for (const [what, outcome, status, code] of errorCases) {
    it(`answers ${status} ${code} for ${what}`, async () => {
      scripted.outcome = outcome;
      const response = await send('DELETE', `/v1/hooks/${HOOK_ID}`);
      assert.equal(response.statusCode, status);
      assert.equal(response.json<{ error: { code: string } }>().error.code, code);
    });
  }

  it('answers 400 naming the cursor when the store refuses it', async () => {
    scripted.outcome = () => Promise.reject(new InvalidCursorError('cursor is not valid for this query'));
    const response = await send('GET', '/v1/hooks?cursor=abc.def');
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json<{ error: { details: unknown } }>().error.details, [
      { field: 'cursor', message: 'must be a nextCursor from an earlier page' },
    ]);
  });

  it('counts a bulk item the store refuses as unaffected, not as an error', async () => {
    let calls = 0;
    scripted.outcome = () =>
      ++calls === 1 ? hookState({ status: 'cancelled' }) : Promise.reject(new HookConflictError('done'));
    const other = `hk_${'b'.repeat(32)}`;
    const response = await send('POST', '/v1/hooks/bulk/cancel', { hookIds: [HOOK_ID, other, 'not-an-id'] });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { affected: 1 });
    assert.equal(scripted.calls.length, 2, 'an id that cannot exist is never looked up');
  });

  describe('callbacks', () => {
    const token = (attempt: number, expiresInSecs: number) =>
      secret.signCallbackToken({
        hookId: HOOK_ID,
        projectId: 'shop',
        attempt,
        expiresAt: Math.floor(Date.now() / 1000) + expiresInSecs,
      });
    const ack = (value: string) => app.inject({ method: 'POST', url: `/v1/callbacks/${value}/ack` });
    const awaiting: CallbackView = {
      cancelled: false,
      memo: { attempt: 1, phase: 'awaiting_ack', ackDeadline: new Date(Date.now() + 60_000).toISOString() },
    };

    it('hands an ack in time to the store, stamped with its arrival', async () => {
      scripted.outcome = () => awaiting;
      const response = await ack(token(1, 3600));
      assert.equal(response.statusCode, 200);
      const sent = scripted.calls.find((call) => call.method === 'sendCallback');
      const signal = sent?.args[2] as CallbackSignal;
      assert.equal(signal.kind, 'ack');
      assert.equal(signal.attempt, 1);
      assert.ok(Math.abs(Date.parse(signal.receivedAt) - Date.now()) < 5_000);
    });

    it('answers 410 for an expired token without signalling', async () => {
      scripted.outcome = () => awaiting;
      const response = await ack(token(1, -1));
      assert.equal(response.statusCode, 410);
      assert.ok(!scripted.calls.some((call) => call.method === 'sendCallback'));
    });

    it('answers 409 for an older attempt and 401 for a forged token, without signalling', async () => {
      scripted.outcome = () => ({ ...awaiting, memo: { ...awaiting.memo, attempt: 2 } });
      assert.equal((await ack(token(1, 3600))).statusCode, 409);
      assert.equal((await ack(`${token(1, 3600)}x`)).statusCode, 401);
      assert.ok(!scripted.calls.some((call) => call.method === 'sendCallback'));
    });
  });

  describe('what the URL parser would change, and what Fastify would answer in its own format', () => {
    const injections = ['\r\n', '\n', '\r', '\0', '\t', '\x1b', '\x7f', '\x85'];

    for (const control of injections) {
      const name = JSON.stringify(control);
      it(`refuses a path or url with ${name} with 400, and schedules nothing`, async () => {
        for (const [field, body] of [
          ['path', { path: `/a${control}X-Injected: 1`, postIn: '1m' }],
          ['url', { url: `https://receiver.example/a${control}X-Injected: 1`, postIn: '1m' }],
        ] as const) {
          const response = await send('POST', '/v1/hooks', body);
          assertApiError(response, { status: 400, code: 'validation_failed', brokenFields: [field] });
          assert.match(response.body, /control characters/);
        }
        const list = await send('GET', `/v1/hooks?pathPrefix=${encodeURIComponent(`/a${control}`)}`);
        assertApiError(list, { status: 400, code: 'validation_failed', brokenFields: ['pathPrefix'] });
        assert.equal(scripted.calls.length, 0);
      });
    }

    it('answers 414 in its own format for a path parameter over the router limit', async () => {
      const long = 'a'.repeat(2049);
      assertApiError(await send('GET', `/v1/hooks/${long}`), { status: 414, code: 'uri_too_long' });
      const callback = await app.inject({ method: 'POST', url: `/v1/callbacks/${long}/ack` });
      assertApiError(callback, { status: 414, code: 'uri_too_long' });
      assert.equal(scripted.calls.length, 0);
    });

    it('answers 400 in its own format for a path that is not valid percent-encoding', async () => {
      for (const id of ['%', '%zz', '%E0%A4%A', '%C0%AF']) {
        assertApiError(await send('GET', `/v1/hooks/${id}`), { status: 400, code: 'invalid_request' }, id);
      }
    });

    describe('over a socket', () => {
      let port: number;
      before(async () => {
        await app.listen({ host: '127.0.0.1', port: 0 });
        port = (app.server.address() as AddressInfo).port;
      });

      const request = (head: string) =>
        sendRaw(port, `${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);

      it('answers 431 in its own format for headers over the limit', async () => {
        const answer = await request(`GET /healthz HTTP/1.1\r\nX-Fill: ${'a'.repeat(20_000)}`);
        assertApiError(answer, { status: 431, code: 'headers_too_large' });
      });

      it('answers 400 in its own format for a malformed request line', async () => {
        const answer = await request('GET /v1/hooks/a b HTTP/1.1');
        assertApiError(answer, { status: 400, code: 'invalid_request' });
      });

      it('still answers afterwards', async () => {
        const answer = await request('GET /healthz HTTP/1.1');
        assert.equal(answer.statusCode, 200);
        assert.deepEqual(JSON.parse(answer.body), { status: 'ok' });
      });
    });
  });
});
