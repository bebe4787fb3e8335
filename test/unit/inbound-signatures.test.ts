import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { sourceConfigSchema, type SourceVerification } from '../../src/config/source-schema';
import {
  constantTimeEquals,
  type InboundRequest,
  verifyInboundSignature,
} from '../../src/security/inbound-signatures';
import { generateSigningSecret } from '../../src/security/signing';

const NOW = new Date('2026-11-25T03:00:00Z');
const NOW_SECS = NOW.getTime() / 1000;
const BODY = '{"id":"evt_1","type":"order.paid"}';

/** A source's verification with the schema's defaults, as the config gives it. */
function rule(verification: Record<string, unknown>): SourceVerification {
  return sourceConfigSchema.parse({ id: 's', verification, forward: { fanout: true } }).verification;
}

function request(headers: Record<string, string>, body = BODY): InboundRequest {
  return { header: (name) => headers[name], body: Buffer.from(body) };
}

const hex = (secret: string, content: string) => createHmac('sha256', secret).update(content).digest('hex');

describe('inbound signature verification', () => {
  it("accepts the seeds' HMAC-SHA256 example: hex of the body in X-Signature", () => {
    // As the seed writes it: createHmac('sha256', secret).update(payload).digest('hex').
    const seed = rule({ scheme: 'hmac-sha256', secrets: ['my-shared-secret'], header: 'X-Signature' });
    assert.deepEqual(
      verifyInboundSignature(seed, request({ 'x-signature': hex('my-shared-secret', BODY) }), NOW),
      {
        ok: true,
      },
    );
    const refused = verifyInboundSignature(seed, request({ 'x-signature': hex('other-secret', BODY) }), NOW);
    assert.equal(refused.ok || refused.reason, 'signature_invalid');
    const tampered = verifyInboundSignature(
      seed,
      request({ 'x-signature': hex('my-shared-secret', BODY) }, `${BODY} `),
      NOW,
    );
    assert.equal(tampered.ok || tampered.reason, 'signature_invalid');
    const missing = verifyInboundSignature(seed, request({}), NOW);
    assert.equal(missing.ok || missing.reason, 'signature_missing');
  });

  it('accepts GitHub: a sha256= prefix, digits in either case; refuses a missing prefix', () => {
    const github = rule({
      scheme: 'hmac-sha256',
      secrets: ['gh-secret-1'],
      header: 'X-Hub-Signature-256',
      prefix: 'sha256=',
    });
    const digest = hex('gh-secret-1', BODY);
    for (const value of [`sha256=${digest}`, `sha256=${digest.toUpperCase()}`]) {
      assert.equal(verifyInboundSignature(github, request({ 'x-hub-signature-256': value }), NOW).ok, true);
    }
    const bare = verifyInboundSignature(github, request({ 'x-hub-signature-256': digest }), NOW);
    assert.equal(bare.ok || bare.reason, 'signature_invalid');
  });

  it('accepts base64 digests, and a signed timestamp header within the tolerance only', () => {
    const timed = rule({
      scheme: 'hmac-sha256',
      secrets: ['timed-secret'],
      header: 'x-sig',
      encoding: 'base64',
      timestampHeader: 'x-ts',
    });
    const sign = (t: number) => ({
      'x-sig': createHmac('sha256', 'timed-secret').update(`${t}.${BODY}`).digest('base64'),
      'x-ts': String(t),
    });
    assert.deepEqual(verifyInboundSignature(timed, request(sign(NOW_SECS - 299)), NOW), {
      ok: true,
      timestamp: NOW_SECS - 299,
    });
    for (const t of [NOW_SECS - 301, NOW_SECS + 301]) {
      const stale = verifyInboundSignature(timed, request(sign(t)), NOW);
      assert.equal(stale.ok || stale.reason, 'timestamp_stale');
    }
    const notANumber = verifyInboundSignature(timed, request({ ...sign(NOW_SECS), 'x-ts': 'soon' }), NOW);
    assert.equal(notANumber.ok || notANumber.reason, 'timestamp_invalid');
  });

  it('accepts Stripe: t= and any of several v1=, within 5 minutes either way', () => {
    const stripe = rule({ scheme: 'stripe', secrets: ['whsec_stripe_old', 'whsec_stripe_new'] });
    const header = (t: number, secret: string) => ({
      'stripe-signature': `t=${t},v1=${'0'.repeat(64)},v1=${hex(secret, `${t}.${BODY}`)}`,
    });
    assert.deepEqual(verifyInboundSignature(stripe, request(header(NOW_SECS, 'whsec_stripe_new')), NOW), {
      ok: true,
      timestamp: NOW_SECS,
    });
    assert.equal(
      verifyInboundSignature(stripe, request(header(NOW_SECS + 300, 'whsec_stripe_old')), NOW).ok,
      true,
    );
    for (const t of [NOW_SECS - 301, NOW_SECS + 301]) {
      const stale = verifyInboundSignature(stripe, request(header(t, 'whsec_stripe_new')), NOW);
      assert.equal(stale.ok || stale.reason, 'timestamp_stale');
    }
    const noTime = verifyInboundSignature(stripe, request({ 'stripe-signature': 'v1=abc' }), NOW);
    assert.equal(noTime.ok || noTime.reason, 'signature_missing');
    const unknownSecret = verifyInboundSignature(stripe, request(header(NOW_SECS, 'whsec_other')), NOW);
    assert.equal(unknownSecret.ok || unknownSecret.reason, 'signature_invalid');
  });

  it('accepts Standard Webhooks as the standardwebhooks package signs, with either rotated secret', () => {
    const oldSecret = generateSigningSecret();
    const newSecret = generateSigningSecret();
    const standard = rule({ scheme: 'standard-webhooks', secrets: [oldSecret, newSecret] });
    const signed = (secret: string, at: Date) => ({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_1', at, BODY),
    });
    for (const secret of [oldSecret, newSecret]) {
      assert.equal(verifyInboundSignature(standard, request(signed(secret, NOW)), NOW).ok, true);
    }
    // Several signatures in one header, as a sender rotating its own secret sends them.
    const both = signed(newSecret, NOW);
    both['webhook-signature'] = `v1,${'A'.repeat(44)} ${both['webhook-signature']}`;
    assert.equal(verifyInboundSignature(standard, request(both), NOW).ok, true);
    const forged = verifyInboundSignature(standard, request(signed(generateSigningSecret(), NOW)), NOW);
    assert.equal(forged.ok || forged.reason, 'signature_invalid');
    const late = verifyInboundSignature(
      standard,
      request(signed(newSecret, new Date(NOW.getTime() - 301_000))),
      NOW,
    );
    assert.equal(late.ok || late.reason, 'timestamp_stale');
    const early = verifyInboundSignature(
      standard,
      request(signed(newSecret, new Date(NOW.getTime() + 301_000))),
      NOW,
    );
    assert.equal(early.ok || early.reason, 'timestamp_stale');
    const { 'webhook-id': _id, ...withoutId } = signed(newSecret, NOW);
    const missing = verifyInboundSignature(standard, request(withoutId), NOW);
    assert.equal(missing.ok || missing.reason, 'signature_missing');
  });

  it('compares in constant time: equal strings only, unequal lengths without a throw', () => {
    assert.equal(constantTimeEquals('abc', 'abc'), true);
    assert.equal(constantTimeEquals('abd', 'abc'), false);
    assert.equal(constantTimeEquals('ab', 'abc'), false);
    assert.equal(constantTimeEquals('abcd', 'abc'), false);
    assert.equal(constantTimeEquals('', 'abc'), false);
    assert.equal(constantTimeEquals('é', 'e'), false);
  });
});
