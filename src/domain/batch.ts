/**
 * Batching: hooks that name the same batch key (and go to the same target) are delivered together, as
 * one request whose body is the array of their envelopes. The rules of gathering and sending, pure:
 * the batch workflow imports this module, so it must stay free of I/O and non-determinism.
 */
import type { DeliveryResult } from './delivery';
import type { RetryPolicy } from './hook';
import { hasAttemptsLeft, nextDelayMs } from './retry-policy';

/** What a batch key may be: it is part of the batch workflow's id. */
export const BATCH_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;
export const MAX_BATCH_SIZE = 1000;
export const MAX_BATCH_WINDOW_SECS = 3600;
export const DEFAULT_BATCH_SIZE = 100;
export const DEFAULT_BATCH_WINDOW_SECS = 30;

/**
 * A batch request also stops growing at this much `data` (UTF-8 bytes), whatever its size: every member
 * travels in the one activity input that sends it, and Temporal refuses a payload over 2 MiB.
 */
export const MAX_BATCH_DATA_BYTES = 1024 * 1024;

/** How big a batch request grows and how long it gathers: a project's defaults, or an endpoint's own. */
export interface BatchSizing {
  maxSize: number;
  windowSecs: number;
}

/** How a hook asks to be batched, its project's defaults filled in. */
export interface HookBatch extends BatchSizing {
  key: string;
}

/**
 * The key of the batches an endpoint set to batch makes of its hooks. It lies outside BATCH_KEY_PATTERN,
 * so no hook's own key ever joins them.
 */
export const ENDPOINT_BATCH_KEY = '@endpoint';

/** What a batch request is sized by when its project says nothing (reports of workers that predate it). */
export const DEFAULT_BATCH_SIZING: BatchSizing = {
  maxSize: DEFAULT_BATCH_SIZE,
  windowSecs: DEFAULT_BATCH_WINDOW_SECS,
};

/** Why batch sizing is out of range, or undefined when it is not; fields left out are not checked. */
export function batchSizingProblem(sizing: Partial<BatchSizing>): string | undefined {
  const { maxSize, windowSecs } = sizing;
  if (maxSize !== undefined && !(Number.isInteger(maxSize) && maxSize >= 1 && maxSize <= MAX_BATCH_SIZE)) {
    return `maxSize must be an integer between 1 and ${MAX_BATCH_SIZE}`;
  }
  if (windowSecs !== undefined && !(windowSecs > 0 && windowSecs <= MAX_BATCH_WINDOW_SECS)) {
    return `windowSecs must be more than 0 and at most ${MAX_BATCH_WINDOW_SECS}`;
  }
  return undefined;
}

/** What a hook shows of its batch: the key, and once a request of it went out, the batch's id. */
export interface HookBatchView {
  key: string;
  batchId?: string;
}

/** What a batch needs of one member to put its envelope in the request (see signedBatchDelivery). */
export interface BatchMember {
  hookId: string;
  /** The member's workflow, told of each attempt of the batch it is in. */
  workflowId: string;
  path?: string;
  postAt: string;
  createdAt: string;
  data: unknown;
}

/** A member as the batch keeps it while it gathers. */
export interface GatheredMember extends BatchMember {
  /** Workflow time at which it joined: the window runs from the first member's. */
  arrivedAt: number;
  dataBytes: number;
}

/** Everything a batch workflow is started with: the settings of the member that started it. */
export interface BatchSettings {
  projectId: string;
  targetUrl: string;
  key: string;
  maxSize: number;
  windowSecs: number;
  /** The retry policy of the member that started the batch: a failed request is retried as a whole. */
  retry: RetryPolicy;
  deliveryTimeoutMs: number;
}

/** The UTF-8 size of a member's data as it goes into the request. */
export function dataBytesOf(data: unknown): number {
  let bytes = 0;
  for (const char of JSON.stringify(data ?? null)) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/**
 * The members the next request takes, in arrival order: up to `maxSize`, and no more data than
 * MAX_BATCH_DATA_BYTES (but always at least one member, whatever its size).
 */
export function nextBatchSize(gathered: readonly GatheredMember[], maxSize: number): number {
  let count = 0;
  let bytes = 0;
  for (const member of gathered) {
    if (count >= maxSize) break;
    if (count > 0 && bytes + member.dataBytes > MAX_BATCH_DATA_BYTES) break;
    bytes += member.dataBytes;
    count++;
  }
  return count;
}

/** Whether the gathered members make a full request already, without waiting out the window. */
export function isBatchFull(gathered: readonly GatheredMember[], maxSize: number): boolean {
  return gathered.length >= maxSize || nextBatchSize(gathered, maxSize) < gathered.length;
}

/** When the gathering must be sent whatever its size: `windowSecs` after its first member joined. */
export function flushDueAt(gathered: readonly GatheredMember[], windowSecs: number): number | undefined {
  const first = gathered[0];
  return first === undefined ? undefined : first.arrivedAt + windowSecs * 1000;
}

/** A batch's id, the request's `webhook-id`: from the 128 random bits of a (workflow-deterministic) UUID. */
export function batchIdFromUuid(uuid: string): string {
  return `bat_${uuid.replaceAll('-', '')}`;
}

/** What follows one attempt of a batch request, by the retry policy of the batch. */
export type BatchVerdict = { final: true } | { final: false; delayMs: number };

export function judgeBatchAttempt(
  policy: RetryPolicy,
  attempt: number,
  result: Pick<DeliveryResult, 'outcome' | 'permanent' | 'retryAfterMs'>,
  random: number,
): BatchVerdict {
  if (result.outcome === 'success' || result.permanent || !hasAttemptsLeft(policy, attempt)) {
    return { final: true };
  }
  return { final: false, delayMs: nextDelayMs(policy, attempt, random, result.retryAfterMs) };
}
