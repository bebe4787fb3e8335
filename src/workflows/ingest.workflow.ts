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
  isSettled,
  withDuplicate,
  withForward,
  withOutcome,
} from './ingest-record';

/**
 * A local activity: starting a few hooks takes milliseconds, and running it inside the workflow task
 * spares the server an activity task per event (three events and a round trip through matching). Each
 * try starts the hooks not started yet; a hook already started counts as done.
 */
const { forwardIngestedEvent, readForwardOutcome } = proxyLocalActivities<
  ReturnType<typeof createIngestActivities>
>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** The forwarded hooks are first read this long after the forward, then ever less often. */
const FIRST_OUTCOME_CHECK_MS = 1_000;
const MAX_OUTCOME_CHECK_MS = 5 * 60_000;

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
  // While the window is open, the hooks of the last forward are followed until they have all ended
  // (checks back off to one per MAX_OUTCOME_CHECK_MS), so the record and the log say delivered or
  // failed; a replay starts the following again. Once closed, readers work it out from the hooks.
  const windowEnd = Date.parse(envelope.receivedAt) + input.dedupeWindowMs;
  let checkMs = FIRST_OUTCOME_CHECK_MS;
  let followed = record.lastHookIds;
  while (Date.now() < windowEnd) {
    if (record.lastHookIds !== followed) {
      followed = record.lastHookIds;
      checkMs = FIRST_OUTCOME_CHECK_MS;
    }
    if (followed.length === 0 || isSettled(record)) {
      await condition(() => record.lastHookIds !== followed, windowEnd - Date.now());
      continue;
    }
    await sleep(Math.min(checkMs, windowEnd - Date.now()));
    checkMs = Math.min(checkMs * 2, MAX_OUTCOME_CHECK_MS);
    const watching = followed;
    const outcome = await readForwardOutcome({ projectId, hookIds: watching });
    // A replay meanwhile has hooks of its own to follow.
    if (!outcome || record.lastHookIds !== watching) continue;
    record = withOutcome(record, outcome);
    upsertMemo(ingestMemo(record));
    log.info(`ingested event ${outcome.status}`, {
      eventId: envelope.eventId,
      eventType: envelope.eventType,
      source: envelope.source,
      hookIds: watching,
    });
  }
  await condition(allHandlersFinished);
}
