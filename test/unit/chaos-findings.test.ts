import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Disruption, planKills } from '../../chaos/disruptor';
import { deliveryFindings, type FindingsInput } from '../../chaos/findings';
import { TEST_SETTINGS } from '../../chaos/settings';

const hook = (id: string, dueAt: number) => ({ id, dueAt });
const kill = (part: Disruption['part'], downAt: number, readyAt: number): Disruption => ({
  part,
  cause: 'killed',
  downAt,
  readyAt,
});

function findings(overrides: Partial<FindingsInput>) {
  return deliveryFindings({
    accepted: [],
    arrivals: [],
    disruptions: [],
    attemptDeadlineMs: 10_000,
    settleMs: 1_000,
    ...overrides,
  });
}

describe('chaos findings', () => {
  it('explains a repeat whose first arrival was in flight when a worker or the server was killed', () => {
    const result = findings({
      accepted: [hook('a', 0), hook('b', 0)],
      arrivals: [
        { hookId: 'a', at: 5_000 },
        { hookId: 'b', at: 7_200 },
        { hookId: 'a', at: 20_000 },
        { hookId: 'b', at: 21_000 },
      ],
      disruptions: [kill('worker', 6_000, 9_000), kill('temporal', 7_500, 12_000)],
    });
    assert.equal(result.duplicates, 2);
    assert.equal(result.explainedDuplicates, 2);
    assert.deepEqual(
      result.repeated.map((repeated) => repeated.explainedBy.map((disruption) => disruption?.part)),
      [['worker'], ['temporal']],
    );
  });

  it('does not explain a repeat by an API kill, by a kill after it, or by one long after the first arrival', () => {
    const result = findings({
      accepted: [hook('a', 0), hook('b', 0), hook('c', 0)],
      arrivals: [
        { hookId: 'a', at: 1_000 },
        { hookId: 'a', at: 1_800 },
        { hookId: 'b', at: 15_000 },
        { hookId: 'b', at: 16_000 },
        { hookId: 'c', at: 1_000 },
        { hookId: 'c', at: 30_000 },
      ],
      disruptions: [kill('api', 1_500, 2_500), kill('worker', 20_000, 22_000)],
    });
    assert.equal(result.duplicates, 3);
    assert.equal(result.explainedDuplicates, 0);
  });

  it('counts lost hooks, arrivals of unknown hooks, and the time from the last recovery to the last delivery', () => {
    const result = findings({
      accepted: [hook('a', 0), hook('b', 0)],
      arrivals: [
        { hookId: 'a', at: 9_000 },
        { hookId: 'x', at: 9_500 },
      ],
      disruptions: [kill('worker', 1_000, 4_000)],
    });
    assert.deepEqual(result.lost, ['b']);
    assert.equal(result.delivered, 1);
    assert.equal(result.unexpected, 1);
    assert.equal(result.lastRecoveryToLastDeliveryMs, 5_000);
  });

  it('measures lateness while healthy over the hooks due outside every disruption, lead-in and settling', () => {
    const result = findings({
      accepted: [
        hook('before', 500),
        hook('just-before', 1_500),
        hook('during', 3_000),
        hook('settling', 4_500),
        hook('after', 6_000),
      ],
      arrivals: [
        { hookId: 'before', at: 600 },
        { hookId: 'just-before', at: 5_000 },
        { hookId: 'during', at: 5_000 },
        { hookId: 'settling', at: 5_000 },
        { hookId: 'after', at: 6_300 },
      ],
      disruptions: [kill('worker', 2_000, 4_000)],
    });
    assert.equal(result.healthyLatenessMs.count, 2);
    assert.equal(result.healthyLatenessMs.max, 300);
    assert.equal(result.latenessMs.count, 5);
    assert.equal(result.latenessMs.max, 3_500);
  });
});

describe('chaos kill plan', () => {
  it('kills the worker on a fixed interval, and the API and the server once each between two worker kills', () => {
    const kills = planKills(TEST_SETTINGS, 0);
    const workerKills = kills.filter((planned) => planned.part === 'worker').map((planned) => planned.at);
    assert.deepEqual(workerKills, [8_000, 16_000, 24_000, 32_000]);
    assert.deepEqual(
      kills.filter((planned) => planned.part !== 'worker'),
      [
        { at: 12_000, part: 'api' },
        { at: 28_000, part: 'temporal' },
      ],
    );
    assert.deepEqual(
      kills.map((planned) => planned.at),
      [...kills.map((planned) => planned.at)].sort((a, b) => a - b),
    );
  });
});
