import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  batchIdFromUuid,
  dataBytesOf,
  flushDueAt,
  type GatheredMember,
  isBatchFull,
  judgeBatchAttempt,
  MAX_BATCH_DATA_BYTES,
  nextBatchSize,
} from '../../src/domain/batch';
import type { RetryPolicy } from '../../src/domain/hook';
import { DEFAULT_RETRY_POLICY } from '../../src/domain/retry-policy';
import { signedBatchDelivery, signedDelivery } from '../../src/security/signed-delivery';
import { generateSigningSecret } from '../../src/security/signing';

function members(count: number, dataBytes = 10, firstArrivedAt = 1_000): GatheredMember[] {
  return Array.from({ length: count }, (_, i) => ({
    hookId: `hk_${i}`,
    workflowId: `hook:p:hk_${i}`,
    path: '/x',
    postAt: '2026-01-01T00:00:00.000Z',
    createdAt: '2026-01-01T00:00:00.000Z',
    data: { i },
    arrivedAt: firstArrivedAt + i,
    dataBytes,
  }));
}

describe('nextBatchSize and isBatchFull', () => {
  it('takes up to maxSize members, in arrival order', () => {
    assert.equal(nextBatchSize(members(250), 100), 100);
    assert.equal(nextBatchSize(members(50), 100), 50);
    assert.equal(nextBatchSize([], 100), 0);
  });

  it('is full at maxSize members, not before', () => {
    assert.equal(isBatchFull(members(99), 100), false);
    assert.equal(isBatchFull(members(100), 100), true);
    assert.equal(isBatchFull(members(1), 1), true);
    assert.equal(isBatchFull([], 1), false);
  });

  it('stops at the data budget, but always takes one member', () => {
    const big = members(3, MAX_BATCH_DATA_BYTES / 2);
    assert.equal(nextBatchSize(big, 100), 2);
    assert.equal(isBatchFull(big, 100), true);
    assert.equal(isBatchFull(big.slice(0, 2), 100), false);
    assert.equal(nextBatchSize(members(2, MAX_BATCH_DATA_BYTES * 2), 100), 1);
  });
});

describe('flushDueAt', () => {
  it('is the window after the first member of the gathering', () => {
    assert.equal(flushDueAt(members(5, 10, 7_000), 30), 37_000);
    assert.equal(flushDueAt(members(1, 10, 7_000), 0.5), 7_500);
    assert.equal(flushDueAt([], 30), undefined);
  });
});

describe('dataBytesOf', () => {
  it('counts the UTF-8 bytes of the JSON, null for no data', () => {
    assert.equal(dataBytesOf(undefined), 4);
    assert.equal(dataBytesOf({ a: 'é' }), Buffer.byteLength(JSON.stringify({ a: 'é' })));
    assert.equal(dataBytesOf('😀'), Buffer.byteLength('"😀"'));
  });
});

describe('batchIdFromUuid', () => {
  it('is bat_ and the 32 hex digits of the uuid', () => {
    assert.equal(
      batchIdFromUuid('0f8e4c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6'),
      'bat_0f8e4c3a1b2c4d5e8f90a1b2c3d4e5f6',
    );
  });
});

describe('judgeBatchAttempt', () => {
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    strategy: 'fixed',
    delaySecs: 2,
    maxAttempts: 3,
    jitter: 0,
  };

  it('ends on success, on a permanent failure, or when attempts run out', () => {
    assert.deepEqual(judgeBatchAttempt(policy, 1, { outcome: 'success', permanent: false }, 0.5), {
      final: true,
    });
    assert.deepEqual(judgeBatchAttempt(policy, 1, { outcome: 'failure', permanent: true }, 0.5), {
      final: true,
    });
    assert.deepEqual(judgeBatchAttempt(policy, 3, { outcome: 'failure', permanent: false }, 0.5), {
      final: true,
    });
  });

  it('retries a failure after the policy delay, raised to Retry-After', () => {
    assert.deepEqual(judgeBatchAttempt(policy, 1, { outcome: 'timeout', permanent: false }, 0.5), {
      final: false,
      delayMs: 2_000,
    });
    assert.deepEqual(
      judgeBatchAttempt(policy, 2, { outcome: 'failure', permanent: false, retryAfterMs: 60_000 }, 0.5),
      { final: false, delayMs: 60_000 },
    );
  });
});

describe('signedBatchDelivery', () => {
  it('sends each member exactly as its own delivery, in one array signed under the batch id', () => {
    const secret = generateSigningSecret();
    // Now: a Standard Webhooks library refuses a timestamp minutes away from its clock.
    const sentAt = new Date();
    const options = { secrets: [secret], userAgent: 'hookrelay/test', sentAt };
    const batch = { batchId: 'bat_1', attempt: 2, members: members(3) };
    const { headers, body } = signedBatchDelivery(batch, options);

    const singles = batch.members.map(
      (member) => JSON.parse(signedDelivery({ ...member, attempt: 2 }, options).body) as unknown,
    );
    assert.deepEqual(JSON.parse(body), singles);
    assert.equal(headers['webhook-id'], 'bat_1');
    assert.equal(headers['hook-attempt'], '2');
    assert.equal(headers['hook-batch-size'], '3');
    const verified = new Webhook(secret).verify(body, headers);
    assert.equal((verified as unknown[]).length, 3);
  });
});
