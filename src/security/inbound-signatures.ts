import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SourceVerification } from '../config/source-schema';

/**
 * Checks the signature a sender put on an inbound webhook, over the raw body bytes, before anything else
 * looks at the request. Three schemes: Standard Webhooks, a plain HMAC-SHA256 header (GitHub's
 * `X-Hub-Signature-256: sha256=<hex>`, or any header, encoding and prefix), and Stripe's
 * `Stripe-Signature: t=<unix>,v1=<hex>`. Every comparison is constant-time.
 */

export type SignatureRefusal =
  'signature_missing' | 'signature_invalid' | 'timestamp_invalid' | 'timestamp_stale';

export type Verification =
  | { ok: true; /** The signed timestamp (unix seconds), where the scheme signs one. */ timestamp?: number }
  | { ok: false; reason: SignatureRefusal; message: string };

export interface InboundRequest {
  /** A header's value by lower-case name. */
  header(name: string): string | undefined;
  body: Buffer;
}

/** Equal strings, compared in time that depends on their lengths only. */
export function constantTimeEquals(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the work the same either way.
  return timingSafeEqual(a.length === b.length ? a : b, b) && a.length === b.length;
}

/** Whether any presented signature equals any expected one; every pair is compared, none skipped. */
function anyMatches(presented: readonly string[], expected: readonly string[]): boolean {
  let matched = false;
  for (const candidate of presented) {
    for (const wanted of expected) matched = constantTimeEquals(candidate, wanted) || matched;
  }
  return matched;
}

function hmac(key: Buffer | string, parts: readonly (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

function refuse(reason: SignatureRefusal, message: string): Verification {
  return { ok: false, reason, message };
}

/** A unix-seconds timestamp within `toleranceSecs` of now, either way. */
function checkTimestamp(
  text: string | undefined,
  toleranceSecs: number,
  now: Date,
  where: string,
): { timestamp: number } | Verification {
  if (text === undefined || text === '') return refuse('signature_missing', `${where} is missing`);
  if (!/^\d{1,12}$/.test(text)) return refuse('timestamp_invalid', `${where} is not unix seconds`);
  const timestamp = Number(text);
  const skewSecs = Math.abs(now.getTime() / 1000 - timestamp);
  if (skewSecs > toleranceSecs) {
    return refuse(
      'timestamp_stale',
      `${where} is ${Math.round(skewSecs)} s away from now; at most ${toleranceSecs} s is accepted`,
    );
  }
  return { timestamp };
}

function verifyStandardWebhooks(
  rule: Extract<SourceVerification, { scheme: 'standard-webhooks' }>,
  request: InboundRequest,
  now: Date,
): Verification {
  const msgId = request.header('webhook-id');
  const signatures = request.header('webhook-signature');
  if (!msgId || !signatures)
    return refuse('signature_missing', 'webhook-id and webhook-signature are required');
  const time = checkTimestamp(
    request.header('webhook-timestamp'),
    rule.toleranceSecs,
    now,
    'webhook-timestamp',
  );
  if (!('timestamp' in time)) return time;
  const presented = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice(3));
  const expected = rule.secrets.map((secret) =>
    hmac(Buffer.from(secret.slice('whsec_'.length), 'base64'), [
      `${msgId}.${time.timestamp}.`,
      request.body,
    ]).toString('base64'),
  );
  return anyMatches(presented, expected)
    ? { ok: true, timestamp: time.timestamp }
    : refuse('signature_invalid', 'no webhook-signature matches a secret of this source');
}

function verifyHmacHeader(
  rule: Extract<SourceVerification, { scheme: 'hmac-sha256' }>,
  request: InboundRequest,
  now: Date,
): Verification {
  const value = request.header(rule.header);
  if (!value) return refuse('signature_missing', `the ${rule.header} header is missing`);
  if (!value.startsWith(rule.prefix)) {
    return refuse('signature_invalid', `${rule.header} must start with "${rule.prefix}"`);
  }
  let timestamp: number | undefined;
  if (rule.timestampHeader) {
    const time = checkTimestamp(
      request.header(rule.timestampHeader),
      rule.toleranceSecs,
      now,
      rule.timestampHeader,
    );
    if (!('timestamp' in time)) return time;
    timestamp = time.timestamp;
  }
  const signed = timestamp === undefined ? [request.body] : [`${timestamp}.`, request.body];
  const digest = value.slice(rule.prefix.length);
  // Hex is compared in lower case: senders differ in the case of their digits.
  const presented = rule.encoding === 'hex' ? digest.toLowerCase() : digest;
  const expected = rule.secrets.map((secret) => hmac(secret, signed).toString(rule.encoding));
  if (!anyMatches([presented], expected)) {
    return refuse('signature_invalid', `${rule.header} does not match a secret of this source`);
  }
  return timestamp === undefined ? { ok: true } : { ok: true, timestamp };
}

function verifyStripe(
  rule: Extract<SourceVerification, { scheme: 'stripe' }>,
  request: InboundRequest,
  now: Date,
): Verification {
  const value = request.header(rule.header);
  if (!value) return refuse('signature_missing', `the ${rule.header} header is missing`);
  const pairs = value.split(',').map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()] as const;
  });
  const time = checkTimestamp(
    pairs.find(([key]) => key === 't')?.[1],
    rule.toleranceSecs,
    now,
    `the t= of ${rule.header}`,
  );
  if (!('timestamp' in time)) return time;
  const presented = pairs.filter(([key]) => key === 'v1').map(([, signature]) => signature.toLowerCase());
  const expected = rule.secrets.map((secret) =>
    hmac(secret, [`${time.timestamp}.`, request.body]).toString('hex'),
  );
  return anyMatches(presented, expected)
    ? { ok: true, timestamp: time.timestamp }
    : refuse('signature_invalid', `no v1= of ${rule.header} matches a secret of this source`);
}

export function verifyInboundSignature(
  rule: SourceVerification,
  request: InboundRequest,
  now: Date,
): Verification {
  switch (rule.scheme) {
    case 'standard-webhooks':
      return verifyStandardWebhooks(rule, request, now);
    case 'hmac-sha256':
      return verifyHmacHeader(rule, request, now);
    case 'stripe':
      return verifyStripe(rule, request, now);
  }
}
