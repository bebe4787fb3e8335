import {
  allHandlersFinished,
  condition,
  log,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
} from '@temporalio/workflow';
import type { createIngestActivities } from '../activities/forward-ingested-event';
import { duplicateReceivedSignal, replayUpdate } from './ingest-messages';
import {
  forwardedEnvelope,
  ingestMemo,
  type IngestWorkflowInput,
  withDuplicate,
  withForward,
} from './ingest-record';

/**
 * A local activity: starting a few hooks takes milliseconds, and running it inside the workflow task
 * spares the server an activity task per event (three events and a round trip through matching). Each
 * try starts the hooks not started yet; a hook already started counts as done.
 */
const { forwardIngestedEvent } = proxyLocalActivities<ReturnType<typeof createIngestActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * One ingested event, from receipt until its dedupe window ends: forwards it (after the source's delay),
 * notes duplicates, and forwards it again on replay. Its memo is its record, kept current for readers.
 * Started by the API that verified the event, so a kept event is always forwarded.
 */
export async function ingestWorkflow(input: IngestWorkflowInput): Promise<void> {
  let record = input.record;
  const { projectId, envelope } = record;
  let rounds = record.forwards;

  const forward = async (replay: boolean) => {
    const round = rounds++;
    const result = await forwardIngestedEvent({
      projectId,
      envelope: forwardedEnvelope(envelope, round),
      round,
    });
    record = withForward(record, result, new Date().toISOString(), replay);
    upsertMemo(ingestMemo(record));
    log.info('ingested event forwarded', {
      eventId: envelope.eventId,
      eventType: envelope.eventType,
      source: envelope.source,
      round,
      hookIds: result.hookIds,
    });
  };

  setHandler(duplicateReceivedSignal, (at) => {
    record = withDuplicate(record, at);
    upsertMemo(ingestMemo(record));
  });
  setHandler(replayUpdate, async () => {
    await forward(true);
    return record;
  });

  if (input.forwardOnStart) {
    if (input.delayMs > 0) await sleep(input.delayMs);
    await forward(false);
  }
  const windowLeftMs = Date.parse(envelope.receivedAt) + input.dedupeWindowMs - Date.now();
  if (windowLeftMs > 0) await sleep(windowLeftMs);
  await condition(allHandlersFinished);
}
