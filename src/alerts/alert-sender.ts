import { createTransport } from 'nodemailer';
import { type Dispatcher, request } from 'undici';
import type { EndpointAlert } from '../domain/endpoint';
import { readBodyPrefix } from '../lib/body-prefix';
import { signPayload } from '../security/signing';
import { alertSubject, alertText, slackMessage, webhookEvent } from './alert-message';
import { type AlertChannel, channelLabel } from './channel-config';

/** How much of a refusing answer an error quotes: enough for Slack's `invalid_payload` or a short page. */
const ANSWER_EXCERPT_BYTES = 512;

export interface AlertSenderDependencies {
  /** The connection pool of the Slack and webhook channels. */
  dispatcher: Dispatcher;
  userAgent: string;
  /** How long one send may wait for the channel: for an answer over HTTP, for each SMTP step. */
  timeoutMs: number;
}

export interface AlertSender {
  /**
   * Resolves once the channel has taken the alert; throws an Error saying why otherwise. It tries once:
   * the activity that calls it retries, on Temporal's schedule.
   */
  send(channel: AlertChannel, alert: EndpointAlert): Promise<void>;
}

export function createAlertSender(deps: AlertSenderDependencies): AlertSender {
  return {
    async send(channel, alert) {
      try {
        await sendOn(deps, channel, alert);
      } catch (error) {
        throw new Error(`alert ${alert.id} not sent by ${channelLabel(channel)}: ${describeError(error)}`, {
          cause: error,
        });
      }
    },
  };
}

function sendOn(deps: AlertSenderDependencies, channel: AlertChannel, alert: EndpointAlert): Promise<void> {
  switch (channel.type) {
    case 'email':
      return sendEmail(channel, alert, deps.timeoutMs);
    case 'slack':
      return postJson(deps, channel.url, JSON.stringify(slackMessage(alert)), {});
    case 'webhook':
      return sendWebhook(deps, channel, alert);
  }
}

type EmailChannel = Extract<AlertChannel, { type: 'email' }>;
type WebhookChannel = Extract<AlertChannel, { type: 'webhook' }>;

async function sendEmail(channel: EmailChannel, alert: EndpointAlert, timeoutMs: number): Promise<void> {
  const { smtp } = channel;
  // A transport per send, not one cached per channel: alerts come at changes of an endpoint's state,
  // minutes or days apart, so a kept connection would mostly sit idle until the server drops it, and a
  // fresh one always uses the channel's current settings.
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTLS,
    auth: smtp.user === undefined ? undefined : { user: smtp.user, pass: smtp.password },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
  try {
    // When the server refuses some recipients but takes the message for others, this resolves: sending
    // again to retry the refused ones would give the others the alert twice.
    await transport.sendMail({
      from: channel.from,
      to: channel.to,
      subject: alertSubject(alert),
      text: alertText(alert),
      headers: { 'X-Hookrelay-Alert-Id': alert.id },
    });
  } finally {
    transport.close();
  }
}

/** Signed as hookrelay signs deliveries, so receivers verify alerts with the code that verifies hooks. */
function sendWebhook(
  deps: AlertSenderDependencies,
  channel: WebhookChannel,
  alert: EndpointAlert,
): Promise<void> {
  const body = JSON.stringify(webhookEvent(alert));
  // The time of sending, not alert.raisedAt: receivers refuse timestamps more than minutes away from
  // their clock, and a retried alert may go out long after it was raised.
  const timestamp = Math.floor(Date.now() / 1000);
  return postJson(deps, channel.url, body, {
    'webhook-id': alert.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signPayload({ secrets: [channel.secret], msgId: alert.id, timestamp, body }),
  });
}

async function postJson(
  deps: AlertSenderDependencies,
  url: string,
  body: string,
  extraHeaders: Record<string, string>,
): Promise<void> {
  const headers = { 'content-type': 'application/json', 'user-agent': deps.userAgent, ...extraHeaders };
  // A timer of our own rather than AbortSignal.timeout(), as in src/activities/deliver.ts: on Node 20 a
  // timeout signal that nothing else holds can be garbage-collected before it fires.
  const timeout = new AbortController();
  const timer = setTimeout(() => {
    timeout.abort();
  }, deps.timeoutMs);
  try {
    const response = await request(url, {
      method: 'POST',
      headers,
      body,
      dispatcher: deps.dispatcher,
      signal: timeout.signal,
    });
    if (response.statusCode >= 200 && response.statusCode < 300) {
      await response.body.dump();
      return;
    }
    const excerpt = await readExcerpt(response.body);
    throw new RefusedError(response.statusCode, excerpt);
  } catch (error) {
    if (timeout.signal.aborted && !(error instanceof RefusedError)) {
      // The abort error itself says nothing more than this.
      throw new Error(`no answer within ${deps.timeoutMs / 1000} s`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** A channel that answered, with anything but a 2xx. */
class RefusedError extends Error {
  constructor(statusCode: number, excerpt: string) {
    const redirect = statusCode >= 300 && statusCode < 400 ? ' (redirects are not followed)' : '';
    super(`answered ${statusCode}${redirect}${excerpt ? `: ${excerpt}` : ''}`);
    this.name = 'RefusedError';
  }
}

/** The start of a body on one line; the rest is never read, so a huge answer costs nothing. */
async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  const { text, cut } = await readBodyPrefix(body as AsyncIterable<Buffer>, ANSWER_EXCERPT_BYTES);
  const excerpt = text.replace(/\s+/g, ' ').trim();
  return cut ? `${excerpt}…` : excerpt;
}

/**
 * Node's and nodemailer's errors name their cause in `code` (ECONNREFUSED, EENVELOPE…) and undici's
 * in `cause`, so both are kept in the message that the activity records.
 */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof RefusedError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  const prefix = code && !error.message.includes(code) ? `${code} ` : '';
  const cause = error.cause instanceof Error ? `: ${describeError(error.cause)}` : '';
  return `${prefix}${error.message}${cause}`;
}
