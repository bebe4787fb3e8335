import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chaosProblems } from '../../chaos/result';
import { runChaos } from '../../chaos/scenario';
import { TEST_SETTINGS } from '../../chaos/settings';

/**
 * `npm run chaos` at test size: 300 hooks due over 40 s through the real worker and API processes, while
 * the worker is SIGKILLed every 8 s, and the API process and the Temporal dev server once each. No accepted
 * hook may be lost, and every repeated arrival must follow from a kill.
 */
describe('chaos: processes killed while hooks come due', () => {
  it('loses no hook, and repeats only attempts a kill cut short', { timeout: 150_000 }, async () => {
    const log: string[] = [];
    const result = await runChaos(TEST_SETTINGS, { log: (line) => log.push(line) });
    const { deliveries } = result;
    const context = `run log:\n${log.join('\n')}`;

    assert.deepEqual(chaosProblems(result), [], context);
    assert.equal(deliveries.accepted, TEST_SETTINGS.hooks, context);
    assert.deepEqual(deliveries.lost, [], context);
    assert.equal(deliveries.explainedDuplicates, deliveries.duplicates, context);
    const killed = (part: string) =>
      result.disruptions.filter((disruption) => disruption.part === part && disruption.cause === 'killed');
    assert.ok(killed('worker').length >= 4, context);
    assert.equal(killed('api').length, 1, context);
    assert.equal(killed('temporal').length, 1, context);
  });
});
