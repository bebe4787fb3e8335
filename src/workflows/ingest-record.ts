import type { SearchAttributePair } from '@temporalio/common';
import type { InboundEnvelope, IngestStatus, LifecycleEntry } from '../domain/inbound-event';
import { EVENT_ATTRIBUTE_KEYS } from './event-record';

/**
 * The records Temporal keeps of ingested events: the workflow id, the search attributes that list them,
 * and the memo a reader needs without a worker. The only encoder and decoder of those records. Pure:
 * workflow code imports it.
 */

/**
 * One workflow id per project, source and sender event id. "/" occurs in none of the three, so the id
 * splits back unambiguously and a source's events share a prefix.
 */
export function ingestWorkflowId(projectId: string, sourceId: string, eventId: string): string {
  return `ingest/${projectId}/${sourceId}/${eventId}`;
}

/** A log keeps its first entries and its most recent ones: a sender that resends forever cannot grow it. */
export const MAX_LOG_ENTRIES = 100;

/** What an ingested event's workflow keeps, and what the admin reads show. */
export interface IngestedEventRecord {
  projectId: string;
  envelope: InboundEnvelope;
  log: LifecycleEntry[];
  /** Every hook its forwards started, oldest forward first. */
  hookIds: string[];
  /** Hooks of the most recent forward: the ones its delivered or failed status is judged by. */
  lastHookIds: string[];
  forwards: number;
  duplicates: number;
}

export interface IngestWorkflowInput {
  record: IngestedEventRecord;
  /** How long to wait before the first forward. */
  delayMs: number;
  /** The workflow stays open this long after receipt: a start under its id meanwhile is a duplicate. */
  dedupeWindowMs: number;
  /** False in a run that a replay started: the replay forwards, not the start. */
  forwardOnStart: boolean;
}

/** A new event's record: received and verified at the time of receipt. */
export function receivedRecord(projectId: string, envelope: InboundEnvelope): IngestedEventRecord {
  return {
    projectId,
    envelope,
    log: [
      { step: 'received', at: envelope.receivedAt },
      { step: 'verified', at: envelope.receivedAt },
    ],
    hookIds: [],
    lastHookIds: [],
    forwards: 0,
    duplicates: 0,
  };
}

function appendEntry(log: LifecycleEntry[], entry: LifecycleEntry): LifecycleEntry[] {
  const next = [...log, entry];
  // The first two entries (received, verified) stay; the oldest of the rest makes room.
  return next.length > MAX_LOG_ENTRIES ? [...next.slice(0, 2), ...next.slice(3)] : next;
}

export function withDuplicate(record: IngestedEventRecord, at: string): IngestedEventRecord {
  return {
    ...record,
    duplicates: record.duplicates + 1,
    log: appendEntry(record.log, { step: 'duplicate', at }),
  };
}

export interface ForwardResult {
  hookIds: string[];
  fanoutEventId?: string;
}

export function withForward(
  record: IngestedEventRecord,
  result: ForwardResult,
  at: string,
  replay: boolean,
): IngestedEventRecord {
  const entry: LifecycleEntry = {
    step: 'forwarded',
    at,
    hookIds: result.hookIds,
    ...(result.fanoutEventId ? { fanoutEventId: result.fanoutEventId } : {}),
    ...(replay ? { replay } : {}),
  };
  return {
    ...record,
    forwards: record.forwards + 1,
    hookIds: [...record.hookIds, ...result.hookIds],
    lastHookIds: result.hookIds,
    log: appendEntry(record.log, entry),
    envelope: { ...record.envelope, processing: { status: 'forwarded', attempts: record.forwards + 1 } },
  };
}

/** What a forward hands on: the envelope as of that forward (its `attempts` counts forwards, this one too). */
export function forwardedEnvelope(envelope: InboundEnvelope, round: number): InboundEnvelope {
  return { ...envelope, processing: { status: 'forwarded', attempts: round + 1 } };
}

/** A record as readers see it once its hooks are known to have ended. */
export function withOutcome(
  record: IngestedEventRecord,
  outcome: { status: Extract<IngestStatus, 'delivered' | 'failed'>; at: string },
): IngestedEventRecord {
  return {
    ...record,
    envelope: { ...record.envelope, processing: { ...record.envelope.processing, status: outcome.status } },
    log: [...record.log, { step: outcome.status, at: outcome.at }],
  };
}

const MEMO_KEY = 'ingest';

export function ingestMemo(record: IngestedEventRecord): Record<string, unknown> {
  return { [MEMO_KEY]: record };
}

export function ingestRecordOfMemo(
  memo: Record<string, unknown> | undefined,
): IngestedEventRecord | undefined {
  return memo?.[MEMO_KEY] as IngestedEventRecord | undefined;
}

/** Ingested events are listed per project and type, on the attributes published events use too. */
export function ingestSearchAttributes(record: IngestedEventRecord): SearchAttributePair[] {
  return [
    { key: EVENT_ATTRIBUTE_KEYS.project, value: record.projectId },
    { key: EVENT_ATTRIBUTE_KEYS.type, value: record.envelope.eventType },
  ];
}

/**
 * How the hooks of a forward ended, when they have: failed as soon as one failed (or was cancelled),
 * delivered once every one completed, at the time the last of them settled.
 */
export function outcomeOf(
  hooks: readonly { status: string; completedAt?: string; updatedAt: string }[],
): { status: Extract<IngestStatus, 'delivered' | 'failed'>; at: string } | undefined {
  if (hooks.length === 0) return undefined;
  const settledAt = (hook: (typeof hooks)[number]) => hook.completedAt ?? hook.updatedAt;
  const failed = hooks.filter((hook) => hook.status === 'failed' || hook.status === 'cancelled');
  if (failed.length > 0) return { status: 'failed', at: failed.map(settledAt).sort().at(-1) ?? '' };
  if (hooks.every((hook) => hook.status === 'completed')) {
    return { status: 'delivered', at: hooks.map(settledAt).sort().at(-1) ?? '' };
  }
  return undefined;
}
