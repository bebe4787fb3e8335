import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentFacts } from '../../src/metrics/recent-facts';

describe('RecentFacts', () => {
  it('tells a fact new once, and forgets the oldest beyond its capacity', () => {
    const facts = new RecentFacts(2);
    assert.equal(facts.isNew('a'), true);
    assert.equal(facts.isNew('a'), false);
    assert.equal(facts.isNew('b'), true);
    assert.equal(facts.isNew('c'), true);
    assert.equal(facts.isNew('b'), false, 'still remembered');
    assert.equal(facts.isNew('a'), true, 'forgotten: the oldest of three');
  });
});
