import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignalBatcher } from '../../src/endpoints/signal-batcher';

describe('SignalBatcher', () => {
  it('sends what comes for one workflow within its window as one batch, per workflow', async () => {
    const sent: Array<[string, number[]]> = [];
    const batcher = new SignalBatcher<number>(
      (workflowId, items) => {
        sent.push([workflowId, items]);
        return Promise.resolve();
      },
      { windowMs: 20, onError: () => assert.fail('no error expected') },
    );
    const results = await Promise.all([
      batcher.add('a', 1),
      batcher.add('b', 10),
      batcher.add('a', 2),
      batcher.add('a', 3),
    ]);
    assert.deepEqual(results, [true, true, true, true]);
    assert.deepEqual(sent, [
      ['a', [1, 2, 3]],
      ['b', [10]],
    ]);
    // A later item starts a batch of its own.
    assert.equal(await batcher.add('a', 4), true);
    assert.deepEqual(sent.at(-1), ['a', [4]]);
  });

  it('tells every caller of a batch that could not be sent, and reports the error once', async () => {
    const errors: string[] = [];
    const batcher = new SignalBatcher<string>(() => Promise.reject(new Error('workflow not found')), {
      windowMs: 5,
      onError: (error, workflowId) => errors.push(`${workflowId}: ${(error as Error).message}`),
    });
    assert.deepEqual(await Promise.all([batcher.add('gone', 'x'), batcher.add('gone', 'y')]), [false, false]);
    assert.deepEqual(errors, ['gone: workflow not found']);
  });
});
