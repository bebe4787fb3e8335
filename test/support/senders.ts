import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Webhook senders as third parties sign their requests, for the ingestion tests: each returns the
 * headers to send with `body`, signed with `secret`.
 */

/** The seeds' HMAC-SHA256 example, as written there: hex digest of the payload, in X-Signature. */
function signPayload(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

export function seedExampleHeaders(body: string, secret: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-signature': signPayload(body, secret) };
}

/** A Standard Webhooks sender, through the `standardwebhooks` package. */
export function standardWebhooksHeaders(
  body: string,
  secret: string,
  msgId: string,
  at = new Date(),
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(msgId, at, body),
  };
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex>`, the delivery id and event name in headers of their own. */
export function githubHeaders(
  body: string,
  secret: string,
  delivery: string,
  event: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    'x-github-delivery': delivery,
    'x-github-event': event,
  };
}

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex of "t.body">`. */
export function stripeHeaders(body: string, secret: string, at = new Date()): Record<string, string> {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` };
}
