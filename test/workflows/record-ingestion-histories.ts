/**
 * Records real Temporal histories of ingested events, as JSON fixtures for replay.test.ts:
 *
 *   npx tsx test/workflows/record-ingestion-histories.ts [outDir]
 *
 * Through the real API, against a receiver on 127.0.0.1: an event forwarded after its source's delay to
 * a target, sent again meanwhile (a duplicate) and replayed while its dedupe window was open, closed at
 * the window's end (`ingest-forwarded`); an event fanned out to a subscription (`ingest-fanout`); and the
 * run a replay starts once the window has ended (`ingest-replayed-closed`). An ingested event's workflow
 * lives through its dedupe window (a day by default), so these are kept like the hook fixtures (see
 * histories/README.md). Nothing is written unless every step reached its state.
 */
import { createHmac } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { ingestWorkflowId } from '../../src/workflows/ingest-record';
import type { TestReceiver } from '../support/receiver';
import type { TestStack } from '../support/stack';
import { recordAgainstReceiver } from './support/history-fixture';

const PROJECT = 'rec-ingest';
const SECRET = 'recorder-secret';
const WAIT_MS = 20_000;

async function send(stack: TestStack, sourceId: string, body: object): Promise<void> {
  const payload = JSON.stringify(body);
  const answer = await stack.app.inject({
    method: 'POST',
    url: `/v1/ingest/${sourceId}`,
    payload,
    headers: {
      'content-type': 'application/json',
      'x-signature': createHmac('sha256', SECRET).update(payload).digest('hex'),
    },
  });
  if (answer.statusCode !== 200) throw new Error(`ingest answered ${answer.statusCode}: ${answer.body}`);
}

async function replay(stack: TestStack, sourceId: string, eventId: string): Promise<void> {
  const answer = await stack.request(PROJECT, 'POST', `/v1/ingested-events/${sourceId}/${eventId}/replay`);
  if (answer.statusCode !== 200) throw new Error(`replay answered ${answer.statusCode}: ${answer.body}`);
}

async function drive(stack: TestStack, receiver: TestReceiver) {
  await stack.api(PROJECT).subscriptions.create({ path: '/fan', eventTypes: ['order.*'] });
  const handle = (sourceId: string, eventId: string, runId?: string) =>
    stack.client.workflow.getHandle(ingestWorkflowId(PROJECT, sourceId, eventId), runId);

  await send(stack, 'delayed', { id: 'evt_forwarded', type: 'order.paid' });
  await send(stack, 'delayed', { id: 'evt_forwarded', type: 'order.paid' });
  await receiver.waitFor(1, WAIT_MS);
  await replay(stack, 'delayed', 'evt_forwarded');
  await receiver.waitFor(2, WAIT_MS);
  const forwarded = handle('delayed', 'evt_forwarded');
  await forwarded.result();

  await send(stack, 'fanout', { id: 'evt_fanout', type: 'order.created' });
  await receiver.waitFor(3, WAIT_MS);
  const fanout = handle('fanout', 'evt_fanout');
  const closedRun = (await fanout.describe()).runId;
  await fanout.result();
  await replay(stack, 'fanout', 'evt_fanout');
  await receiver.waitFor(4, WAIT_MS);
  const replayedRun = (await fanout.describe()).runId;
  if (replayedRun === closedRun) throw new Error('the replay did not start a new run');
  const replayed = handle('fanout', 'evt_fanout', replayedRun);
  await replayed.result();

  return {
    'ingest-forwarded': forwarded,
    'ingest-fanout': handle('fanout', 'evt_fanout', closedRun),
    'ingest-replayed-closed': replayed,
  } satisfies Record<string, WorkflowHandle>;
}

const verification = { scheme: 'hmac-sha256' as const, secrets: [SECRET] };

recordAgainstReceiver(
  {
    project: (baseUrl) => ({
      id: PROJECT,
      baseUrl,
      sources: [
        {
          id: 'delayed',
          verification,
          eventId: { pointer: '/id' },
          dedupeWindowSecs: 4,
          forward: { targets: [{ path: '/delayed' }], delaySecs: 1 },
        },
        {
          id: 'fanout',
          verification,
          eventId: { pointer: '/id' },
          dedupeWindowSecs: 1,
          forward: { fanout: true },
        },
      ],
    }),
  },
  drive,
);
