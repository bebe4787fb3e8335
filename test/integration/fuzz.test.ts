import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc, { type Arbitrary } from 'fast-check';
import { type AwaitingHook, callbackRequests } from '../support/fuzz/callback-requests';
import {
  alertListRequests,
  endpointByIdRequests,
  endpointListRequests,
} from '../support/fuzz/endpoint-requests';
import { eventRequests, subscriptionRequests } from '../support/fuzz/fanout-requests';
import { FUZZ_SOURCE, ingestionRequests } from '../support/fuzz/ingest-requests';
import { checkAnswer, type FuzzRequest } from '../support/fuzz/fuzz-request';
import { scheduleRequests } from '../support/fuzz/schedule-requests';
import {
  bulkRequests,
  createHookRequests,
  hookByIdRequests,
  listRequests,
  type ProjectKeys,
} from '../support/fuzz/hook-requests';
import { projectRequests } from '../support/fuzz/project-requests';
import { type RawRequest, socketRequests } from '../support/fuzz/socket-requests';
import {
  INPUT_FREE_ROUTES,
  inputFreeRequests,
  overviewRequests,
  transportRequests,
} from '../support/fuzz/transport-requests';
import { sendRaw } from '../support/raw-http';
import { TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

/**
 * Generated bad requests against every route of the real app on a real Temporal dev server: wrong types,
 * missing and extra fields, values at and past their limits, hostile JSON, forged tokens and cursors,
 * oversized and malformed HTTP. Every answer must be the one expected, in the API's error format, never a
 * 5xx; nothing may be scheduled; the app must still answer afterwards.
 *
 * The seed is fixed, so every run sends the same requests; `FUZZ_SEED=<n>` sends another run's, and a
 * failure names the seed that replays it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_250_917);
assert.ok(Number.isSafeInteger(SEED), `FUZZ_SEED must be an integer, not "${process.env.FUZZ_SEED ?? ''}"`);

/** Requests per family (`inputFree` per route): 1,210 in all, each family bounded in time as well. */
const RUNS = {
  create: 150,
  list: 70,
  byId: 80,
  bulk: 60,
  endpointList: 50,
  alertList: 40,
  endpointById: 100,
  subscriptions: 80,
  events: 80,
  ingestion: 100,
  schedules: 120,
  callbacks: 70,
  overview: 20,
  project: 40,
  transport: 70,
  inputFree: 10,
  socket: 40,
};
const FAMILY_TIME_LIMIT_MS = 60_000;
const MIN_REQUESTS = 500;

async function checkAll<T>(arbitrary: Arbitrary<T>, numRuns: number, check: (value: T) => Promise<void>) {
  try {
    await fc.assert(fc.asyncProperty(arbitrary, check), {
      seed: SEED,
      numRuns,
      interruptAfterTimeLimit: FAMILY_TIME_LIMIT_MS,
      markInterruptAsFailure: true,
    });
  } catch (error) {
    // fast-check reports the failing check's own error as the cause.
    const { message, cause } = error as Error;
    const reason = cause instanceof Error ? `\n${cause.message}` : '';
    throw new Error(`replay with FUZZ_SEED=${SEED}\n${message}${reason}`, { cause: error });
  }
}

describe('fuzz: generated bad requests against every route', { timeout: 300_000 }, () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  let keys: ProjectKeys;
  let awaiting: AwaitingHook;
  let realCursor: string;
  const operations = new Set<string>();
  let sent = 0;

  const countHooks = async (query: string) => (await stack.client.workflow.count(query)).count;

  before(async () => {
    // Every delivery is answered "202, ack within 3 hours": the first hook waits for an ack all along.
    receiver = await TestReceiver.start(() => ({ status: 202, headers: { 'hook-async-timeout': '10800' } }));
    stack = await TestStack.start([
      { id: 'paths', baseUrl: 'http://127.0.0.1:9/base', sources: [FUZZ_SOURCE] },
      { id: 'urls', allowUrlTargets: true },
      { id: 'async', baseUrl: receiver.url, asyncHooks: true },
    ]);
    keys = { paths: stack.projects.paths?.apiKey ?? '', urls: stack.projects.urls?.apiKey ?? '' };

    // The async project's two hooks give the fuzzer an attempt awaiting its ack (for expired tokens) and
    // a listing with a next page (for a real cursor, which every other listing must refuse).
    const waiting = await stack.schedule('async', { path: '/ack-me', postIn: '0s' });
    await stack.waitForHook(
      'async',
      waiting.id,
      (hook) => hook.attemptHistory[0]?.outcome === 'async_pending',
    );
    await stack.schedule('async', { path: '/later', postIn: '1h' });
    const deadline = Date.now() + 15_000;
    while ((await countHooks('HookProject = "async"')) < 2) {
      assert.ok(Date.now() < deadline, 'the async hooks never showed in visibility');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const page = await stack.request('async', 'GET', '/v1/hooks?limit=1');
    const cursor = page.json<{ nextCursor: string | null }>().nextCursor;
    assert.ok(cursor, `a listing of two hooks by one has a next page: ${page.body}`);
    realCursor = cursor;
    awaiting = {
      projectId: 'async',
      hookId: waiting.id,
      attempt: 1,
      callbackSecret: stack.config.callbackSecret,
    };
  });

  after(async () => {
    await stack.close();
    await receiver.close();
  });

  const injectAndCheck = async (request: FuzzRequest) => {
    sent += 1;
    operations.add(request.operation);
    const answer = await stack.app.inject({
      method: request.method,
      url: request.url,
      headers: request.headers,
      ...(request.payload === undefined ? {} : { payload: request.payload }),
    });
    checkAnswer(request.expected, answer, `${request.method} ${request.url.slice(0, 300)}`);
  };

  it('POST /v1/hooks', () => checkAll(createHookRequests(keys), RUNS.create, injectAndCheck));
  it('GET /v1/hooks', () => checkAll(listRequests(keys, realCursor), RUNS.list, injectAndCheck));
  it('the routes of one hook', () => checkAll(hookByIdRequests(keys), RUNS.byId, injectAndCheck));
  it('POST /v1/hooks/bulk/{action}', () => checkAll(bulkRequests(keys), RUNS.bulk, injectAndCheck));
  it('GET /v1/endpoints', () =>
    checkAll(endpointListRequests(keys, realCursor), RUNS.endpointList, injectAndCheck));
  it('GET /v1/alerts', () => checkAll(alertListRequests(keys, realCursor), RUNS.alertList, injectAndCheck));
  it('the endpoint routes', () => checkAll(endpointByIdRequests(keys), RUNS.endpointById, injectAndCheck));
  it('the subscription routes', () =>
    checkAll(subscriptionRequests(keys), RUNS.subscriptions, injectAndCheck));
  it('the event routes', () => checkAll(eventRequests(keys, realCursor), RUNS.events, injectAndCheck));
  it('the ingestion routes', () =>
    checkAll(ingestionRequests(keys, realCursor), RUNS.ingestion, injectAndCheck));
  it('the schedule routes', () =>
    checkAll(scheduleRequests(keys, realCursor), RUNS.schedules, injectAndCheck));
  it('POST /v1/callbacks/{token}/{kind}', () =>
    checkAll(callbackRequests(awaiting), RUNS.callbacks, injectAndCheck));
  it('GET /v1/overview', () => checkAll(overviewRequests(keys), RUNS.overview, injectAndCheck));
  it('the project routes', () => checkAll(projectRequests(keys), RUNS.project, injectAndCheck));
  it('keys, bodies, methods and paths on every route', () =>
    checkAll(transportRequests(keys), RUNS.transport, injectAndCheck));
  it('the routes that take no input', async () => {
    for (const route of INPUT_FREE_ROUTES)
      await checkAll(inputFreeRequests(route), RUNS.inputFree, injectAndCheck);
  });

  it('oversized and malformed HTTP over a socket', async () => {
    await stack.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = stack.app.server.address() as AddressInfo;
    await checkAll(socketRequests(keys.paths), RUNS.socket, async (raw: RawRequest) => {
      sent += 1;
      checkAnswer(raw.expected, await sendRaw(port, raw.text), JSON.stringify(raw.requestLine));
    });
    const health = await sendRaw(
      port,
      'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    assert.equal(health.statusCode, 200, 'the server still answers on a socket');
  });

  it('reached every documented operation', async () => {
    const document = (await stack.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    assert.deepEqual(
      documented.filter((operation) => !operations.has(operation)),
      [],
      'operations no generated request aimed at',
    );
  });

  it(`sent at least ${MIN_REQUESTS} requests, scheduled nothing, and still answers`, async () => {
    assert.ok(sent >= MIN_REQUESTS, `only ${sent} requests were sent`);
    assert.deepEqual((await stack.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });

    // Visibility lags a little behind a start: give a hook scheduled by mistake the time to show.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(await countHooks('HookProject = "paths" OR HookProject = "urls"'), 0);
    for (const project of ['paths', 'urls']) {
      const schedules = await stack.request(project, 'GET', '/v1/schedules');
      assert.deepEqual(schedules.json(), { data: [], nextCursor: null }, 'no schedule was created');
    }
    assert.equal(await countHooks('HookProject = "async"'), 2);
    assert.equal(await countHooks(`WorkflowType = 'ingestWorkflow'`), 0, 'no ingested event was kept');
    for (const project of ['paths', 'urls']) {
      const listing = await stack.request(project, 'GET', '/v1/hooks');
      assert.deepEqual(listing.json(), { data: [], nextCursor: null });
    }

    // No forged or expired callback reached the hook that waits for its ack.
    const hook = await stack.getHook('async', awaiting.hookId);
    assert.deepEqual(
      { status: hook.status, outcomes: hook.attemptHistory.map((attempt) => attempt.outcome) },
      { status: 'pending', outcomes: ['async_pending'] },
    );
  });
});
