import type { BatchMember } from '../domain/batch';
import type { HookState } from '../domain/hook';
import type { HookScheduleOrigin } from '../domain/schedule';
import { signPayload } from './signing';

/** What a delivery says about its hook: the body's fields besides the time it is sent. */
export interface DeliveryContent {
  hookId: string;
  path?: string;
  postAt: string;
  createdAt: string;
  attempt: number;
  data: unknown;
  /** Only for a hook a schedule made: the body then names the schedule and the run's time. */
  schedule?: HookScheduleOrigin;
}

/**
 * The body a receiver gets and the Standard Webhooks headers over it, signed for the instant `sentAt`
 * with every one of the project's secrets. The one definition of the delivery format: attempts send it,
 * and the API shows it as the request a hook's next attempt sends.
 */
export function signedDelivery(
  content: DeliveryContent,
  options: SigningOptions,
): { headers: Record<string, string>; body: string } {
  const body = deliveryEnvelope(content, options.sentAt);
  return { headers: signedHeaders(content.hookId, content.attempt, body, options), body };
}

interface SigningOptions {
  secrets: readonly string[];
  userAgent: string;
  sentAt: Date;
}

/** The JSON body of one hook's delivery, which a batch request also carries as one element of its array. */
function deliveryEnvelope(content: DeliveryContent, sentAt: Date): string {
  return JSON.stringify({
    id: content.hookId,
    path: content.path ?? null,
    postAt: content.postAt,
    postedAt: sentAt.toISOString(),
    attempt: content.attempt,
    data: content.data,
    createdAt: content.createdAt,
    ...(content.schedule ? { schedule: content.schedule } : {}),
  });
}

/** The headers of a request whose Standard Webhooks message id is `msgId`, signed over `body`. */
function signedHeaders(
  msgId: string,
  attempt: number,
  body: string,
  options: SigningOptions,
): Record<string, string> {
  const timestamp = Math.floor(options.sentAt.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': options.userAgent,
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signPayload({ secrets: options.secrets, msgId, timestamp, body }),
    'hook-attempt': String(attempt),
  };
}

/**
 * A batch request: the array of its members' envelopes, each exactly the body that member's own delivery
 * would have for this attempt, signed as one message whose id is the batch's (stable across its attempts).
 */
export function signedBatchDelivery(
  batch: { batchId: string; attempt: number; members: readonly Omit<BatchMember, 'workflowId'>[] },
  options: SigningOptions,
): { headers: Record<string, string>; body: string } {
  const envelopes = batch.members.map((member) =>
    deliveryEnvelope({ ...member, attempt: batch.attempt }, options.sentAt),
  );
  const body = `[${envelopes.join(',')}]`;
  return {
    headers: {
      ...signedHeaders(batch.batchId, batch.attempt, body, options),
      'hook-batch-size': String(envelopes.length),
    },
    body,
  };
}

/** Where a preview shows what only sending a request issues. */
export const ISSUED_WHEN_SENT = '(issued when sent)';
/** Where a batched hook's preview shows the signature of its whole batch request, which it cannot rebuild. */
export const SIGNED_OVER_BATCH = '(signed over the whole batch request)';

/** What a hook's record says it is for the delivery format. */
type RecordedHook = Pick<
  HookState,
  | 'id'
  | 'path'
  | 'postAt'
  | 'createdAt'
  | 'data'
  | 'async'
  | 'targetUrl'
  | 'attemptHistory'
  | 'batch'
  | 'schedule'
>;

export interface DeliveryOfRecord {
  /** The attempt the request is for. */
  attempt: number;
  /** When it was sent; null for a hook not attempted yet. */
  sentAt: string | null;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The request a hook's latest attempt sent, rebuilt as the receiver got it (signed with the project's
 * current secrets, so it matches unless they rotated since); before any attempt, the request the first
 * attempt sends, with the headers issued at sending left as placeholders. Never a signature for a request
 * not yet sent: anyone reading the hook could otherwise deliver it ahead of hookrelay, and the receiver
 * would then drop the real delivery as a repeat of its `webhook-id`.
 */
export function deliveryOfRecord(
  hook: RecordedHook,
  options: { secrets: readonly string[]; userAgent: string },
): DeliveryOfRecord {
  const last = hook.attemptHistory.at(-1);
  const content = { ...hook, hookId: hook.id, attempt: last?.number ?? 1 };
  const sentAt = last ? new Date(last.startedAt) : new Date(hook.postAt);
  const { headers, body } = signedDelivery(content, { ...options, sentAt });
  const issuedWhenSent = [
    ...(last ? [] : ['webhook-timestamp', 'webhook-signature']),
    // Ack and nack URLs carry a token made for the attempt; a preview must not hand out a working one.
    ...(hook.async ? ['hook-ack-url', 'hook-nack-url'] : []),
  ];
  for (const name of issuedWhenSent) headers[name] = ISSUED_WHEN_SENT;
  if (hook.batch) {
    // A batched hook's body is one element of its batch request's array, sent under the batch's id.
    headers['webhook-id'] = hook.batch.batchId ?? ISSUED_WHEN_SENT;
    if (last) headers['webhook-signature'] = SIGNED_OVER_BATCH;
  }
  return { attempt: content.attempt, sentAt: last?.startedAt ?? null, url: hook.targetUrl, headers, body };
}
