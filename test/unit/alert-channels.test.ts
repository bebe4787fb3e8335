import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { Agent } from 'undici';
import {
  alertSubject,
  alertText,
  percent,
  slackMessage,
  utcTime,
  webhookEvent,
  type SlackBlock,
} from '../../src/alerts/alert-message';
import { createAlertSender } from '../../src/alerts/alert-sender';
import { type AlertChannel, alertChannelSchema, channelLabel } from '../../src/alerts/channel-config';
import type { EndpointAlert } from '../../src/domain/endpoint';
import { freePort } from '../../src/lib/ports';
import { generateSigningSecret } from '../../src/security/signing';
import { ReceiverPool } from '../support/receiver';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';

/**
 * The alert channels: their configuration, what an alert says, and sending it to a real SMTP server and
 * real HTTP receivers on 127.0.0.1.
 */

const USER_AGENT = 'hookrelay/test';

const FAILING: EndpointAlert = {
  id: 'alert-acme-ep_1-failing-1741064767',
  kind: 'failing',
  projectId: 'acme',
  endpoint: { id: 'ep_1', url: 'https://api.example.com/hooks' },
  raisedAt: '2025-03-04T05:06:07.890Z',
  reasons: ['success rate 42.5 % under 90 % over the last 15 minutes', '12 failures in a row (more than 10)'],
  windowMinutes: 15,
  window: { attempts: 40, failures: 23, successRate: 17 / 40, latencyP50Ms: 120, latencyP95Ms: 900 },
  failureStreak: 12,
  lastFailure: {
    at: '2025-03-04T05:06:01.000Z',
    hookId: 'hk_9',
    statusCode: 503,
    error: 'upstream <!channel> down & out',
  },
};

const RECOVERED: EndpointAlert = {
  ...FAILING,
  id: 'alert-acme-ep_1-recovered-1741068000',
  kind: 'recovered',
  reasons: [],
  window: { attempts: 30, failures: 1, successRate: 29 / 30, latencyP50Ms: 80, latencyP95Ms: 200 },
  failureStreak: 0,
};

const DISABLED: EndpointAlert = { ...FAILING, id: 'alert-acme-ep_1-disabled-1741500000', kind: 'disabled' };

const agent = new Agent();
const receivers = new ReceiverPool();
const smtpServers: TestSmtpServer[] = [];

after(async () => {
  await receivers.closeAll();
  await Promise.all(smtpServers.map((server) => server.close()));
  await agent.destroy();
});

function sender(timeoutMs = 5_000) {
  return createAlertSender({ dispatcher: agent, userAgent: USER_AGENT, timeoutMs });
}

async function smtpServer(options?: Parameters<typeof startSmtpServer>[0]): Promise<TestSmtpServer> {
  const server = await startSmtpServer(options);
  smtpServers.push(server);
  return server;
}

function emailChannel(port: number, smtp: Record<string, unknown> = {}): AlertChannel {
  return alertChannelSchema.parse({
    type: 'email',
    to: ['ops@example.test', 'oncall@example.test'],
    from: 'hookrelay@example.test',
    smtp: { host: '127.0.0.1', port, ...smtp },
  });
}

/** Each issue of a failed parse as `path: message`. */
function issuesOf(input: unknown): string[] {
  const result = alertChannelSchema.safeParse(input);
  if (result.success) assert.fail('the channel should have been rejected');
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') plain[name] = value;
  }
  return plain;
}

