import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidTimeZone, LOCAL_DATE_TIME_PATTERN, resolveLocalTime } from '../../src/domain/local-time';

function resolved(local: string, timeZone: string): string {
  return resolveLocalTime(local, timeZone).toISOString();
}

describe('resolveLocalTime', () => {
  it('resolves Europe/Paris in winter (UTC+1) and summer (UTC+2)', () => {
    assert.equal(resolved('2026-01-15T09:00:00', 'Europe/Paris'), '2026-01-15T08:00:00.000Z');
    assert.equal(resolved('2026-07-15T09:00:00', 'Europe/Paris'), '2026-07-15T07:00:00.000Z');
  });

  it('moves a Europe/Paris time in the spring-forward gap forward by the gap', () => {
    // 02:30 does not exist on that day; one hour later it is 03:30 CEST.
    assert.equal(resolved('2026-03-29T02:30:00', 'Europe/Paris'), '2026-03-29T01:30:00.000Z');
  });

  it('takes the earlier instant of a Europe/Paris time in the fall-back fold', () => {
    // 02:30 happens twice: first in CEST (00:30Z), then in CET (01:30Z).
    assert.equal(resolved('2026-10-25T02:30:00', 'Europe/Paris'), '2026-10-25T00:30:00.000Z');
  });

  it('handles the America/New_York gap and fold', () => {
    // 02:30 EST does not exist: 03:30 EDT.
    assert.equal(resolved('2026-03-08T02:30:00', 'America/New_York'), '2026-03-08T07:30:00.000Z');
    // 01:30 happens first in EDT (05:30Z), then in EST (06:30Z).
    assert.equal(resolved('2026-11-01T01:30:00', 'America/New_York'), '2026-11-01T05:30:00.000Z');
  });

  it('resolves a zone without DST and UTC', () => {
    assert.equal(resolved('2026-03-29T02:30:00', 'Asia/Tokyo'), '2026-03-28T17:30:00.000Z');
    assert.equal(resolved('2026-07-01T12:00:00', 'Asia/Tokyo'), '2026-07-01T03:00:00.000Z');
    assert.equal(resolved('2026-10-25T02:30:00', 'UTC'), '2026-10-25T02:30:00.000Z');
  });

  it('throws a RangeError for an unknown time zone', () => {
    assert.throws(() => resolveLocalTime('2026-01-15T09:00:00', 'Mars/Base'), {
      name: 'RangeError',
      message: 'unknown time zone "Mars/Base": expected an IANA name such as "Europe/Paris"',
    });
    assert.throws(() => resolveLocalTime('2026-01-15T09:00:00', '+01:00'), RangeError);
  });

  it('throws a RangeError for an impossible date', () => {
    assert.throws(() => resolveLocalTime('2026-02-30T10:00:00', 'Europe/Paris'), {
      name: 'RangeError',
      message: 'local time "2026-02-30T10:00:00" is not a calendar date',
    });
    assert.throws(() => resolveLocalTime('2027-02-29T10:00:00', 'UTC'), RangeError);
    assert.equal(resolved('2028-02-29T10:00:00', 'UTC'), '2028-02-29T10:00:00.000Z');
  });

  it('throws a RangeError for a malformed local time', () => {
    for (const local of [
      '2026-01-15 09:00:00',
      '2026-01-15T09:00',
      '2026-01-15T09:00:00Z',
      '2026-01-15T24:00:00',
    ]) {
      assert.throws(() => resolveLocalTime(local, 'UTC'), {
        name: 'RangeError',
        message: `local time "${local}" must look like YYYY-MM-DDTHH:MM:SS`,
      });
    }
  });
});

describe('LOCAL_DATE_TIME_PATTERN', () => {
  it('matches exactly YYYY-MM-DDTHH:MM:SS', () => {
    assert.equal(LOCAL_DATE_TIME_PATTERN.test('2026-12-31T23:59:59'), true);
    assert.equal(LOCAL_DATE_TIME_PATTERN.test('2026-01-01T00:00:00'), true);
    for (const text of [
      '2026-12-31T23:59:59Z',
      '2026-12-31T23:59:59+01:00',
      '2026-12-31T23:59:59.000',
      '2026-12-31T23:59',
      '2026-13-01T00:00:00',
      '2026-12-31T23:59:60',
      ' 2026-12-31T23:59:59',
    ]) {
      assert.equal(LOCAL_DATE_TIME_PATTERN.test(text), false, text);
    }
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names', () => {
    for (const zone of ['Europe/Paris', 'UTC', 'America/New_York', 'Asia/Tokyo', 'Etc/GMT+1']) {
      assert.equal(isValidTimeZone(zone), true, zone);
    }
  });

  it('refuses unknown names, the empty string and fixed offsets', () => {
    for (const zone of ['Mars/Base', '', '+01:00', '-05:00', 'Z', 'Europe/Paris ']) {
      assert.equal(isValidTimeZone(zone), false, zone);
    }
  });
});
