import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BatchMember } from '../domain/batch';
import type { DeliveryResult } from '../domain/delivery';

/**
 * The messages between a batch workflow and its members' hook workflows. Their names are part of every
 * history in flight: rename one and running batches stop understanding it.
 */

/** A hook joins the batch (sent with signal-with-start by the joinBatch activity). */
export const addToBatchSignal = defineSignal<[BatchMember]>('addToBatch');

/**
 * A member is cancelled and asks to leave (its workflow id). The batch answers with batchLeftSignal: at
 * once when the member is not in a request on its way, else once that request has its outcome (which the
 * member is told first).
 */
export const leaveBatchSignal = defineSignal<[string]>('leaveBatch');

/** The batch no longer holds the member: no later request of it carries the member's envelope. */
export const batchLeftSignal = defineSignal('batchLeft');

/**
 * One attempt of the request a member went out in, told to every member of it: each records it as an
 * attempt of its own. The outcome fields are the request's, as one hook's attempt would have them.
 */
export interface BatchAttemptReport extends Pick<
  DeliveryResult,
  | 'outcome'
  | 'permanent'
  | 'statusCode'
  | 'responseBody'
  | 'error'
  | 'startedAt'
  | 'finishedAt'
  | 'durationMs'
> {
  batchId: string;
  /** The attempt's number within the batch. */
  attempt: number;
  /** No attempt follows: the member completes (success) or fails. */
  final: boolean;
  /** When the batch makes its next attempt, if it makes one. */
  nextAttemptAt?: string;
}
export const batchAttemptSignal = defineSignal<[BatchAttemptReport]>('batchAttempt');

/** What a batch holds now: members gathering, and the request on its way or waiting for a retry. */
export interface BatchView {
  gathering: string[];
  sending?: { batchId: string; attempt: number; hookIds: string[] };
}
export const batchViewQuery = defineQuery<BatchView>('batchView');
