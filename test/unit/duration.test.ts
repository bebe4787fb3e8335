import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_POST_IN_MS, parseDuration } from '../../src/domain/duration';

describe('parseDuration', () => {
  const valid: [string, number][] = [
    ['30s', 30_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1d2h30m45s', 95_445_000],
    ['0s', 0],
    ['2h5s', 7_205_000],
    ['365d', MAX_POST_IN_MS],
    ['999999999s', 999_999_999_000],
  ];
  for (const [text, ms] of valid) {
    it(`reads ${JSON.stringify(text)} as ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }

  const invalid = [
    '',
    '1x',
    '1h1h',
    'm',
    '1.5h',
    '-1s',
    '1s1h',
    '1m1d',
    ' 1s',
    '1s ',
    '1 h',
    '1H',
    '30',
    's30',
  ];
  for (const text of invalid) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.equal(parseDuration(text), null);
    });
  }

  it('refuses more than nine digits for a unit instead of overflowing', () => {
    assert.equal(parseDuration('1234567890s'), null);
    assert.equal(parseDuration(`${'9'.repeat(400)}d`), null);
  });

  it('leaves the 365-day limit to the caller', () => {
    assert.equal(parseDuration('366d'), 366 * 86_400_000);
    assert.equal(MAX_POST_IN_MS, 31_536_000_000);
  });
});
