/**
 * Records real Temporal histories of fan-out, as JSON fixtures for replay.test.ts:
 *
 *   npx tsx test/workflows/record-fanout-histories.ts [outDir]
 *
 * Through the real API, against a receiver on 127.0.0.1: a project's subscriptions are created, changed and
 * deleted, then added to until the subscriptions workflow hands its list to a new run
 * (`subscriptions-continued`: the first run, closed by continue-as-new); one event fans out to two
 * subscriptions whose hooks are delivered (`event-fanout`), and one matches none (`event-unmatched`). The
 * subscriptions workflow runs as long as its project, so these are kept like the endpoint fixtures (see
 * histories/README.md). Nothing is written unless every step reached its state.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { eventWorkflowId } from '../../src/workflows/event-record';
import { subscriptionsWorkflowId } from '../../src/workflows/subscription-record';
import type { TestReceiver } from '../support/receiver';
import type { TestStack } from '../support/stack';
import { recordAgainstReceiver } from './support/history-fixture';

const PROJECT = 'rec-fanout';
const WAIT_MS = 20_000;
/** More changes than one run of the subscriptions workflow takes (MAX_CHANGES_PER_RUN). */
const CHANGES_PAST_A_RUN = 210;

async function drive(stack: TestStack, receiver: TestReceiver) {
  const api = stack.api(PROJECT);
  const orders = await api.subscriptions.create({ path: '/orders', eventTypes: ['order.*'] });
  const gold = await api.subscriptions.create({
    path: '/gold',
    eventTypes: ['**'],
    filter: { 'customer.tier': 'gold' },
  });
  const dropped = await api.subscriptions.create({ path: '/dropped', eventTypes: ['order.created'] });
  await api.subscriptions.update(gold.id, { description: 'gold customers', enabled: true });
  await api.subscriptions.delete(dropped.id);
  const handle = stack.client.workflow.getHandle(subscriptionsWorkflowId(PROJECT));
  const firstRun = (await handle.describe()).runId;

  const { event } = await api.events.publish({ type: 'order.created', data: { customer: { tier: 'gold' } } });
  if (event.hookIds.length !== 2) throw new Error(`expected 2 hooks, got ${event.hookIds.join()}`);
  await receiver.waitFor(2, WAIT_MS);
  for (const hookId of event.hookIds) {
    await stack.waitForHook(PROJECT, hookId, (hook) => hook.status === 'completed', WAIT_MS);
  }
  const unmatched = (await api.events.publish({ type: 'nobody.listens' })).event;
  const eventHandle = stack.client.workflow.getHandle(eventWorkflowId(PROJECT, event.id));
  const unmatchedHandle = stack.client.workflow.getHandle(eventWorkflowId(PROJECT, unmatched.id));
  await Promise.all([eventHandle.result(), unmatchedHandle.result()]);

  for (let change = 5; change < CHANGES_PAST_A_RUN; change++) {
    await api.subscriptions.update(orders.id, { description: `change ${change}` });
  }
  const latest = await handle.describe();
  if (latest.runId === firstRun) throw new Error('the subscriptions workflow never continued as new');
  if ((await api.subscriptions.list()).length !== 2) throw new Error('the list was not carried over');
  return {
    'subscriptions-continued': stack.client.workflow.getHandle(subscriptionsWorkflowId(PROJECT), firstRun),
    'event-fanout': eventHandle,
    'event-unmatched': unmatchedHandle,
  } satisfies Record<string, WorkflowHandle>;
}

recordAgainstReceiver({ project: (baseUrl) => ({ id: PROJECT, baseUrl }) }, drive);
