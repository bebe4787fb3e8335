import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { Webhook } from 'standardwebhooks';
import { Agent } from 'undici';
import { createDeliveryActivities, type DeliveryDependencies } from '../../src/activities/deliver';
import { callbackTokenExpiry, MAX_ASYNC_TIMEOUT_SECS } from '../../src/domain/async-ack';
import type {
  AttemptTiming,
  BatchedByEndpoint,
  DeliveryRequest,
  DeliveryResult,
  HeldByEndpoint,
} from '../../src/domain/delivery';
import type { AttemptReport } from '../../src/domain/endpoint';
import { freePort } from '../../src/lib/ports';
import { createGuardedAgent } from '../../src/security/guarded-dispatcher';
import { generateServerSecret, ServerSecret } from '../../src/security/server-secret';
import { TargetPolicy } from '../../src/security/target-policy';
import { generateSigningSecret } from '../../src/security/signing';

/**
 * The delivery activity against real HTTP receivers on 127.0.0.1: one activity call is one HTTP attempt,
 * and every HTTP answer (or the lack of one) becomes a result the workflow can act on.
 */

const PROJECT = 'acme';
const USER_AGENT = 'hookrelay/test';
const PUBLIC_URL = 'https://hooks.example.test/';
const RESPONSE_BODY_LIMIT = 4096;

/** One request as a receiver saw it. */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, received: Received) => void;

/** A node:http receiver that records what it got; its open sockets are destroyed when the suite ends. */
interface Receiver {
  url: string;
  received: Received[];
}

const servers: { close(): Promise<void> }[] = [];