describe('alertChannelSchema', () => {
  it('accepts an email channel and fills in the SMTP defaults', () => {
    const channel = alertChannelSchema.parse({
      type: 'email',
      to: ['ops@example.test'],
      from: 'hookrelay@example.test',
      smtp: { host: 'smtp.example.test' },
    });
    assert.deepEqual(channel, {
      type: 'email',
      to: ['ops@example.test'],
      from: 'hookrelay@example.test',
      smtp: { host: 'smtp.example.test', port: 587, secure: false, requireTLS: false },
    });
  });

  it('accepts SMTP credentials, Slack and signed webhook channels', () => {
    const secret = generateSigningSecret();
    const email = alertChannelSchema.parse({
      type: 'email',
      to: ['ops@example.test'],
      from: 'hookrelay@example.test',
      smtp: { host: 'smtp.example.test', port: 465, secure: true, user: 'alerts', password: 'pw' },
    });
    assert.equal(email.type === 'email' && email.smtp.user, 'alerts');
    assert.deepEqual(
      alertChannelSchema.parse({ type: 'slack', url: 'https://hooks.slack.com/services/T/B/x' }),
      {
        type: 'slack',
        url: 'https://hooks.slack.com/services/T/B/x',
      },
    );
    assert.deepEqual(
      alertChannelSchema.parse({ type: 'webhook', url: 'https://ops.example.test/in', secret }),
      {
        type: 'webhook',
        url: 'https://ops.example.test/in',
        secret,
      },
    );
  });

  it('rejects bad addresses, URLs and secrets, saying where and why', () => {
    assert.deepEqual(
      issuesOf({
        type: 'email',
        to: ['ops@example.test', 'not an address'],
        from: 'x@y',
        smtp: { host: 'h' },
      }),
      ['to.1: must be an email address', 'from: must be an email address'],
    );
    assert.deepEqual(issuesOf({ type: 'email', to: [], from: 'a@example.test', smtp: { host: 'h' } }), [
      'to: needs at least one recipient',
    ]);
    assert.deepEqual(issuesOf({ type: 'slack', url: 'ftp://hooks.slack.com/services/x' }), [
      'url: must be an absolute http(s) URL',
    ]);
    assert.deepEqual(issuesOf({ type: 'slack', url: '/services/x' }), [
      'url: must be an absolute http(s) URL',
    ]);
    assert.deepEqual(
      issuesOf({ type: 'webhook', url: 'https://ops.example.test/in', secret: 'whsec_c2hvcnQ=' }),
      ['secret: must be "whsec_" + base64 of 24 to 64 bytes (see `npm run keygen`)'],
    );
  });

  it('rejects a user without a password and a password without a user', () => {
    const base = { type: 'email', to: ['ops@example.test'], from: 'hookrelay@example.test' };
    assert.deepEqual(issuesOf({ ...base, smtp: { host: 'h', user: 'alerts' } }), [
      'smtp.password: required with user: they go together',
    ]);
    assert.deepEqual(issuesOf({ ...base, smtp: { host: 'h', password: 'pw' } }), [
      'smtp.user: required with password: they go together',
    ]);
  });

  it('rejects an unknown type, an unknown key and a port out of range', () => {
    assert.deepEqual(issuesOf({ type: 'pager', url: 'https://x.example.test' }), [
      'type: type must be "email", "slack" or "webhook"',
    ]);
    const unknownKey = issuesOf({ type: 'slack', url: 'https://hooks.slack.com/x', channel: '#ops' });
    assert.match(unknownKey.join('\n'), /channel/);
    const port = issuesOf({
      type: 'email',
      to: ['a@example.test'],
      from: 'a@example.test',
      smtp: { host: 'h', port: 0 },
    });
    assert.match(port.join('\n'), /^smtp\.port: /);
  });
});

describe('channelLabel', () => {
  it('names a channel without its secrets', () => {
    assert.equal(channelLabel(emailChannel(25)), 'email to ops@example.test, oncall@example.test');
    assert.equal(
      channelLabel({ type: 'slack', url: 'https://hooks.slack.com/services/T000/B000/secretpart' }),
      'slack hooks.slack.com',
    );
    assert.equal(
      channelLabel({
        type: 'webhook',
        url: 'https://user:pass@ops.example.test:8443/alerts/in?token=abc',
        secret: generateSigningSecret(),
      }),
      'webhook https://ops.example.test:8443/alerts/in',
    );
  });
});

