import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCursor, encodeCursor } from '../../src/security/page-cursor';
import { hookListQuery } from '../../src/temporal/visibility-query';

describe('hookListQuery', () => {
  it('always scopes to the project, then adds each filter', () => {
    assert.equal(hookListQuery('shop', {}), 'HookProject = "shop"');
    assert.equal(
      hookListQuery('shop', {
        statuses: ['failed', 'cancelled'],
        pathPrefix: '/orders/',
        postAtAfter: '2030-01-01T00:00:00Z',
        postAtBefore: '2030-02-01T00:00:00Z',
        createdAfter: '2029-01-01T00:00:00Z',
        createdBefore: '2029-02-01T00:00:00Z',
      }),
      'HookProject = "shop" AND HookStatus IN ("failed", "cancelled") AND HookPath STARTS_WITH "/orders/" ' +
        'AND HookPostAt >= "2030-01-01T00:00:00Z" AND HookPostAt < "2030-02-01T00:00:00Z" ' +
        'AND HookCreatedAt >= "2029-01-01T00:00:00Z" AND HookCreatedAt < "2029-02-01T00:00:00Z"',
    );
  });

  it('escapes quotes and backslashes so a filter cannot widen the query', () => {
    assert.equal(
      hookListQuery('shop', { pathPrefix: '/x" OR HookProject = "other\\' }),
      'HookProject = "shop" AND HookPath STARTS_WITH "/x\\" OR HookProject = \\"other\\\\"',
    );
  });
});

describe('list cursors', () => {
  const token = Buffer.from('{"StartTime":"2030-01-01T00:00:00Z","RunID":"r"}');
  const query = 'HookProject = "shop"';

  it('round-trip the page token for the same query and key', () => {
    const cursor = encodeCursor(token, query, 'key');
    assert.match(cursor, /^[\w-]+\.[\w-]+$/);
    assert.deepEqual(decodeCursor(cursor, query, 'key'), token);
  });

  it('are refused for another query, another key, or when tampered with', () => {
    const cursor = encodeCursor(token, query, 'key');
    const [encodedToken, encodedMac] = cursor.split('.') as [string, string];
    assert.equal(decodeCursor(cursor, 'HookProject = "other"', 'key'), undefined);
    assert.equal(decodeCursor(cursor, query, 'another key'), undefined);
    const flipped = (encodedToken.startsWith('e') ? 'f' : 'e') + encodedToken.slice(1);
    assert.equal(decodeCursor(`${flipped}.${encodedMac}`, query, 'key'), undefined);
    assert.equal(decodeCursor(encodedToken, query, 'key'), undefined);
    assert.equal(decodeCursor(`${cursor}.x`, query, 'key'), undefined);
  });
});