async function receiver(handler: Handler): Promise<Receiver> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const arrival = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(arrival);
      handler(req, res, arrival);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging receivers never answer: their sockets are cut rather than waited for.
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/in`, received };
}

/** A receiver that answers every request the same way. */
function answering(status: number, headers: Record<string, string> = {}, body = ''): Promise<Receiver> {
  return receiver((_req, res) => res.writeHead(status, headers).end(body));
}

/** A receiver that reads the request and never answers. */
function hanging(): Promise<Receiver> {
  return receiver(() => undefined);
}

const secrets = { current: generateSigningSecret(), previous: generateSigningSecret() };
const serverSecret = new ServerSecret(generateServerSecret());
// undici's own timeouts (300 s by default) are cut short: should the activity's timeout not fire (see
// the garbage-collection test below), a test fails in seconds instead of hanging for five minutes.
const UNDICI_TIMEOUT_MS = 3_000;
const agentOptions = {
  keepAliveTimeout: 1_000,
  connections: 16,
  headersTimeout: UNDICI_TIMEOUT_MS,
  bodyTimeout: UNDICI_TIMEOUT_MS,
};
/** The receivers run on loopback: the suite's project allows it, as an internal receiver's project would. */
const LOOPBACK = ['127.0.0.0/8', '::1'];
const STRICT = 'strict';
const BY_NAME = 'by-name';
const dispatchers: Record<string, Agent> = {
  [PROJECT]: createGuardedAgent(TargetPolicy.of(LOOPBACK), agentOptions),
  // The default: no internal address allowed.
  [STRICT]: createGuardedAgent(TargetPolicy.of([]), agentOptions),
  [BY_NAME]: createGuardedAgent(TargetPolicy.of(['localhost']), agentOptions),
};
const timings: AttemptTiming[] = [];
/** Targets whose endpoint holds its hooks, and the outcomes reported for endpoint health. */
const heldTargets = new Set<string>();
/** Targets whose endpoint is set to batch its hooks. */
const batchingTargets = new Set<string>();
const ENDPOINT_BATCH = { key: '@endpoint', maxSize: 10, windowSecs: 2 };
const reports: AttemptReport[] = [];
const signingSecrets: Record<string, readonly string[]> = {
  [PROJECT]: [secrets.current, secrets.previous],
  [STRICT]: [secrets.current],
  [BY_NAME]: [secrets.current],
  'no-secrets': [],
};
const deps: DeliveryDependencies = {
  signingSecrets: (projectId) => signingSecrets[projectId],
  userAgent: USER_AGENT,
  dispatcherFor: (projectId) => dispatchers[projectId] ?? assert.fail(`no dispatcher for ${projectId}`),
  callbacks: { publicUrl: PUBLIC_URL, tokens: serverSecret },
  observeTiming: (timing) => timings.push(timing),
  endpoints: {
    holdOf: (_projectId, targetUrl) =>
      Promise.resolve(
        heldTargets.has(targetUrl) ? { endpointWorkflowId: 'endpoint:test:ep', state: 'paused' } : undefined,
      ),
    batchOf: (_projectId, targetUrl) => (batchingTargets.has(targetUrl) ? ENDPOINT_BATCH : undefined),
    limitedBy: () => ({ endpointWorkflowId: 'endpoint:test:ep', state: 'limited' }),
    tell: () => Promise.resolve(false),
    report: (_projectId, _targetUrl, report) => reports.push(report),
  },
};
const activities = createDeliveryActivities(deps);

let hookCount = 0;
function request(targetUrl: string, extra: Partial<DeliveryRequest> = {}): DeliveryRequest {
  hookCount += 1;
  return {
    hookId: `hook_${hookCount}`,
    projectId: PROJECT,
    attempt: 1,
    targetUrl,
    path: '/hooks/in',
    postAt: '2030-01-02T03:04:05.000Z',
    createdAt: '2030-01-01T00:00:00.000Z',
    data: { order: 42, note: 'ünïcode' },
    timeoutMs: 5_000,
    async: false,
    ...extra,
  };
}

// Activities that throw on purpose would otherwise log their error in the test output.
const quietLogger = new DefaultLogger('ERROR');
const activityEnvironment = () => new MockActivityEnvironment(undefined, { logger: quietLogger });

/** Runs the activity as a worker would, in an activity context of its own. */
function deliverOrHold(
  req: DeliveryRequest,
  env = activityEnvironment(),
): Promise<DeliveryResult | HeldByEndpoint | BatchedByEndpoint> {
  return env.run((input: DeliveryRequest) => activities.deliverHook(input), req);
}

/** An attempt that must be made (its endpoint holds nothing). */
async function deliver(req: DeliveryRequest, env = activityEnvironment()): Promise<DeliveryResult> {
  const result = await deliverOrHold(req, env);
  if ('heldBy' in result) assert.fail('the attempt was held');
  if ('batchBy' in result) assert.fail('the attempt was batched');
  return result;
}

function header(received: Received | undefined, name: string): string {
  const value = received?.headers[name];
  assert.equal(typeof value, 'string', `header ${name}`);
  return value as string;
}

/** The body the receiver got, as JSON. */
function payload(received: Received | undefined): Record<string, unknown> {
  return JSON.parse(received?.body ?? 'null') as Record<string, unknown>;
}

after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await Promise.all(Object.values(dispatchers).map((dispatcher) => dispatcher.destroy()));
});

// First, alone: the tests that depend on the delivery timeout firing (see the garbage-collection test).
describe('deliverHook timeout', () => {
  it('no answer within timeoutMs: outcome timeout', async () => {
    const target = await hanging();
    const result = await deliver(request(target.url, { timeoutMs: 200 }));
    assert.equal(result.outcome, 'timeout', `got ${result.outcome}: ${result.error ?? ''}`);
    assert.equal(result.permanent, false);
    assert.equal(result.statusCode, undefined);
    assert.equal(result.error, 'no response within 0.2 s');
    assert.ok(result.durationMs >= 190 && result.durationMs < 2_000, `${result.durationMs}`);
  });

  // nodejs/node#57736: on Node 20, AbortSignal.any() holds its sources weakly, and a timeout signal that
  // nothing else refers to can be collected before it fires.
  it('the timeout still fires after a garbage collection during the attempt', async () => {
    const target = await hanging();
    const attempt = deliver(request(target.url, { timeoutMs: 300 }));
    await waitFor(() => target.received.length === 1);
    collectGarbage();
    const result = await attempt;
    assert.equal(
      result.outcome,
      'timeout',
      `got ${result.outcome} after ${result.durationMs} ms: ${result.error ?? ''}`,
    );
    assert.ok(result.durationMs < UNDICI_TIMEOUT_MS);
  });
});

describe('deliverHook', { concurrency: true }, () => {
  it('2xx: success, a Standard Webhooks request any library verifies, timing reported', async () => {
    const target = await answering(200, { 'content-type': 'text/plain' }, 'thanks');
    const req = request(target.url, { attempt: 3 });
    const before = Date.now();
    const result = await deliver(req);

    assert.equal(result.outcome, 'success');
    assert.equal(result.permanent, false);
    assert.equal(result.statusCode, 200);
    assert.equal(result.responseBody, 'thanks');
    assert.equal(result.error, undefined);
    assert.equal(result.durationMs, Date.parse(result.finishedAt) - Date.parse(result.startedAt));
    assert.ok(Date.parse(result.startedAt) >= before);

    const [got] = target.received;
    assert.equal(target.received.length, 1);
    assert.equal(header(got, 'content-type'), 'application/json');
    assert.equal(header(got, 'user-agent'), USER_AGENT);
    assert.equal(header(got, 'webhook-id'), req.hookId);
    assert.equal(header(got, 'hook-attempt'), '3');
    assert.equal(got?.headers['hook-ack-url'], undefined, 'a sync hook carries no callback URLs');
    const timestamp = Number(header(got, 'webhook-timestamp'));
    assert.equal(timestamp, Math.floor(Date.parse(result.startedAt) / 1000));
    // One signature per active secret, so that receivers holding either one verify it during a rotation.
    assert.equal(header(got, 'webhook-signature').split(' ').length, 2);
    const webhookHeaders = {
      'webhook-id': header(got, 'webhook-id'),
      'webhook-timestamp': header(got, 'webhook-timestamp'),
      'webhook-signature': header(got, 'webhook-signature'),
    };
    for (const secret of [secrets.current, secrets.previous]) {
      assert.deepEqual(new Webhook(secret).verify(got?.body ?? '', webhookHeaders), payload(got));
    }
    assert.throws(() => new Webhook(generateSigningSecret()).verify(got?.body ?? '', webhookHeaders));

    assert.deepEqual(payload(got), {
      id: req.hookId,
      path: '/hooks/in',
      postAt: req.postAt,
      postedAt: result.startedAt,
      attempt: 3,
      data: req.data,
      createdAt: req.createdAt,
    });
    assert.deepEqual(
      timings.find((timing) => timing.attempt === 3 && timing.postAt === req.postAt),
      {
        projectId: PROJECT,
        attempt: 3,
        postAt: req.postAt,
        startedAt: new Date(result.startedAt),
        finishedAt: new Date(result.finishedAt),
      },
    );
  });

  it('a free-URL hook sends path null', async () => {
    const target = await answering(204);
    const result = await deliver(request(target.url, { path: undefined }));
    assert.equal(result.outcome, 'success');
    assert.equal(payload(target.received[0]).path, null);
  });

  it('410: a permanent failure', async () => {
    const target = await answering(410, {}, 'gone for good');
    const result = await deliver(request(target.url));
    assert.equal(result.outcome, 'failure');
    assert.equal(result.permanent, true);
    assert.equal(result.statusCode, 410);
    assert.equal(result.responseBody, 'gone for good');
  });

  it('500: a retryable failure, without a Retry-After floor even if the header is sent', async () => {
    const target = await answering(500, { 'retry-after': '120' }, 'boom');
    const result = await deliver(request(target.url));
    assert.equal(result.outcome, 'failure');
    assert.equal(result.permanent, false);
    assert.equal(result.statusCode, 500);
    assert.equal(result.responseBody, 'boom');
    assert.equal(result.retryAfterMs, undefined);
  });

  it('3xx: the redirect is not followed, and the error names its Location', async () => {
    const elsewhere = await answering(200);
    const target = await answering(307, { location: elsewhere.url });
    const result = await deliver(request(target.url));
    assert.equal(result.outcome, 'failure');
    assert.equal(result.permanent, false);
    assert.equal(result.statusCode, 307);
    assert.ok(result.error?.includes(elsewhere.url), result.error);
    assert.match(result.error ?? '', /not followed/);
    assert.equal(elsewhere.received.length, 0);
  });

  it('429 with Retry-After in seconds, 503 with an HTTP date: retryAfterMs', async () => {
    const tooMany = await answering(429, { 'retry-after': '7' });
    const unavailable = await answering(503, {
      'retry-after': new Date(Date.now() + 60_000).toUTCString(),
    });
    const [first, second] = await Promise.all([
      deliver(request(tooMany.url)),
      deliver(request(unavailable.url)),
    ]);
    assert.equal(first.outcome, 'failure');
    assert.equal(first.statusCode, 429);
    assert.equal(first.retryAfterMs, 7_000);
    assert.equal(second.statusCode, 503);
    // An HTTP date has whole seconds, and a little time passes before it is read.
    const retryAfterMs = second.retryAfterMs ?? 0;
    assert.ok(retryAfterMs > 57_000 && retryAfterMs <= 60_000, `${retryAfterMs}`);
  });

  it('connection refused: a failure that says why', async () => {
    const port = await freePort();
    const result = await deliver(request(`http://127.0.0.1:${port}/hooks/in`));
    assert.equal(result.outcome, 'failure');
    assert.equal(result.permanent, false);
    assert.equal(result.statusCode, undefined);
    assert.match(result.error ?? '', /ECONNREFUSED/);
  });

  it('a 1 MiB response: only the first 4 KiB are kept', async () => {
    const target = await answering(500, {}, 'x'.repeat(1024 * 1024));
    const result = await deliver(request(target.url));
    assert.equal(result.statusCode, 500);
    assert.equal(Buffer.byteLength(result.responseBody ?? ''), RESPONSE_BODY_LIMIT);
  });

  it('a response body that never ends: the call returns once it has 4 KiB, not at its timeout', async () => {
    const target = await receiver((_req, res) => {
      res.writeHead(200);
      res.write('y'.repeat(64 * 1024));
    });
    const result = await deliver(request(target.url, { timeoutMs: 5_000 }));
    assert.equal(result.outcome, 'success');
    assert.equal(result.responseBody, 'y'.repeat(RESPONSE_BODY_LIMIT));
    assert.ok(result.durationMs < 2_000, `returned after ${result.durationMs} ms`);
  });

  it('a multi-byte response body is cut to at most 4 KiB of UTF-8, never inside a character', async () => {
    const target = await answering(500, { 'content-type': 'text/plain; charset=utf-8' }, '€'.repeat(4096));
    const result = await deliver(request(target.url));
    const bytes = Buffer.byteLength(result.responseBody ?? '');
    assert.ok(bytes <= RESPONSE_BODY_LIMIT, `${bytes} bytes kept`);
    assert.equal(result.responseBody, '€'.repeat(Math.floor(RESPONSE_BODY_LIMIT / 3)));
  });

  it('cancelled while the receiver hangs: the activity throws, it reports no result', async () => {
    const target = await hanging();
    const env = activityEnvironment();
    const attempt = deliver(request(target.url, { timeoutMs: 10_000 }), env);
    const cancelledAt = Date.now();
    // Cancel once the request is out: the activity is then waiting for the answer.
    await waitFor(() => target.received.length === 1);
    env.cancel();
    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof CancelledFailure, `expected CancelledFailure, got ${String(error)}`);
      return true;
    });
    assert.ok(Date.now() - cancelledAt < 5_000);
  });

  it('async: callback URLs with a token that verifies and outlives the longest wait', async () => {
    const target = await answering(202, { 'hook-async-timeout': '99999' });
    const req = request(target.url, { async: true, attempt: 2, timeoutMs: 3_000 });
    const result = await deliver(req);

    assert.equal(result.outcome, 'async_pending');
    assert.equal(result.permanent, false);
    assert.equal(result.statusCode, 202);
    assert.equal(result.asyncTimeoutSecs, MAX_ASYNC_TIMEOUT_SECS);

    const got = target.received[0];
    const ack = header(got, 'hook-ack-url');
    const nack = header(got, 'hook-nack-url');
    const match = /^https:\/\/hooks\.example\.test\/v1\/callbacks\/([^/]+)\/ack$/.exec(ack);
    assert.ok(match?.[1], ack);
    const token = match[1];
    assert.equal(nack, `https://hooks.example.test/v1/callbacks/${token}/nack`);
    assert.deepEqual(serverSecret.verifyCallbackToken(token), {
      hookId: req.hookId,
      projectId: PROJECT,
      attempt: 2,
      expiresAt: callbackTokenExpiry(new Date(result.startedAt), 3_000),
    });
    assert.equal(new ServerSecret(generateServerSecret()).verifyCallbackToken(token), undefined);
  });

  it('async: a 202 without hook-async-timeout waits 300 s; a 202 to a sync hook is a success', async () => {
    const target = await answering(202);
    const [asyncResult, syncResult] = await Promise.all([
      deliver(request(target.url, { async: true })),
      deliver(request(target.url, { async: false })),
    ]);
    assert.equal(asyncResult.outcome, 'async_pending');
    assert.equal(asyncResult.asyncTimeoutSecs, 300);
    assert.equal(syncResult.outcome, 'success');
    assert.equal(syncResult.asyncTimeoutSecs, undefined);
  });

  it('a project without a signing secret: the activity throws, nothing is sent', async () => {
    const target = await answering(200);
    await assert.rejects(deliver(request(target.url, { projectId: 'no-secrets' })), /no signing secret/);
    await assert.rejects(deliver(request(target.url, { projectId: 'unknown' })), /no signing secret/);
    assert.equal(target.received.length, 0);
  });
});