describe('alert messages', () => {
  it('says in the subject what happened, to which endpoint, in which project', () => {
    assert.equal(
      alertSubject(FAILING),
      '[hookrelay] Endpoint failing: https://api.example.com/hooks (project acme)',
    );
    assert.equal(
      alertSubject(RECOVERED),
      '[hookrelay] Endpoint recovered: https://api.example.com/hooks (project acme)',
    );
    assert.equal(
      alertSubject(DISABLED),
      '[hookrelay] Endpoint disabled: https://api.example.com/hooks (project acme)',
    );
  });

  it('gives the figures of a failing endpoint in the text', () => {
    const text = alertText(FAILING);
    assert.match(text, /^Deliveries to https:\/\/api\.example\.com\/hooks are failing\.\n/);
    assert.match(text, /Endpoint: +https:\/\/api\.example\.com\/hooks \(id ep_1\)\n/);
    assert.match(text, /Project: +acme\n/);
    assert.match(text, /Alert: +failing\n/);
    assert.match(
      text,
      /Reasons:\n {2}- success rate 42\.5 % under 90 % over the last 15 minutes\n {2}- 12 failures/,
    );
    assert.match(text, /Success rate: +42\.5 % of 40 attempts over the last 15 minutes\n/);
    assert.match(text, /Failure streak: +12 failures in a row\n/);
    assert.match(
      text,
      /Last failure: +2025-03-04 05:06:01 UTC, hook hk_9, status 503: upstream <!channel> down & out\n/,
    );
    assert.match(text, /Raised at: +2025-03-04 05:06:07 UTC\n/);
  });

  it('words recoveries and disabled endpoints, and missing figures, for what they are', () => {
    const recovered = alertText({ ...RECOVERED, lastFailure: undefined, window: { ...RECOVERED.window } });
    assert.match(recovered, /succeed again: the endpoint has recovered/);
    assert.doesNotMatch(recovered, /Reasons:/);
    assert.match(recovered, /Success rate: +96\.6 % of 30 attempts/);
    assert.match(recovered, /Failure streak: +none: the last attempt succeeded/);
    assert.match(recovered, /Last failure: +none recorded/);
    assert.match(
      alertText(DISABLED),
      /disabled https:\/\/api\.example\.com\/hooks .*until the endpoint is resumed/,
    );
    const idle = alertText({
      ...FAILING,
      windowMinutes: 1,
      window: { attempts: 0, failures: 0, successRate: null, latencyP50Ms: null, latencyP95Ms: null },
    });
    assert.match(idle, /Success rate: +no attempts over the last 1 minute\n/);
  });

  it('rounds percentages down, so that a failure never reads as 100 %', () => {
    assert.equal(percent(1999, 2000), '99.9 %');
    assert.equal(percent(57, 100), '57 %');
    assert.equal(percent(2000, 2000), '100 %');
    assert.equal(percent(0, 3), '0 %');
    assert.equal(utcTime('not a time'), 'not a time');
  });

  it('builds a Slack message within Block Kit, with receiver texts escaped', () => {
    const message = slackMessage(FAILING);
    assert.equal(message.text, alertSubject(FAILING));
    const [header, section, context] = message.blocks as [SlackBlock, SlackBlock, SlackBlock];
    assert.deepEqual(header, {
      type: 'header',
      text: { type: 'plain_text', text: 'Endpoint failing (hookrelay)' },
    });
    assert.equal(section.type, 'section');
    assert.ok(section.fields);
    assert.match(section.text.text, /are failing\.\n• success rate 42\.5 %/);
    assert.ok(section.fields.length <= 10);
    const fields = section.fields.map((field) => field.text);
    assert.ok(fields.includes('*Project*\nacme'));
    assert.ok(fields.includes('*Success rate*\n42.5 % of 40 attempts over the last 15 minutes'));
    const lastFailure = fields.find((field) => field.startsWith('*Last failure*'));
    assert.equal(
      lastFailure,
      '*Last failure*\n2025-03-04 05:06:01 UTC, hook hk_9, status 503: upstream &lt;!channel&gt; down &amp; out',
    );
    assert.equal(context.type, 'context');
    assert.doesNotMatch(JSON.stringify(message), /<!channel>/);
  });

  it('keeps long texts within Slack limits', () => {
    const reasons = Array.from({ length: 100 }, (_, index) => `reason ${index} ${'x'.repeat(50)}`);
    const message = slackMessage({
      ...FAILING,
      reasons,
      lastFailure: { at: FAILING.raisedAt, hookId: 'hk_9', error: 'e'.repeat(5000) },
    });
    const section = message.blocks[1];
    assert.ok(section?.type === 'section');
    assert.equal(Array.from(section.text.text).length, 3000);
    for (const field of section.fields ?? []) assert.ok(Array.from(field.text).length <= 2000);
  });

  it('makes the webhook event of each kind', () => {
    assert.deepEqual(webhookEvent(FAILING), {
      type: 'endpoint.failing',
      timestamp: FAILING.raisedAt,
      data: FAILING,
    });
    assert.equal(webhookEvent(RECOVERED).type, 'endpoint.recovered');
    assert.equal(webhookEvent(DISABLED).type, 'endpoint.disabled');
  });
});

