import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateSigningSecret, isValidSigningSecret, signPayload } from '../../src/security/signing';

// Fixed keys (bytes 0..31 and 32..63), so that the expected signature below can be checked by hand.
const SECRET_A = `whsec_${Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64')}`;
const SECRET_B = `whsec_${Buffer.from(Array.from({ length: 32 }, (_, i) => i + 32)).toString('base64')}`;
const MSG_ID = 'hook_2f7c';
const BODY = JSON.stringify({ id: MSG_ID, data: { order: 42 } });

function verify(secret: string, body: string, timestamp: number, signature: string): unknown {
  return new Webhook(secret).verify(body, {
    'webhook-id': MSG_ID,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  });
}

// The library refuses timestamps more than five minutes from its own clock.
function nowSecs(): number {
  return Math.floor(Date.now() / 1000);
}

describe('signPayload', () => {
  it('produces the Standard Webhooks v1 signature', () => {
    const signature = signPayload({
      secrets: [SECRET_A],
      msgId: MSG_ID,
      timestamp: 1_700_000_000,
      body: BODY,
    });
    assert.equal(signature, new Webhook(SECRET_A).sign(MSG_ID, new Date(1_700_000_000_000), BODY));
    assert.match(signature, /^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('is verified by the standardwebhooks library', () => {
    const timestamp = nowSecs();
    const signature = signPayload({ secrets: [SECRET_A], msgId: MSG_ID, timestamp, body: BODY });
    assert.deepEqual(verify(SECRET_A, BODY, timestamp, signature), { id: MSG_ID, data: { order: 42 } });
  });

  it('signs once per secret, so either secret alone verifies', () => {
    const timestamp = nowSecs();
    const signature = signPayload({ secrets: [SECRET_A, SECRET_B], msgId: MSG_ID, timestamp, body: BODY });
    const parts = signature.split(' ');
    assert.equal(parts.length, 2);
    assert.equal(parts[0], signPayload({ secrets: [SECRET_A], msgId: MSG_ID, timestamp, body: BODY }));
    assert.equal(parts[1], signPayload({ secrets: [SECRET_B], msgId: MSG_ID, timestamp, body: BODY }));
    assert.notEqual(parts[0], parts[1]);
    assert.doesNotThrow(() => verify(SECRET_A, BODY, timestamp, signature));
    assert.doesNotThrow(() => verify(SECRET_B, BODY, timestamp, signature));
    assert.throws(() => verify(generateSigningSecret(), BODY, timestamp, signature), /No matching signature/);
  });

  it('does not verify a tampered body', () => {
    const timestamp = nowSecs();
    const signature = signPayload({ secrets: [SECRET_A], msgId: MSG_ID, timestamp, body: BODY });
    const tampered = BODY.replace('42', '43');
    assert.throws(() => verify(SECRET_A, tampered, timestamp, signature), /No matching signature/);
  });

  it('throws without secrets or with a malformed one', () => {
    assert.throws(() => signPayload({ secrets: [], msgId: MSG_ID, timestamp: 1, body: BODY }), {
      message: 'at least one signing secret is needed to sign a payload',
    });
    assert.throws(
      () => signPayload({ secrets: [SECRET_A, 'whsec_short'], msgId: MSG_ID, timestamp: 1, body: BODY }),
      {
        message: 'a signing secret is not a valid whsec_ secret',
      },
    );
  });
});

describe('isValidSigningSecret', () => {
  const key = (bytes: number): string => Buffer.alloc(bytes, 7).toString('base64');

  it('accepts whsec_ + padded base64 of 24 to 64 bytes', () => {
    assert.equal(isValidSigningSecret(SECRET_A), true);
    assert.equal(isValidSigningSecret(`whsec_${key(24)}`), true);
    assert.equal(isValidSigningSecret(`whsec_${key(64)}`), true);
    assert.equal(isValidSigningSecret(`whsec_${key(25)}`), true);
  });

  it('refuses a missing prefix, a bad alphabet, bad padding and a wrong key length', () => {
    for (const secret of [
      key(32),
      `whsk_${key(32)}`,
      `WHSEC_${key(32)}`,
      `whsec_${key(23)}`,
      `whsec_${key(65)}`,
      `whsec_${key(32).replace('B', '-')}`,
      `whsec_${key(32)}=`,
      `whsec_${key(32).replace(/=+$/, '')}`,
      `whsec_${key(32)} `,
      `whsec_${key(32).slice(0, -3)}`,
      'whsec_',
      '',
    ]) {
      assert.equal(isValidSigningSecret(secret), false, secret);
    }
  });
});

describe('generateSigningSecret', () => {
  it('returns a valid secret of 32 random bytes', () => {
    const secret = generateSigningSecret();
    assert.equal(isValidSigningSecret(secret), true);
    assert.equal(Buffer.from(secret.slice('whsec_'.length), 'base64').length, 32);
    assert.notEqual(generateSigningSecret(), secret);
  });
});