/**
 * A full garbage collection now. The test runner does not pass --expose-gc, so the flag is set at run
 * time and `gc` is taken from a fresh context, which sees it.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
}

/** Polls `done` every 10 ms for up to 5 s. */
async function waitFor(done: () => boolean): Promise<void> {
  for (let tries = 0; tries < 500 && !done(); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(done(), 'the condition did not come true within 5 s');
}

describe('deliverHook to internal addresses', { concurrency: true }, () => {
  /** A permanent failure that names the refused address, with nothing sent to the receiver. */
  async function assertRefused(projectId: string, targetUrl: string, receiverOf: Receiver, address: RegExp) {
    const result = await deliver(request(targetUrl, { projectId }));
    assert.equal(result.outcome, 'failure', targetUrl);
    assert.equal(result.permanent, true, `${targetUrl}: trying again cannot help`);
    assert.equal(result.statusCode, undefined);
    assert.match(result.error ?? '', address);
    assert.match(result.error ?? '', /allowInternalTargets/);
    assert.equal(receiverOf.received.length, 0, `${targetUrl}: nothing reached the receiver`);
  }

  it('refuses loopback by default, in every spelling of the address', async () => {
    const target = await answering(200);
    const { port } = new URL(target.url);
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1', '127.1', '[::ffff:127.0.0.1]', '[::1]']) {
      await assertRefused(STRICT, `http://${host}:${port}/hooks/in`, target, /loopback/);
    }
  });

  it('refuses a name that resolves to loopback when it connects, as it would after a DNS rebinding', async () => {
    const target = await answering(200);
    const { port } = new URL(target.url);
    await assertRefused(STRICT, `http://localhost:${port}/hooks/in`, target, /localhost: .*loopback/);
  });

  it('delivers where the project allows the range, or trusts the host name', async () => {
    const target = await answering(204);
    const { port } = new URL(target.url);
    const byRange = await deliver(request(`http://127.0.0.1:${port}/hooks/in`));
    assert.equal(byRange.outcome, 'success');
    const byName = await deliver(request(`http://localhost:${port}/hooks/in`, { projectId: BY_NAME }));
    assert.equal(byName.outcome, 'success');
    assert.equal(target.received.length, 2);
  });
});