describe('email channel', () => {
  it('delivers the alert to a real SMTP server', async () => {
    const server = await smtpServer();
    await sender().send(emailChannel(server.port), FAILING);
    const [message] = await server.waitForMessages(1, 5_000);
    assert.ok(message);
    assert.equal(message.from, 'hookrelay@example.test');
    assert.deepEqual(message.to, ['ops@example.test', 'oncall@example.test']);
    assert.equal(
      message.subject,
      '[hookrelay] Endpoint failing: https://api.example.com/hooks (project acme)',
    );
    assert.equal(message.headers['x-hookrelay-alert-id'], FAILING.id);
    assert.match(message.text, /https:\/\/api\.example\.com\/hooks \(id ep_1\)/);
    assert.match(message.text, /42\.5 % of 40 attempts over the last 15 minutes/);
    assert.match(message.text, /status 503: upstream <!channel> down & out/);
  });

  it('logs in with the configured user and password', async () => {
    const server = await smtpServer({ credentials: { user: 'alerts', password: 's3cret' } });
    await sender().send(emailChannel(server.port, { user: 'alerts', password: 's3cret' }), RECOVERED);
    const [message] = await server.waitForMessages(1, 5_000);
    assert.equal(message?.authUser, 'alerts');
    assert.match(message.subject, /Endpoint recovered/);

    await assert.rejects(
      sender().send(emailChannel(server.port, { user: 'alerts', password: 'wrong' }), RECOVERED),
      /535/,
    );
  });

  it('throws when the server refuses the mail, and sends once it takes it again', async () => {
    const server = await smtpServer();
    server.refuse(true);
    await assert.rejects(sender().send(emailChannel(server.port), FAILING), (error: Error) => {
      assert.match(
        error.message,
        /^alert alert-acme-ep_1-failing-1741064767 not sent by email to ops@example\.test/,
      );
      assert.match(error.message, /451/);
      return true;
    });
    assert.equal(server.messages.length, 0);
    server.refuse(false);
    await sender().send(emailChannel(server.port), FAILING);
    await server.waitForMessages(1, 5_000);
  });

  it('throws when nothing listens on the SMTP port', async () => {
    const port = await freePort();
    await assert.rejects(sender().send(emailChannel(port), FAILING), /ECONNREFUSED/);
  });

  it('gives up on a server that never greets within the timeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const port = (silent.address() as AddressInfo).port;
      await assert.rejects(sender(300).send(emailChannel(port), FAILING), /greeting|timeout/i);
      assert.ok(Date.now() - started < 3_000, 'the timeout applies');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => {
        silent.close(() => {
          resolve();
        });
      });
    }
  });
});

