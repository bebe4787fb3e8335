import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HookState } from '../../src/domain/hook';
import { endpointOf } from '../../src/domain/endpoint-grouping';
import { mapLimited } from '../../src/lib/map-limited';
import { freePort } from '../../src/lib/ports';
import { hashApiKey } from '../../src/security/api-keys';
import { assertApiError } from '../support/api-error';
import { writeConfigFile } from '../support/config-file';
import { type EntryProcess, startEntryProcess, stopEntryProcess } from '../support/entry-process';
import { parseSamples, sampleValue } from '../support/prometheus-text';
import { pollFor } from '../support/poll';
import { type Arrival, ReceiverPool, type TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

/**
 * Rate and concurrency limits per endpoint, and a receiver's Retry-After, on a real stack: hooks to
 * receivers on 127.0.0.1, counted as the receivers see them.
 */

const RATE = 20;
/**
 * A hook counts as in flight from its release, which comes up to about a second before its slot: at
 * 20/s, 25 leaves the rate to decide. The cases about concurrency use fewer.
 */
const MAX_IN_FLIGHT = 25;
/** How long each limited receiver takes to answer: long enough for requests to overlap. */
const ANSWER_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The most requests that arrived within any one second (a window sliding from arrival to arrival). */
function maxPerSecond(arrivals: readonly Arrival[]): number {
  const times = arrivals.map((arrival) => arrival.at).sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last += 1) {
    while ((times[last] ?? 0) - (times[first] ?? 0) >= 1000) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** The most requests the receiver was answering at once, each taking `answerMs` from its arrival. */
function maxAtOnce(arrivals: readonly Arrival[], answerMs = ANSWER_MS): number {
  const edges = arrivals.flatMap((arrival) => [
    { at: arrival.at, step: 1 },
    { at: arrival.at + answerMs, step: -1 },
  ]);
  // At equal times an answer ends before the next request counts.
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let open = 0;
  let most = 0;
  for (const { step } of edges) {
    open += step;
    most = Math.max(most, open);
  }
  return most;
}

/** Each hook's arrivals, by the hook id the receiver got: every hook must be there exactly once. */
function assertEachOnce(arrivals: readonly Arrival[], hooks: readonly HookState[]): void {
  const counts = new Map<string, number>();
  for (const arrival of arrivals) {
    const id = String(arrival.headers['webhook-id']);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const missing = hooks.filter((hook) => counts.get(hook.id) !== 1).map((hook) => hook.id);
  assert.deepEqual(missing, [], 'every hook arrives exactly once');
  assert.equal(arrivals.length, hooks.length);
}

describe('endpoint limits', () => {
  const receivers = new ReceiverPool();
  let stack: TestStack;
  let limited: TestReceiver;
  let free: TestReceiver;
  let throttling: TestReceiver;
  let narrow: TestReceiver;
  let batched: TestReceiver;

  before(async () => {
    const slow = () => ({ status: 200, delayMs: ANSWER_MS });
    limited = await receivers.start(slow);
    free = await receivers.start();
    throttling = await receivers.start();
    narrow = await receivers.start();
    batched = await receivers.start();
    stack = await TestStack.start(
      [
        { id: 'flow', allowUrlTargets: true },
        { id: 'backoff', allowUrlTargets: true, retry: { maxAttempts: 3, delaySecs: 1, jitter: 0 } },
        { id: 'narrow', allowUrlTargets: true, endpoints: { limits: { maxInFlight: 3 } } },
        { id: 'live', allowUrlTargets: true },
      ],
      // The burst's hooks all come due at once: enough room to hand them to their endpoint quickly.
      { maxConcurrentAttempts: 100 },
    );
  });

  after(async () => {
    await stack.close();
    await receivers.closeAll();
  });

  /** Schedules hooks through the API, a few requests at a time. */
  async function scheduleMany(
    projectId: string,
    count: number,
    body: (n: number) => object,
  ): Promise<HookState[]> {
    const api = stack.api(projectId);
    return mapLimited(
      Array.from({ length: count }, (_, n) => n),
      16,
      async (n) => (await api.hooks.schedule(body(n) as Parameters<typeof api.hooks.schedule>[0])).hook,
    );
  }

  /** The endpoint of a receiver's path, once a first hook has made it appear. */
  async function endpointIdFor(projectId: string, url: string): Promise<string> {
    const { id } = endpointOf(url, { by: 'path' });
    await pollFor(`endpoint of ${url}`, async () => {
      const response = await stack.request(projectId, 'GET', `/v1/endpoints/${id}`);
      return response.statusCode === 200 ? true : undefined;
    });
    return id;
  }

  it('delivers 500 hooks due at once at 20/s and 25 in flight, each once, while another endpoint keeps time', async () => {
    const api = stack.api('flow');
    const limitedUrl = `${limited.url}/limited`;
    // An endpoint appears with its first hook; its limits then change through the API, no restart.
    await api.hooks.schedule({ url: limitedUrl, postIn: '0s', data: { warmUp: true } });
    await limited.waitFor(1, 15_000);
    const endpointId = await endpointIdFor('flow', limitedUrl);
    const configured = await api.endpoints.configure(endpointId, {
      limits: { ratePerSecond: RATE, maxInFlight: MAX_IN_FLIGHT },
    });
    assert.deepEqual(configured.limits, { ratePerSecond: RATE, maxInFlight: MAX_IN_FLIGHT });
    assert.deepEqual(configured.overrides.limits, { ratePerSecond: RATE, maxInFlight: MAX_IN_FLIGHT });
    const before = limited.arrivals.length;
    const scrapeBefore = parseSamples((await stack.app.inject({ method: 'GET', url: '/metrics' })).body);

    // Scheduling 500 hooks takes a while: they are all due once it is surely done.
    const dueAt = Date.now() + 30_000;
    const burst = await scheduleMany('flow', 500, (n) => ({
      url: limitedUrl,
      postAt: new Date(dueAt).toISOString(),
      data: { n },
    }));
    assert.ok(Date.now() < dueAt, 'the burst was scheduled before it was due');

    // A hook of the burst shows that it waits for its endpoint.
    const waiting = await pollFor(
      'a hook waiting for its endpoint',
      async () => {
        const hook = await api.hooks.get(burst.at(-1)?.id ?? '');
        return hook.waiting ? hook : undefined;
      },
      60_000,
    );
    assert.equal(waiting.waiting?.endpointId, endpointId);
    assert.equal(waiting.waiting.reason, 'limited');
    // Once the endpoint has taken the whole burst in (which all hooks coming due at once on this machine
    // delays, limited or not), it drains it at its rate; meanwhile, hooks to another endpoint keep time.
    await pollFor(
      'the endpoint to hold the burst',
      async () => {
        const view = await api.endpoints.get(endpointId);
        const taken = view.heldHooks + view.inFlight + limited.arrivals.length - before;
        return view.heldHooks > 0 && taken >= 500 ? view : undefined;
      },
      60_000,
    );
    const onTime = await scheduleMany('flow', 10, (n) => ({
      url: `${free.url}/free`,
      postAt: new Date(Date.now() + 1_000 + n * 600).toISOString(),
      data: { n },
    }));
    const freeArrivals = await free.waitFor(10, 30_000);
    assert.ok(limited.arrivals.length - before < 500, 'the limited endpoint was still draining meanwhile');
    const arrivals = (await limited.waitFor(before + 500, 120_000)).slice(before);
    assertEachOnce(arrivals, burst);

    const perSecond = maxPerSecond(arrivals);
    const atOnce = maxAtOnce(arrivals);
    const spreadMs = Math.max(...arrivals.map((a) => a.at)) - Math.min(...arrivals.map((a) => a.at));
    assert.ok(perSecond <= RATE, `at most ${RATE} in any second, saw ${perSecond}`);
    assert.ok(atOnce <= MAX_IN_FLIGHT, `at most ${MAX_IN_FLIGHT} at once, saw ${atOnce}`);
    // 500 at 20/s is 25 s; the limit's margin (see SLOT_TOLERANCE_MS) makes it a little longer.
    assert.ok(spreadMs >= 24_000 && spreadMs <= 45_000, `spread over ${spreadMs} ms`);
    // Every hook's own data, each once. (All were due at once, so there is no due order to check here;
    // release in due order is shown by endpoints.test.ts, after a pause, through the same held list.)
    const dueOrder = arrivals.map((arrival) => (JSON.parse(arrival.body) as { data: { n: number } }).data.n);
    assert.equal(new Set(dueOrder).size, 500);

    // The other endpoint kept time.
    for (const [n, hook] of onTime.entries()) {
      const arrival = freeArrivals.find((a) => a.headers['webhook-id'] === hook.id);
      assert.ok(arrival, `free hook ${n} arrived`);
      const lateMs = arrival.at - Date.parse(hook.postAt);
      assert.ok(lateMs < 1_500, `free hook ${n} arrived ${lateMs} ms after it was due`);
    }

    // Every hook of the burst completes with one attempt and no longer shows a wait.
    await pollFor(
      'the burst completed',
      async () => {
        const page = await api.hooks.list({ status: 'completed', limit: 1000 });
        return page.data.length >= 501 + 10 ? true : undefined;
      },
      60_000,
    );
    const last = await api.hooks.get(burst.at(-1)?.id ?? '');
    assert.equal(last.attempts, 1);
    assert.equal(last.waiting, undefined);

    // The wait is reported apart from the scheduler's lateness: each hook's lateness is counted once,
    // when its endpoint took it, and what came after is its wait.
    const scrape = parseSamples((await stack.app.inject({ method: 'GET', url: '/metrics' })).body);
    const delta = (name: string) =>
      (sampleValue(scrape, name, { project: 'flow' }) ?? 0) -
      (sampleValue(scrapeBefore, name, { project: 'flow' }) ?? 0);
    assert.equal(delta('hookrelay_endpoint_wait_seconds_count'), 500);
    const meanWait = delta('hookrelay_endpoint_wait_seconds_sum') / 500;
    assert.equal(delta('hookrelay_fire_lateness_seconds_count'), 510);
    const meanLateness = delta('hookrelay_fire_lateness_seconds_sum') / 510;
    const meanDelay = arrivals.reduce((sum, arrival) => sum + arrival.at - dueAt, 0) / 500 / 1000;
    assert.ok(meanWait > 5, `the burst waited ${meanWait} s on average for its endpoint`);
    assert.ok(
      meanLateness < meanDelay - meanWait / 2,
      `lateness ${meanLateness} s leaves out the wait (${meanWait} s of ${meanDelay} s)`,
    );

    // Limits removed: the endpoint is open again, and its hooks go straight out.
    const open = await api.endpoints.configure(endpointId, { limits: null });
    assert.deepEqual(open.limits, { ratePerSecond: 0, maxInFlight: 0 });
  });

  it('keeps a slow receiver at its concurrency limit, from the first hook to a new endpoint', async () => {
    const answerMs = 400;
    narrow.respondWith(() => ({ status: 200, delayMs: answerMs }));
    // The project limits every endpoint to 3 at once: this one is new, and limited from its first hook.
    const hooks = await scheduleMany('narrow', 30, (n) => ({
      url: `${narrow.url}/narrow`,
      postIn: '0s',
      data: { n },
    }));
    const arrivals = await narrow.waitFor(30, 60_000);
    assertEachOnce(arrivals, hooks);
    assert.equal(maxAtOnce(arrivals, answerMs), 3, 'exactly as many at once as the limit allows');
  });

  it('slows the whole endpoint when its receiver answers 429 with Retry-After', async () => {
    const api = stack.api('backoff');
    const url = `${throttling.url}/busy`;
    throttling.respondWith((_arrival, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 200 },
    );
    const first = await stack.schedule('backoff', { url, postIn: '0s', data: { first: true } });
    const [refused] = await throttling.waitFor(1, 15_000);
    assert.ok(refused);
    // Hooks that come due during the back-off wait for it, though none of them was refused.
    const others = await scheduleMany('backoff', 5, (n) => ({ url, postIn: '0s', data: { n } }));
    const endpointId = await endpointIdFor('backoff', url);
    const throttled = await pollFor('the endpoint to show its back-off', async () => {
      const view = await api.endpoints.get(endpointId);
      return view.throttledUntil ? view : undefined;
    });
    assert.ok(Date.parse(throttled.throttledUntil ?? '') >= refused.at + 2_500);

    const arrivals = await throttling.waitFor(7, 30_000);
    for (const arrival of arrivals.slice(1)) {
      assert.ok(arrival.at - refused.at >= 2_900, `sent ${arrival.at - refused.at} ms after the 429`);
    }
    assertEachOnce(arrivals.slice(1), [first, ...others]);
    const done = await stack.waitForHook('backoff', first.id, (hook) => hook.status === 'completed');
    assert.equal(done.attempts, 2);
  });

  it('holds a batch while its endpoint is paused, and sends it as one request once resumed', async () => {
    const api = stack.api('flow');
    const url = `${batched.url}/batched`;
    await api.hooks.schedule({ url, postIn: '0s', data: { warmUp: true } });
    await batched.waitFor(1, 15_000);
    const endpointId = await endpointIdFor('flow', url);
    await api.endpoints.pause(endpointId, { note: 'batch test' });
    await sleep(1_500); // every worker's gate sees the pause
    const batch = { key: 'paused-batch', maxSize: 3, windowSecs: 1 };
    const hooks = await scheduleMany('flow', 3, (n) => ({ url, postIn: '0s', data: { n }, batch }));
    await pollFor('the endpoint to hold the batch', async () => {
      const view = await api.endpoints.get(endpointId);
      return view.heldHooks === 1 ? view : undefined;
    });
    assert.equal(batched.arrivals.length, 1, 'nothing reaches a paused endpoint');

    await api.endpoints.resume(endpointId);
    const [, request] = await batched.waitFor(2, 15_000);
    assert.ok(request);
    const envelopes = JSON.parse(request.body) as Array<{ data: { n: number } }>;
    assert.deepEqual(envelopes.map((envelope) => envelope.data.n).sort(), [0, 1, 2]);
    for (const hook of hooks) {
      const done = await stack.waitForHook('flow', hook.id, (state) => state.status === 'completed');
      assert.equal(done.attempts, 1);
    }
    // The batch's request counts once in its endpoint's health, as one attempt.
    await pollFor('the batch in the endpoint health', async () => {
      const view = await api.endpoints.get(endpointId);
      return view.stats.lastHour.attempts === 2 ? view : undefined;
    });
  });

  it("changes a project's limits through the API, for its endpoints old and new, with no restart", async () => {
    const answerMs = 400;
    const slowReceiver = await receivers.start(() => ({ status: 200, delayMs: answerMs }));
    const known = `${slowReceiver.url}/known`;
    await stack.api('live').hooks.schedule({ url: known, postIn: '0s', data: { warmUp: true } });
    const knownId = await endpointIdFor('live', known);
    await slowReceiver.waitFor(1, 15_000);

    const changed = await stack.request('live', 'PATCH', '/v1/project', {
      endpointLimits: { maxInFlight: 2 },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const settings = changed.json<{
      data: { endpointLimits: object; overrides: object; changedAt?: string };
    }>().data;
    assert.deepEqual(settings.endpointLimits, { ratePerSecond: 0, maxInFlight: 2 });
    assert.deepEqual(settings.overrides, { endpointLimits: { ratePerSecond: 0, maxInFlight: 2 } });
    assert.ok(settings.changedAt && Date.parse(settings.changedAt) > 0);
    // The endpoint learns it at once, with no hook attempted since.
    await pollFor('the endpoint to follow the project', async () => {
      const view = await stack.api('live').endpoints.get(knownId);
      return view.limits.maxInFlight === 2 ? view : undefined;
    });
    await sleep(1_500); // every worker's gate sees the project and the endpoint limited

    const before = slowReceiver.arrivals.length;
    const fresh = `${slowReceiver.url}/fresh`;
    const hooks = await scheduleMany('live', 12, (n) => ({
      url: n % 2 ? known : fresh,
      postIn: '0s',
      data: { n },
    }));
    const arrivals = (await slowReceiver.waitFor(before + hooks.length, 60_000)).slice(before);
    assertEachOnce(arrivals, hooks);
    for (const url of [known, fresh]) {
      const path = new URL(url).pathname;
      const atOnce = maxAtOnce(
        arrivals.filter((arrival) => arrival.path === path),
        answerMs,
      );
      assert.ok(atOnce <= 2, `${path}: ${atOnce} at once, over the project's 2`);
    }

    // Back to the config file's (no limits): the same burst is no longer held to two at once.
    const reset = await stack.request('live', 'PATCH', '/v1/project', { endpointLimits: null });
    assert.deepEqual(reset.json<{ data: { endpointLimits: object } }>().data.endpointLimits, {
      ratePerSecond: 0,
      maxInFlight: 0,
    });
    await pollFor('the endpoint to be open again', async () => {
      const view = await stack.api('live').endpoints.get(knownId);
      return view.limits.maxInFlight === 0 ? view : undefined;
    });
    await sleep(1_500);
    const again = slowReceiver.arrivals.length;
    const open = await scheduleMany('live', 6, (n) => ({ url: known, postIn: '0s', data: { open: n } }));
    const openArrivals = (await slowReceiver.waitFor(again + open.length, 30_000)).slice(again);
    assert.ok(maxAtOnce(openArrivals, answerMs) > 2, 'without limits, more than two at once');

    // Refused out of range, naming the field; another project's settings are its own.
    for (const [body, field] of [
      [{ endpointLimits: { maxInFlight: -1 } }, 'endpointLimits.maxInFlight'],
      [{ endpointLimits: { ratePerSecond: 'fast' } }, 'endpointLimits.ratePerSecond'],
      [{}, 'endpointLimits'],
    ] as const) {
      assertApiError(await stack.request('live', 'PATCH', '/v1/project', body), {
        status: 400,
        code: 'validation_failed',
        brokenFields: [field],
      });
    }
    const other = await stack.request('narrow', 'GET', '/v1/project');
    assert.deepEqual(other.json<{ data: object }>().data, {
      projectId: 'narrow',
      endpointLimits: { ratePerSecond: 0, maxInFlight: 3 },
      overrides: {},
    });
  });

  it('refuses limits out of range, naming the field, and changes nothing', async () => {
    const api = stack.api('flow');
    const url = `${free.url}/settings`;
    await api.hooks.schedule({ url, postIn: '0s', data: { warmUp: true } });
    const endpointId = await endpointIdFor('flow', url);
    const cases: Array<[object, string]> = [
      [{ limits: { ratePerSecond: -1 } }, 'limits.ratePerSecond'],
      [{ limits: { maxInFlight: -2 } }, 'limits.maxInFlight'],
      [{ limits: { maxInFlight: 1.5 } }, 'limits.maxInFlight'],
      [{ limits: { ratePerSecond: 'fast' } }, 'limits.ratePerSecond'],
      [{ limits: { burst: 3 } }, 'limits'],
    ];
    for (const [body, field] of cases) {
      assertApiError(await stack.request('flow', 'PATCH', `/v1/endpoints/${endpointId}`, body), {
        status: 400,
        code: 'validation_failed',
        brokenFields: [field],
      });
    }
    assert.deepEqual((await api.endpoints.get(endpointId)).limits, { ratePerSecond: 0, maxInFlight: 0 });
  });
});

/**
 * The limit holds across workers: two worker processes share a project limited in its config (every
 * endpoint at 20/s and 25 in flight), and together never exceed it.
 */
describe('endpoint limits across two worker processes', () => {
  const SHARED_IN_FLIGHT = 5;
  const receivers = new ReceiverPool();
  let stack: TestStack;
  let receiver: TestReceiver;
  let dir: string;
  const workers: EntryProcess[] = [];

  before(async () => {
    receiver = await receivers.start(() => ({ status: 200, delayMs: ANSWER_MS }));
    const limits = { ratePerSecond: RATE, maxInFlight: SHARED_IN_FLIGHT };
    stack = await TestStack.start([{ id: 'shared', baseUrl: receiver.url, endpoints: { limits } }]);
    // The stack's own worker stops; two worker processes, configured as the stack is, take over.
    await stack.stopWorker();
    dir = await mkdtemp(path.join(tmpdir(), 'hookrelay-limits-'));
    const project = stack.projects.shared;
    assert.ok(project);
    const configFile = await writeConfigFile(dir, [
      {
        id: 'shared',
        apiKeyHash: hashApiKey(project.apiKey),
        signingSecret: project.signingSecret,
        baseUrl: receiver.url,
        more: { endpoints: { limits } },
      },
    ]);
    for (let n = 0; n < 2; n += 1) {
      workers.push(
        await startEntryProcess(
          'worker',
          {
            ...process.env,
            HOOKRELAY_CONFIG: configFile,
            HOOKRELAY_CALLBACK_SECRET: stack.config.callbackSecret,
            HOOKRELAY_WORKER_METRICS_PORT: String(await freePort()),
            TEMPORAL_ADDRESS: stack.config.temporal.address,
            TEMPORAL_NAMESPACE: stack.config.temporal.namespace,
            TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue,
            HOOKRELAY_LOG_LEVEL: 'info',
            HOOKRELAY_LOG_FORMAT: 'json',
          },
          'worker polling',
        ),
      );
    }
  });

  after(async () => {
    await Promise.all(workers.map((worker) => stopEntryProcess(worker)));
    await stack.close();
    await receivers.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps 200 hooks due at once within 20/s and 5 in flight, with both workers sending', async () => {
    const dueAt = new Date(Date.now() + 8_000).toISOString();
    const hooks = await mapLimited(
      Array.from({ length: 200 }, (_, n) => n),
      16,
      (n) => stack.schedule('shared', { path: '/shared', postAt: dueAt, data: { n } }),
    );
    const arrivals = await receiver.waitFor(200, 90_000);
    assertEachOnce(arrivals, hooks);
    assert.ok(maxPerSecond(arrivals) <= RATE, `at most ${RATE} in any second, saw ${maxPerSecond(arrivals)}`);
    assert.ok(
      maxAtOnce(arrivals) <= SHARED_IN_FLIGHT,
      `at most ${SHARED_IN_FLIGHT} at once, saw ${maxAtOnce(arrivals)}`,
    );
    // Both processes made attempts: each logs the attempts its workflow tasks recorded.
    await sleep(500);
    for (const [n, worker] of workers.entries()) {
      const attempts = worker
        .output()
        .split('\n')
        .filter((line) => line.includes('"hook attempt"')).length;
      assert.ok(attempts > 0, `worker ${n + 1} made attempts`);
    }
  });
});
