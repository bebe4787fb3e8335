import { signPayload } from './signing';

/** What a delivery says about its hook: the body's fields besides the time it is sent. */
export interface DeliveryContent {
  hookId: string;
  path?: string;
  postAt: string;
  createdAt: string;
  attempt: number;
  data: unknown;
}

/**
 * The body a receiver gets and the Standard Webhooks headers over it, signed for the instant `sentAt`
 * with every one of the project's secrets. The one definition of the delivery format: attempts send it,
 * and the API shows it as the request a hook's next attempt sends.
 */
export function signedDelivery(
  content: DeliveryContent,
  options: { secrets: readonly string[]; userAgent: string; sentAt: Date },
): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({
    id: content.hookId,
    path: content.path ?? null,
    postAt: content.postAt,
    postedAt: options.sentAt.toISOString(),
    attempt: content.attempt,
    data: content.data,
    createdAt: content.createdAt,
  });
  const timestamp = Math.floor(options.sentAt.getTime() / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': options.userAgent,
    'webhook-id': content.hookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signPayload({ secrets: options.secrets, msgId: content.hookId, timestamp, body }),
    'hook-attempt': String(content.attempt),
  };
  return { headers, body };
}