describe('slack channel', () => {
  it('posts the Block Kit JSON to the incoming webhook', async () => {
    const receiver = await receivers.start(() => ({ status: 200, body: 'ok' }));
    await sender().send({ type: 'slack', url: `${receiver.url}/services/T0/B0/abc` }, FAILING);
    const [arrival] = receiver.arrivals;
    assert.ok(arrival);
    assert.equal(arrival.path, '/services/T0/B0/abc');
    assert.equal(arrival.headers['content-type'], 'application/json');
    assert.equal(arrival.headers['user-agent'], USER_AGENT);
    const body = JSON.parse(arrival.body) as { text: string; blocks: { type: string }[] };
    assert.equal(body.text, alertSubject(FAILING));
    assert.deepEqual(
      body.blocks.map((block) => block.type),
      ['header', 'section', 'context'],
    );
    assert.deepEqual(body, slackMessage(FAILING));
  });

  it('throws with the status and the start of the answer when Slack refuses', async () => {
    const receiver = await receivers.start(() => ({
      status: 500,
      body: `server\n error ${'x'.repeat(10_000)}`,
    }));
    const url = `${receiver.url}/services/T0/B0/secretpart`;
    await assert.rejects(sender().send({ type: 'slack', url }, FAILING), (error: Error) => {
      assert.match(error.message, /not sent by slack 127\.0\.0\.1:\d+: answered 500: server error x+…$/);
      assert.ok(error.message.length < 700, 'the answer is quoted, not copied whole');
      assert.doesNotMatch(error.message, /secretpart/);
      return true;
    });
  });

  it('does not follow a redirect', async () => {
    const receiver = await receivers.start(() => ({ status: 302, headers: { location: '/elsewhere' } }));
    await assert.rejects(
      sender().send({ type: 'slack', url: `${receiver.url}/services/x` }, FAILING),
      /answered 302 \(redirects are not followed\)$/,
    );
    assert.equal(receiver.arrivals.length, 1);
  });
});

describe('webhook channel', () => {
  it('posts the event signed as Standard Webhooks', async () => {
    const secret = generateSigningSecret();
    const receiver = await receivers.start(() => ({ status: 204 }));
    const before = Math.floor(Date.now() / 1000);
    await sender().send({ type: 'webhook', url: `${receiver.url}/alerts?from=hookrelay`, secret }, DISABLED);
    const [arrival] = receiver.arrivals;
    assert.ok(arrival);
    assert.equal(arrival.path, '/alerts?from=hookrelay');
    assert.equal(arrival.headers['content-type'], 'application/json');
    assert.equal(arrival.headers['user-agent'], USER_AGENT);
    assert.equal(arrival.headers['webhook-id'], DISABLED.id);
    assert.ok(Number(arrival.headers['webhook-timestamp']) >= before);
    const verified = new Webhook(secret).verify(arrival.body, plainHeaders(arrival.headers));
    assert.deepEqual(verified, { type: 'endpoint.disabled', timestamp: DISABLED.raisedAt, data: DISABLED });
    assert.throws(() =>
      new Webhook(generateSigningSecret()).verify(arrival.body, plainHeaders(arrival.headers)),
    );
  });

  it('throws with the status when the receiver answers 500', async () => {
    const receiver = await receivers.start(() => ({ status: 500, body: 'boom' }));
    const channel: AlertChannel = {
      type: 'webhook',
      url: `${receiver.url}/alerts`,
      secret: generateSigningSecret(),
    };
    await assert.rejects(sender().send(channel, FAILING), (error: Error) => {
      assert.equal(
        error.message,
        `alert ${FAILING.id} not sent by webhook ${receiver.url}/alerts: answered 500: boom`,
      );
      return true;
    });
  });

  it('throws when the connection is refused', async () => {
    const port = await freePort();
    const channel: AlertChannel = {
      type: 'webhook',
      url: `http://127.0.0.1:${port}/alerts`,
      secret: generateSigningSecret(),
    };
    await assert.rejects(sender().send(channel, FAILING), /ECONNREFUSED/);
  });

  it('throws when the receiver does not answer in time', async () => {
    const receiver = await receivers.start(() => ({ status: 200, delayMs: 2_000 }));
    const channel: AlertChannel = {
      type: 'webhook',
      url: `${receiver.url}/slow`,
      secret: generateSigningSecret(),
    };
    const started = Date.now();
    await assert.rejects(sender(200).send(channel, FAILING), /: no answer within 0\.2 s$/);
    assert.ok(Date.now() - started < 1_500);
  });
});
