import { createHash } from 'node:crypto';
import type { FieldLocation, SourceConfig } from '../config/source-schema';
import { InboundEventError } from './errors';
import { EVENT_ID_PATTERN } from './event-ids';
import { nestsDeeperThan } from '../lib/json-depth';
import { hookIdFromHex } from './hook-ids';
import { isEventType } from './subscription';

/**
 * An inbound event: what a verified webhook from a sender becomes. The envelope is the contract every
 * later step works from (forwarding, replay, the admin reads); the rules here find the sender's event
 * id, type and time in a request. Pure.
 */

/** Where an ingested event stands: kept, handed on as hooks, and how those hooks ended. */
export type IngestStatus = 'received' | 'forwarded' | 'delivered' | 'failed';

/** One step of an event's life, as its log keeps it. */
export type LifecycleStep = 'received' | 'verified' | 'duplicate' | 'forwarded' | 'delivered' | 'failed';

export interface LifecycleEntry {
  step: LifecycleStep;
  at: string;
  /** The hooks a forward started. */
  hookIds?: string[];
  /** The fan-out event a forward published. */
  fanoutEventId?: string;
  /** A forward that a replay asked for. */
  replay?: boolean;
}

export interface InboundEnvelope {
  eventId: string;
  eventType: string;
  source: string;
  occurredAt: string;
  receivedAt: string;
  payload: unknown;
  processing: { status: IngestStatus; attempts: number };
}

/** The value at a JSON pointer (RFC 6901), or undefined where the document has none. */
export function valueAtPointer(document: unknown, pointer: string): unknown {
  let value = document;
  for (const token of pointer.slice(1).split('/')) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

interface RequestParts {
  header(name: string): string | undefined;
  payload: unknown;
}

function locate(location: FieldLocation, request: RequestParts): unknown {
  return 'header' in location
    ? request.header(location.header)
    : valueAtPointer(request.payload, location.pointer);
}

/** Where each scheme's senders put their event id, type and time, unless the source says otherwise. */
function defaultLocations(source: SourceConfig): {
  eventId?: FieldLocation;
  occurredAt?: FieldLocation;
} {
  switch (source.verification.scheme) {
    case 'standard-webhooks':
      return { eventId: { header: 'webhook-id' } };
    case 'stripe':
      return { eventId: { pointer: '/id' }, occurredAt: { pointer: '/created' } };
    case 'hmac-sha256':
      return {};
  }
}

/** A time as senders write it: unix seconds, or an RFC 3339 string. */
function instant(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000).toISOString();
  if (typeof value === 'string') {
    if (/^\d{1,12}$/.test(value)) return new Date(Number(value) * 1000).toISOString();
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return new Date(parsed).toISOString();
  }
  return undefined;
}

/** A payload is forwarded as a hook's data, which the API lets nest this deep at most. */
export const MAX_PAYLOAD_DEPTH = 100;

/** The body as JSON: every source sends JSON. */
export function parsePayload(body: Buffer): unknown {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    throw new InboundEventError('invalid_json', 'the body is not valid JSON');
  }
  if (nestsDeeperThan(payload, MAX_PAYLOAD_DEPTH)) {
    throw new InboundEventError('invalid_json', `the body nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  }
  return payload;
}

/**
 * The envelope of a verified request. The event id is the sender's (a body hash where the source names
 * none, best effort); the type falls back to /type, then to the source id; the time to the signed
 * timestamp, then to the time of receipt.
 */
export function buildEnvelope(
  source: SourceConfig,
  request: RequestParts & { bodyHash: string; signedAt?: number },
  receivedAt: Date,
): InboundEnvelope {
  const defaults = defaultLocations(source);
  const idLocation = source.eventId ?? defaults.eventId;
  const id = idLocation ? locate(idLocation, request) : `sha256_${request.bodyHash.slice(0, 40)}`;
  // Senders give ids as strings, a few as numbers; anything else is no id.
  const eventId = typeof id === 'string' || typeof id === 'number' ? String(id) : '';
  if (eventId === '') {
    throw new InboundEventError(
      'missing_event_id',
      'the request carries no event id where the source expects one',
    );
  }
  if (!EVENT_ID_PATTERN.test(eventId)) {
    throw new InboundEventError('invalid_event_id', 'the event id must be 1 to 100 of A-Z a-z 0-9 _ . : -');
  }
  const typeRule = source.eventType ?? { pointer: '/type' };
  const type = 'value' in typeRule ? typeRule.value : (locate(typeRule, request) ?? source.id);
  if (typeof type !== 'string' || !isEventType(type)) {
    throw new InboundEventError('invalid_event_type', 'the event type must be dot-separated words');
  }
  const occurredLocation = source.occurredAt ?? defaults.occurredAt;
  const occurredAt =
    (occurredLocation ? instant(locate(occurredLocation, request)) : undefined) ??
    (request.signedAt === undefined ? undefined : instant(request.signedAt)) ??
    receivedAt.toISOString();
  return {
    eventId,
    eventType: type,
    source: source.id,
    occurredAt,
    receivedAt: receivedAt.toISOString(),
    payload: request.payload,
    processing: { status: 'received', attempts: 0 },
  };
}

export function bodyHash(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

function digestOf(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\0'), 'utf8').digest('hex');
}

/** One receipt of an event: a resend after the dedupe window is another receipt, with hooks of its own. */
export interface ReceiptIds {
  projectId: string;
  sourceId: string;
  eventId: string;
  receivedAt: string;
}

/**
 * The hook a forward starts to one target: the same receipt, round and target always name the same
 * hook, so a retried forward finds the hooks it started, and a replay (the next round) starts new ones.
 */
export function forwardHookId(ids: ReceiptIds, round: number, targetIndex: number): string {
  const { projectId, sourceId, eventId, receivedAt } = ids;
  return hookIdFromHex(digestOf(projectId, sourceId, eventId, receivedAt, round, targetIndex).slice(0, 32));
}

/** The fan-out event a forward publishes, named alike. */
export function forwardFanoutEventId(ids: ReceiptIds, round: number): string {
  const { projectId, sourceId, eventId, receivedAt } = ids;
  return `in_${digestOf(projectId, sourceId, eventId, receivedAt, round, 'fanout').slice(0, 32)}`;
}
