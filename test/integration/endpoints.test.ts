import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { AlertView, EndpointView } from '../../src/domain/endpoint';
import type { HookState } from '../../src/domain/hook';
import { endpointDefaults } from '../../src/endpoints/endpoint-defaults';
import { mapLimited } from '../../src/lib/map-limited';
import { generateSigningSecret } from '../../src/security/signing';
import { endpointReportsSignal } from '../../src/workflows/endpoint-messages';
import { endpointWorkflowId } from '../../src/workflows/endpoint-record';
import { assertApiError } from '../support/api-error';
import { ReceiverPool, type TestReceiver } from '../support/receiver';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { pollFor } from '../support/poll';
import { TestStack } from '../support/stack';

/**
 * Endpoints on a real stack: health fed by real attempts to receivers on 127.0.0.1, alerts sent to a
 * real SMTP server, a Slack-format receiver and a signed webhook receiver, pause, resume and auto-disable.
 */

const NO_RETRY = { maxAttempts: 1 };
/** Failures that never make a streak alert, for the cases about something else. */
const NO_STREAK_RULE = { maxConsecutiveFailures: 1_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('endpoints', () => {
  const receivers = new ReceiverPool();
  const webhookSecret = generateSigningSecret();
  let stack: TestStack;
  let smtp: TestSmtpServer;
  let slack: TestReceiver;
  let alertHook: TestReceiver;
  /** The alert webhook of the project whose channel is down at first. */
  let flakyChannel: TestReceiver;

  before(async () => {
    smtp = await startSmtpServer();
    slack = await receivers.start();
    alertHook = await receivers.start();
    flakyChannel = await receivers.start(() => ({ status: 503 }));
    const project = (id: string, endpoints: Record<string, unknown> = {}) => ({
      id,
      allowUrlTargets: true,
      retry: NO_RETRY,
      endpoints,
    });
    stack = await TestStack.start(
      [
        project('alerts', {
          alertChannels: [
            {
              type: 'email',
              from: 'hookrelay@alerts.example',
              to: ['oncall@shop.example'],
              smtp: { host: '127.0.0.1', port: smtp.port },
            },
            { type: 'slack', url: `${slack.url}/services/T000/B000/XXXX` },
            { type: 'webhook', url: `${alertHook.url}/alerts`, secret: webhookSecret },
          ],
        }),
        project('rates', { alertRules: NO_STREAK_RULE }),
        project('holds'),
        project('disables', { autoDisableAfterSecs: 2, alertRules: NO_STREAK_RULE }),
        project('flaky-channel', {
          alertRules: { maxConsecutiveFailures: 2 },
          alertChannels: [{ type: 'webhook', url: `${flakyChannel.url}/alerts`, secret: webhookSecret }],
        }),
        project('untracked', { tracking: false }),
      ],
      { endpointReportIntervalMs: 200, endpointStateRefreshMs: 200 },
    );
  });
  after(async () => {
    await stack.close();
    await receivers.closeAll();
    await smtp.close();
  });

  async function schedule(projectId: string, url: string, postIn = '0s'): Promise<HookState> {
    return stack.schedule(projectId, { url, postIn, data: { n: 1 } });
  }

  /** Hooks one after the other, each waited for, so that the receiver sees them in this order. */
  async function attemptInTurn(projectId: string, url: string, count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      const hook = await schedule(projectId, url);
      await stack.waitForHook(projectId, hook.id, (state) => state.attempts === 1);
    }
  }

  async function endpointOf(projectId: string, hookId: string): Promise<string> {
    const response = await stack.request(projectId, 'GET', `/v1/hooks/${hookId}`);
    const endpoint = response.json<{ data: { endpoint?: { id: string } } }>().data.endpoint;
    assert.ok(endpoint, 'the hook names its endpoint');
    return endpoint.id;
  }

  async function getEndpoint(projectId: string, endpointId: string): Promise<EndpointView | undefined> {
    const response = await stack.request(projectId, 'GET', `/v1/endpoints/${endpointId}`);
    return response.statusCode === 200 ? response.json<{ data: EndpointView }>().data : undefined;
  }

  async function alertsOf(projectId: string, endpointId: string): Promise<AlertView[]> {
    const response = await stack.request(projectId, 'GET', `/v1/alerts?endpointId=${endpointId}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json<{ data: AlertView[] }>().data;
  }

  it('11 failures in a row: one alert on each channel; a success: one recovery notice', async () => {
    const receiver = await receivers.start(() => ({ status: 500, body: 'database is down' }));
    const url = `${receiver.url}/orders`;
    await attemptInTurn('alerts', url, 11);
    const first = receiver.arrivals.length;
    assert.equal(first, 11);

    const [mail] = await smtp.waitForMessages(1, 20_000);
    assert.match(mail?.subject ?? '', /failing/i);
    assert.ok(mail?.subject.includes(url), mail?.subject);
    assert.ok(mail?.to.includes('oncall@shop.example'));
    assert.match(mail?.text ?? '', /0(\.0)? %/, 'the success rate');
    assert.match(mail?.text ?? '', /500/, 'the last error');
    assert.match(mail?.text ?? '', /11 consecutive failures/);

    const [slackPost] = await slack.waitFor(1, 10_000);
    assert.ok(slackPost);
    assert.equal(slackPost.path, '/services/T000/B000/XXXX');
    const slackBody = JSON.parse(slackPost.body) as { text?: string; blocks?: unknown[] };
    assert.ok(slackBody.text?.includes(url), slackBody.text);
    assert.ok(Array.isArray(slackBody.blocks) && slackBody.blocks.length > 0);

    const [signed] = await alertHook.waitFor(1, 10_000);
    const event = new Webhook(webhookSecret).verify(signed?.body ?? '', {
      'webhook-id': String(signed?.headers['webhook-id']),
      'webhook-timestamp': String(signed?.headers['webhook-timestamp']),
      'webhook-signature': String(signed?.headers['webhook-signature']),
    }) as { type: string; data: { endpoint: { url: string }; failureStreak: number } };
    assert.equal(event.type, 'endpoint.failing');
    assert.equal(event.data.endpoint.url, url);
    assert.equal(event.data.failureStreak, 11);

    // Failing stays failing: a 12th failure raises nothing new.
    await attemptInTurn('alerts', url, 1);
    receiver.respondWith(() => ({ status: 200 }));
    await attemptInTurn('alerts', url, 1);

    const mails = await smtp.waitForMessages(2, 20_000);
    assert.match(mails[1]?.subject ?? '', /recovered/i);
    const signedPosts = await alertHook.waitFor(2, 10_000);
    assert.match(signedPosts[1]?.body ?? '', /endpoint\.recovered/);
    await slack.waitFor(2, 10_000);
    await sleep(1_500);
    assert.equal(smtp.messages.length, 2, 'one alert and one recovery by email, nothing more');
    assert.equal(slack.arrivals.length, 2);
    assert.equal(alertHook.arrivals.length, 2);

    const lastHook = await schedule('alerts', url, '1h');
    const endpointId = await endpointOf('alerts', lastHook.id);
    const alerts = await pollFor('both alerts sent', async () => {
      const listed = await alertsOf('alerts', endpointId);
      return listed.length === 2 &&
        listed.every((alert) => alert.deliveries.every((d) => d.status === 'sent'))
        ? listed
        : undefined;
    });
    assert.deepEqual(alerts.map((alert) => alert.kind).sort(), ['failing', 'recovered']);
    const endpoint = await pollFor('the endpoint healthy', async () => {
      const view = await getEndpoint('alerts', endpointId);
      return view?.health === 'healthy' && view.stats.lastHour.attempts === 13 ? view : undefined;
    });
    assert.equal(endpoint.url, url);
    assert.equal(endpoint.stats.lastHour.failures, 12);
    assert.equal(endpoint.stats.failureStreak, 0);
    assert.ok(endpoint.stats.lastFailure?.error?.includes('500'));
    assert.ok(endpoint.stats.lastHour.latencyP50Ms !== null);

    const metrics = await stack.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(
      metrics.body,
      new RegExp(
        `hookrelay_endpoint_attempts_total\\{project="alerts",endpoint="${endpointId}",result="failed"\\} 12`,
      ),
    );
  });

  it('success rate: 30 attempts with a quarter failing raise the rate alert, with 1 in 15 failing none', async () => {
    const poor = await receivers.start((_arrival, index) => ({ status: index % 4 === 0 ? 500 : 200 }));
    const fine = await receivers.start((_arrival, index) => ({ status: index % 15 === 7 ? 500 : 200 }));
    await Promise.all([
      attemptInTurn('rates', `${poor.url}/in`, 30),
      attemptInTurn('rates', `${fine.url}/in`, 30),
    ]);
    const poorId = await endpointOf('rates', (await schedule('rates', `${poor.url}/in`, '1h')).id);
    const fineId = await endpointOf('rates', (await schedule('rates', `${fine.url}/in`, '1h')).id);

    const alerts = await pollFor('the rate alert', async () => {
      const listed = await alertsOf('rates', poorId);
      return listed.length > 0 ? listed : undefined;
    });
    const [rateAlert] = alerts;
    assert.equal(alerts.length, 1);
    assert.ok(rateAlert);
    assert.equal(rateAlert.kind, 'failing');
    assert.match(rateAlert.reasons.join(' '), /success rate .* below 90 %/);

    await pollFor('the healthy endpoint counted', async () => {
      const view = await getEndpoint('rates', fineId);
      return view?.stats.lastHour.attempts === 30 ? view : undefined;
    });
    assert.deepEqual(await alertsOf('rates', fineId), []);

    const worstFirst = await stack.request('rates', 'GET', '/v1/endpoints?sort=failureRate');
    const ids = worstFirst.json<{ data: EndpointView[] }>().data.map((endpoint) => endpoint.id);
    assert.deepEqual(ids, [poorId, fineId]);
    const failing = await stack.request('rates', 'GET', '/v1/endpoints?health=failing');
    assert.deepEqual(
      failing.json<{ data: EndpointView[] }>().data.map((endpoint) => endpoint.id),
      [poorId],
    );
  });

  it('pause: hooks due meanwhile wait without attempts; after resume each arrives once, in due order', async () => {
    const receiver = await receivers.start();
    const url = `${receiver.url}/in`;
    await attemptInTurn('holds', url, 1);
    const first = await schedule('holds', url, '1h');
    const endpointId = await endpointOf('holds', first.id);
    await pollFor('the endpoint', () => getEndpoint('holds', endpointId));

    const paused = await stack.request('holds', 'POST', `/v1/endpoints/${endpointId}/pause`, {
      note: 'receiver maintenance',
    });
    assert.equal(paused.statusCode, 200, paused.body);
    assert.equal(paused.json<{ data: EndpointView }>().data.state, 'paused');
    // Workers read which endpoints are paused every 200 ms here.
    await sleep(1_000);

    const due = ['1s', '3s', '2s', '4s'];
    const hooks = [];
    for (const postIn of due) hooks.push(await schedule('holds', url, postIn));
    const cancelledWhileHeld = await schedule('holds', url, '1s');
    await sleep(2_500);
    const cancelled = await stack.request('holds', 'DELETE', `/v1/hooks/${cancelledWhileHeld.id}`);
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    assert.equal(cancelled.json<{ data: HookState }>().data.status, 'cancelled');
    await sleep(3_000);
    assert.equal(receiver.arrivals.length, 1, 'nothing went out while paused');
    const held = await stack.getHook('holds', hooks[0]?.id ?? '');
    assert.equal(held.attempts, 0);
    assert.equal(held.status, 'pending');
    const heldRead = await stack.request('holds', 'GET', `/v1/hooks/${hooks[0]?.id ?? ''}`);
    assert.equal(heldRead.json<{ data: { endpoint: { state: string } } }>().data.endpoint.state, 'paused');
    const whilePaused = await pollFor('the held hooks counted', async () => {
      const view = await getEndpoint('holds', endpointId);
      // A hook cancelled after it was held stays listed until its turn comes, and is skipped then.
      return view && view.heldHooks >= 4 ? view : undefined;
    });
    assert.equal(whilePaused.stateNote, 'receiver maintenance');

    const resumed = await stack.request('holds', 'POST', `/v1/endpoints/${endpointId}/resume`);
    assert.equal(resumed.statusCode, 200, resumed.body);
    await receiver.waitFor(5, 20_000);
    await sleep(1_000);
    const order = receiver.arrivals.slice(1).map((arrival) => arrival.headers['webhook-id']);
    const byDueTime = [...hooks].sort((a, b) => a.postAt.localeCompare(b.postAt)).map((hook) => hook.id);
    assert.deepEqual(order, byDueTime);
    assert.equal(receiver.arrivals.length, 5, 'each held hook arrived once, the cancelled one never');
    for (const hook of hooks) {
      const delivered = await stack.waitForHook('holds', hook.id, (state) => state.status === 'completed');
      assert.equal(delivered.attempts, 1, 'holding spent no attempt');
    }
  });

  it('auto-disable: disabled with an alert after failing for the window; hooks wait; resume delivers', async () => {
    const receiver = await receivers.start(() => ({ status: 503 }));
    const url = `${receiver.url}/in`;
    const failing = await stack.schedule('disables', {
      url,
      postIn: '0s',
      retryOverride: { strategy: 'fixed', delaySecs: 1, maxAttempts: 20, jitter: 0 },
    });
    const endpointId = await endpointOf('disables', failing.id);
    const disabled = await pollFor('the endpoint disabled', async () => {
      const view = await getEndpoint('disables', endpointId);
      return view?.state === 'disabled' ? view : undefined;
    });
    assert.match(disabled.stateNote ?? '', /no successful attempt since/);
    const alerts = await pollFor('the disable alert', async () => {
      const listed = await alertsOf('disables', endpointId);
      return listed.some((alert) => alert.kind === 'disabled') ? listed : undefined;
    });
    assert.equal(alerts.filter((alert) => alert.kind === 'disabled').length, 1);

    await sleep(1_000);
    const attemptsWhenDisabled = receiver.arrivals.length;
    receiver.respondWith(() => ({ status: 200 }));
    const waiting = await schedule('disables', url);
    await sleep(3_000);
    assert.equal(receiver.arrivals.length, attemptsWhenDisabled, 'no attempt while disabled');

    const resumed = await stack.request('disables', 'POST', `/v1/endpoints/${endpointId}/resume`);
    assert.equal(resumed.json<{ data: EndpointView }>().data.state, 'active');
    await stack.waitForHook('disables', waiting.id, (state) => state.status === 'completed');
    await stack.waitForHook('disables', failing.id, (state) => state.status === 'completed');
    assert.equal(receiver.arrivalsFor(waiting.id).length, 1);
  });

  it('an alert channel that is down delays no delivery, and its alert arrives once it is back', async () => {
    const broken = await receivers.start(() => ({ status: 500 }));
    const healthy = await receivers.start();
    await attemptInTurn('flaky-channel', `${broken.url}/in`, 3);
    await flakyChannel.waitFor(1, 10_000);

    const onTime = await schedule('flaky-channel', `${healthy.url}/in`, '1s');
    const [arrival] = await healthy.waitFor(1, 10_000);
    const lateness = (arrival?.at ?? Infinity) - Date.parse(onTime.postAt);
    assert.ok(lateness < 2_000, `delivered ${lateness} ms after its due time while the channel failed`);

    flakyChannel.respondWith(() => ({ status: 204 }));
    const brokenId = await endpointOf(
      'flaky-channel',
      (await schedule('flaky-channel', `${broken.url}/in`, '1h')).id,
    );
    const [alert] = await pollFor(
      'the alert sent',
      async () => {
        const listed = await alertsOf('flaky-channel', brokenId);
        return listed[0]?.deliveries[0]?.status === 'sent' ? listed : undefined;
      },
      30_000,
    );
    assert.ok(alert);
    assert.equal(alert.kind, 'failing');
    const accepted = flakyChannel.arrivals.filter((post) => post.headers['webhook-id'] === alert.id);
    assert.ok(accepted.length >= 2, 'refused first, then sent again');
    await sleep(2_000);
    assert.equal(
      flakyChannel.arrivals.filter((post) => post.headers['webhook-id'] === alert.id).length,
      accepted.length,
      'nothing more once it was taken',
    );
  });

  it('continues as new past 2,000 events, keeping its state, rules and health counts', async () => {
    const receiver = await receivers.start();
    const hook = await schedule('holds', `${receiver.url}/long-lived`);
    await receiver.waitFor(1, 10_000);
    const endpointId = await endpointOf('holds', hook.id);
    const first = await pollFor('the endpoint', () => getEndpoint('holds', endpointId));
    const configured = await stack.request('holds', 'PATCH', `/v1/endpoints/${endpointId}`, {
      autoDisableAfterSecs: 0,
    });
    assert.equal(configured.statusCode, 200, configured.body);
    const handle = stack.client.workflow.getHandle(endpointWorkflowId('holds', endpointId));
    const firstRun = (await handle.describe()).runId;

    // Batches as workers send them, many more than one run keeps.
    const project = stack.config.projects.find((candidate) => candidate.id === 'holds');
    assert.ok(project);
    const batches = Array.from({ length: 2_100 }, (_, index) => index);
    await mapLimited(batches, 16, (index) =>
      handle.signal(endpointReportsSignal, {
        reports: [
          { hookId: `hk_${index}`, attempt: 1, at: new Date().toISOString(), ok: true, durationMs: 5 },
        ],
        defaults: endpointDefaults(project, project.endpoints.limits),
      }),
    );
    const view = await pollFor(
      'every batch counted',
      async () => {
        const read = await getEndpoint('holds', endpointId);
        return read?.stats.lastHour.attempts === 2_101 ? read : undefined;
      },
      60_000,
    );
    assert.notEqual((await handle.describe()).runId, firstRun, 'a new run took over');
    assert.equal(view.autoDisableAfterSecs, 0, 'its own settings went over');
    assert.equal(view.firstSeenAt, first.firstSeenAt, 'the same endpoint, not a new one');
    assert.equal(view.stats.lastHour.failures, 0);
  });

  describe('bad input', () => {
    it('unknown, malformed or another project’s endpoint: 404', async () => {
      const receiver = await receivers.start();
      const hook = await schedule('holds', `${receiver.url}/other`);
      await receiver.waitFor(1, 10_000);
      const endpointId = await endpointOf('holds', hook.id);
      await pollFor('the endpoint', () => getEndpoint('holds', endpointId));

      assertApiError(await stack.request('holds', 'GET', `/v1/endpoints/ep_${'0'.repeat(24)}`), {
        status: 404,
        code: 'not_found',
      });
      assertApiError(await stack.request('holds', 'GET', '/v1/endpoints/nope'), {
        status: 404,
        code: 'not_found',
      });
      assertApiError(await stack.request('rates', 'POST', `/v1/endpoints/${endpointId}/pause`), {
        status: 404,
        code: 'not_found',
      });
      assertApiError(await stack.request('rates', 'GET', `/v1/endpoints/${endpointId}`), {
        status: 404,
        code: 'not_found',
      });
      assert.equal(
        (await getEndpoint('holds', endpointId))?.state,
        'active',
        'the other project changed nothing',
      );
    });

    it('invalid rules and filters: 400 naming the field, nothing changed', async () => {
      const receiver = await receivers.start();
      const hook = await schedule('holds', `${receiver.url}/rules`);
      await receiver.waitFor(1, 10_000);
      const endpointId = await endpointOf('holds', hook.id);
      await pollFor('the endpoint', () => getEndpoint('holds', endpointId));
      const patch = (body: unknown) => stack.request('holds', 'PATCH', `/v1/endpoints/${endpointId}`, body);

      assertApiError(await patch({ alertRules: { minSuccessRate: 1.5 } }), {
        status: 400,
        code: 'validation_failed',
        brokenFields: ['alertRules.minSuccessRate'],
      });
      assertApiError(await patch({ alertRules: { windowMinutes: 0 } }), {
        status: 400,
        code: 'validation_failed',
        brokenFields: ['alertRules.windowMinutes'],
      });
      assertApiError(await patch({ alertRules: { maxConsecutiveFailures: -1 } }), {
        status: 400,
        code: 'validation_failed',
      });
      assertApiError(await patch({ autoDisableAfterSecs: -5 }), {
        status: 400,
        code: 'validation_failed',
        brokenFields: ['autoDisableAfterSecs'],
      });
      assertApiError(await patch({}), { status: 400, code: 'validation_failed' });
      assertApiError(await patch({ colour: 'red' }), { status: 400, code: 'validation_failed' });
      assertApiError(await stack.request('holds', 'GET', '/v1/endpoints?state=sleeping'), {
        status: 400,
        code: 'validation_failed',
        brokenFields: ['state'],
      });
      assertApiError(await stack.request('holds', 'GET', '/v1/endpoints?sort=random'), {
        status: 400,
        code: 'validation_failed',
        brokenFields: ['sort'],
      });
      assertApiError(await stack.request('holds', 'GET', '/v1/alerts?endpointId=x'), {
        status: 400,
        code: 'validation_failed',
        brokenFields: ['endpointId'],
      });

      const unchanged = await getEndpoint('holds', endpointId);
      assert.deepEqual(unchanged?.overrides, {});
      const changed = await patch({ alertRules: { minSuccessRate: 0.5 }, autoDisableAfterSecs: 0 });
      assert.equal(changed.statusCode, 200, changed.body);
      const view = changed.json<{ data: EndpointView }>().data;
      assert.equal(view.alertRules.minSuccessRate, 0.5);
      assert.equal(view.alertRules.windowMinutes, 15, "the project's other rules stay");
      assert.equal(view.autoDisableAfterSecs, 0);
    });

    it('a project without endpoint tracking: hooks name no endpoint, none is listed', async () => {
      const receiver = await receivers.start();
      const hook = await schedule('untracked', `${receiver.url}/in`);
      await stack.waitForHook('untracked', hook.id, (state) => state.status === 'completed');
      const read = await stack.request('untracked', 'GET', `/v1/hooks/${hook.id}`);
      assert.equal(read.json<{ data: { endpoint?: unknown } }>().data.endpoint, undefined);
      await sleep(500);
      const listed = await stack.request('untracked', 'GET', '/v1/endpoints');
      assert.deepEqual(listed.json<{ data: unknown[] }>().data, []);
    });
  });
});
