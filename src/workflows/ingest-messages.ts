import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IngestedEventRecord } from './ingest-record';

/** The sender sent the event again within the dedupe window (the time of that receipt). */
export const duplicateReceivedSignal = defineSignal<[string]>('duplicateReceived');

/** Forward the event again, as new hooks; answers with the record after that forward. */
export const replayUpdate = defineUpdate<IngestedEventRecord>('replay');
