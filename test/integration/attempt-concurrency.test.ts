import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

const SLOTS = 4;
const HOLD_MS = 1_000;

/** The most requests the receiver held at once, each from its arrival until it answered. */
function maxInFlight(arrivalTimes: number[]): number {
  const edges = arrivalTimes.flatMap((at) => [
    { at, change: 1 },
    { at: at + HOLD_MS, change: -1 },
  ]);
  // At equal times an answer goes before an arrival: a slot freed is what lets the next request in.
  edges.sort((a, b) => a.at - b.at || a.change - b.change);
  let current = 0;
  let most = 0;
  for (const edge of edges) {
    current += edge.change;
    most = Math.max(most, current);
  }
  return most;
}

/**
 * A worker runs as many attempts at once as `worker.maxConcurrentAttempts` says: no more, and, with
 * hooks waiting, no fewer. A sync attempt holds its workflow task's slot, so too few slots once left no
 * room for the task polls and a burst of slow deliveries went out one at a time.
 */
describe('attempts at once', () => {
  let stack: TestStack;
  let receiver: TestReceiver;

  before(async () => {
    receiver = await TestReceiver.start(() => ({ status: 200, delayMs: HOLD_MS }));
    stack = await TestStack.start([{ id: 'slots', allowUrlTargets: true }], { maxConcurrentAttempts: SLOTS });
  });
  after(async () => {
    await stack.close();
    await receiver.close();
  });

  it(
    'fills every slot and never more, with slow receivers and hooks waiting',
    { timeout: 120_000 },
    async () => {
      const hooks = 6 * SLOTS;
      const postAt = new Date(Date.now() + 3_000).toISOString();
      for (let index = 0; index < hooks; index++) {
        await stack.schedule('slots', { url: `${receiver.url}/slow/${index}`, postAt });
      }
      const arrivals = await receiver.waitFor(hooks, 90_000);
      assert.equal(new Set(arrivals.map((arrival) => arrival.headers['webhook-id'])).size, hooks);
      assert.equal(maxInFlight(arrivals.map((arrival) => arrival.at)), SLOTS);
    },
  );
});