describe('deliverHook and the endpoint', () => {
  it('reports each outcome for the endpoint: ok with its duration, or failed with why', async () => {
    const ok = await answering(204);
    const failing = await answering(503);
    const first = request(ok.url);
    const second = request(failing.url);
    await deliver(first);
    await deliver(second);
    const okReport = reports.find((report) => report.hookId === first.hookId);
    const failedReport = reports.find((report) => report.hookId === second.hookId);
    assert.ok(okReport && failedReport, 'both outcomes reported');
    assert.equal(okReport.ok, true);
    assert.equal(okReport.statusCode, 204);
    assert.equal(okReport.error, undefined);
    assert.ok(okReport.durationMs >= 0);
    assert.equal(failedReport.ok, false);
    assert.equal(failedReport.statusCode, 503);
    assert.equal(failedReport.error, 'the receiver answered 503');
  });

  it('a held endpoint: no request, no report, the endpoint workflow named; a released attempt goes', async () => {
    const target = await answering(200);
    heldTargets.add(target.url);
    const held = request(target.url);
    assert.deepEqual(await deliverOrHold(held), {
      heldBy: { endpointWorkflowId: 'endpoint:test:ep', state: 'paused' },
    });
    assert.equal(target.received.length, 0);
    assert.equal(
      reports.some((report) => report.hookId === held.hookId),
      false,
    );

    const released = await deliver(request(target.url, { released: true }));
    assert.equal(released.outcome, 'success');
    assert.equal(target.received.length, 1);
    heldTargets.delete(target.url);
  });

  it('an endpoint set to batch: a batchable hook joins its batch, unsent; others go alone', async () => {
    const target = await answering(200);
    batchingTargets.add(target.url);
    heldTargets.add(target.url);
    // Batched before any hold: the batch request goes through the endpoint's holds itself.
    assert.deepEqual(await deliverOrHold(request(target.url, { batchable: true })), {
      batchBy: ENDPOINT_BATCH,
    });
    assert.equal(target.received.length, 0);
    heldTargets.delete(target.url);

    // A hook whose workflow does not ask (async, released, or older code) is delivered as it was.
    assert.equal((await deliver(request(target.url))).outcome, 'success');
    assert.equal(target.received.length, 1);
    batchingTargets.delete(target.url);
  });
});
