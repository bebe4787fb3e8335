import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationText, spanText } from '../../src/lib/durations';

describe('spanText', () => {
  it('shows whole seconds by their two largest units, the second one even when zero', () => {
    assert.equal(spanText(999), '0s');
    assert.equal(spanText(45_000), '45s');
    assert.equal(spanText(72_500), '1m 12s');
    assert.equal(spanText(3_780_000), '1h 3m');
    assert.equal(spanText(7_200_000), '2h 0m');
    assert.equal(spanText(3 * 86_400_000 + 4 * 3_600_000 + 5000), '3d 4h');
  });
});

describe('durationText', () => {
  it('keeps the fraction below a minute, then reads as a span', () => {
    assert.equal(durationText(349.6), '350ms');
    assert.equal(durationText(999.6), '1.0s');
    assert.equal(durationText(4240), '4.2s');
    assert.equal(durationText(59_940), '59.9s');
    assert.equal(durationText(59_960), '1m 0s');
    assert.equal(durationText(72_500), '1m 12s');
  });
});
