import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfter } from '../../src/domain/retry-after';

const now = new Date('2015-10-21T07:28:00.000Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter(' 5 ', now), 5000);
  });

  it('keeps an enormous delay-seconds finite', () => {
    assert.equal(parseRetryAfter('9'.repeat(400), now), Number.MAX_SAFE_INTEGER);
  });

  it('reads an IMF-fixdate as the time until then', () => {
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:30:30 GMT', now), 150_000);
    assert.equal(parseRetryAfter('Thu, 22 Oct 2015 07:28:00 GMT', now), 86_400_000);
  });

  it('reads the obsolete RFC 850 and asctime forms as GMT', () => {
    // asctime has no zone, so the test runs away from UTC to catch a date read as local time.
    const zone = process.env.TZ;
    process.env.TZ = 'Pacific/Auckland';
    try {
      assert.equal(parseRetryAfter('Wednesday, 21-Oct-15 07:29:00 GMT', now), 60_000);
      assert.equal(parseRetryAfter('Wed Oct 21 07:29:00 2015', now), 60_000);
      assert.equal(
        parseRetryAfter('Thu Oct  1 07:28:00 2015', new Date('2015-09-30T07:28:00.000Z')),
        86_400_000,
      );
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('clamps a past date to 0', () => {
    assert.equal(parseRetryAfter('Tue, 20 Oct 2015 07:28:00 GMT', now), 0);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now), 0);
  });

  it('is undefined for a missing or unreadable header', () => {
    for (const header of [
      undefined,
      '',
      '-1',
      '1.5',
      '1e3',
      'soon',
      '2015-10-21T07:30:00Z',
      'Wed, 21 Foo 2015 07:30:00 GMT',
      'Wed, 21 Oct 2015 25:30:00 GMT',
      'Wed, 21 Oct 2015 07:30:00',
      '21 Oct 2015 07:30:00 GMT',
    ]) {
      assert.equal(parseRetryAfter(header, now), undefined, header);
    }
  });
});
