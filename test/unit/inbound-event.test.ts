import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SourceConfig, sourceConfigSchema } from '../../src/config/source-schema';
import { configSchema } from '../../src/config/schema';
import {
  bodyHash,
  buildEnvelope,
  forwardHookId,
  parsePayload,
  valueAtPointer,
} from '../../src/domain/inbound-event';
import { InboundEventError } from '../../src/domain/errors';
import { hashApiKey } from '../../src/security/api-keys';
import { generateSigningSecret } from '../../src/security/signing';
import {
  outcomeOf,
  receivedRecord,
  withDuplicate,
  withForward,
  MAX_LOG_ENTRIES,
} from '../../src/workflows/ingest-record';

const RECEIVED = new Date('2026-11-25T03:00:00.000Z');

function source(fields: Record<string, unknown>): SourceConfig {
  return sourceConfigSchema.parse({ id: 'shop-store', forward: { targets: [{ path: '/in' }] }, ...fields });
}

function envelopeOf(
  src: SourceConfig,
  body: unknown,
  headers: Record<string, string> = {},
  signedAt?: number,
) {
  const raw = Buffer.from(JSON.stringify(body));
  return buildEnvelope(
    src,
    { header: (name) => headers[name], payload: parsePayload(raw), bodyHash: bodyHash(raw), signedAt },
    RECEIVED,
  );
}

const hmacRule = { scheme: 'hmac-sha256', secrets: ['secret-1234'] };

describe('inbound events: the envelope and its fields', () => {
  it("wraps a verified request in the seeds' envelope", () => {
    const body = { id: 'evt_12345', type: 'order.paid', occurred: '2026-01-01T12:34:56Z' };
    const envelope = envelopeOf(
      source({ verification: hmacRule, eventId: { pointer: '/id' }, occurredAt: { pointer: '/occurred' } }),
      body,
    );
    assert.deepEqual(envelope, {
      eventId: 'evt_12345',
      eventType: 'order.paid',
      source: 'shop-store',
      occurredAt: '2026-01-01T12:34:56.000Z',
      receivedAt: '2026-11-25T03:00:00.000Z',
      payload: body,
      processing: { status: 'received', attempts: 0 },
    });
  });

  it('takes each scheme’s defaults: webhook-id and the signed time, Stripe’s /id and /created, a body hash', () => {
    const standard = envelopeOf(
      source({ verification: { scheme: 'standard-webhooks', secrets: [generateSigningSecret()] } }),
      { type: 'user.created' },
      { 'webhook-id': 'msg_1' },
      1_767_225_600,
    );
    assert.deepEqual(
      [standard.eventId, standard.eventType, standard.occurredAt],
      ['msg_1', 'user.created', '2026-01-01T00:00:00.000Z'],
    );
    const stripe = envelopeOf(source({ verification: { scheme: 'stripe', secrets: ['whsec_x_secret'] } }), {
      id: 'evt_1',
      type: 'invoice.paid',
      created: 1_767_225_600,
    });
    assert.deepEqual([stripe.eventId, stripe.occurredAt], ['evt_1', '2026-01-01T00:00:00.000Z']);
    const hashed = envelopeOf(source({ verification: hmacRule }), { any: 1 });
    const again = envelopeOf(source({ verification: hmacRule }), { any: 1 });
    assert.match(hashed.eventId, /^sha256_[0-9a-f]{40}$/);
    assert.equal(hashed.eventId, again.eventId, 'the same body, the same id');
    assert.equal(hashed.eventType, 'shop-store', 'no /type: the source id');
    assert.equal(hashed.occurredAt, RECEIVED.toISOString(), 'no time at all: the time of receipt');
  });

  it('takes ids, types and times from headers, pointers or a fixed value', () => {
    const github = envelopeOf(
      source({
        verification: hmacRule,
        eventId: { header: 'X-GitHub-Delivery' },
        eventType: { header: 'X-GitHub-Event' },
      }),
      { action: 'opened' },
      { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'x-github-event': 'pull_request' },
    );
    assert.deepEqual(
      [github.eventId, github.eventType],
      ['72d3162e-cc78-11e3-81ab-4c9367dc0958', 'pull_request'],
    );
    const fixed = envelopeOf(
      source({
        verification: hmacRule,
        eventId: { pointer: '/data/a~1b' },
        eventType: { value: 'lead.new' },
      }),
      { data: { 'a/b': 77 }, type: 'ignored' },
    );
    assert.deepEqual([fixed.eventId, fixed.eventType], ['77', 'lead.new']);
  });

  it('refuses a body that is not JSON, and a missing or unusable id or type', () => {
    assert.throws(() => parsePayload(Buffer.from('{')), { code: 'invalid_json' });
    assert.throws(() => parsePayload(Buffer.from(`${'['.repeat(101)}${']'.repeat(101)}`)), {
      code: 'invalid_json',
    });
    assert.deepEqual(
      parsePayload(Buffer.from(`${'['.repeat(100)}${']'.repeat(100)}`)),
      JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`),
    );
    const byPointer = source({ verification: hmacRule, eventId: { pointer: '/id' } });
    const cases: [unknown, string][] = [
      [{ type: 'a' }, 'missing_event_id'],
      [{ id: { nested: true } }, 'missing_event_id'],
      [{ id: 'has space' }, 'invalid_event_id'],
      [{ id: 'x'.repeat(101) }, 'invalid_event_id'],
      [{ id: 'ok', type: 'not a type' }, 'invalid_event_type'],
    ];
    for (const [body, code] of cases) {
      assert.throws(
        () => envelopeOf(byPointer, body),
        (error: unknown) => {
          assert.ok(error instanceof InboundEventError);
          assert.equal(error.code, code, JSON.stringify(body));
          return true;
        },
      );
    }
  });

  it('reads JSON pointers as RFC 6901 says', () => {
    const doc = { a: [{ b: 1 }], 'c~d': 2, 'e/f': 3 };
    assert.equal(valueAtPointer(doc, '/a/0/b'), 1);
    assert.equal(valueAtPointer(doc, '/c~0d'), 2);
    assert.equal(valueAtPointer(doc, '/e~1f'), 3);
    assert.equal(valueAtPointer(doc, '/a/1/b'), undefined);
    assert.equal(valueAtPointer(doc, '/toString'), undefined);
  });

  it('names hooks by receipt, round and target', () => {
    const ids = { projectId: 'p', sourceId: 's', eventId: 'e', receivedAt: RECEIVED.toISOString() };
    const first = forwardHookId(ids, 0, 0);
    assert.equal(forwardHookId(ids, 0, 0), first);
    assert.notEqual(forwardHookId(ids, 1, 0), first);
    assert.notEqual(forwardHookId(ids, 0, 1), first);
    assert.notEqual(forwardHookId({ ...ids, receivedAt: '2026-11-25T03:00:00.001Z' }, 0, 0), first);
  });

  it('keeps a bounded lifecycle log and judges the outcome from the last forward’s hooks', () => {
    const envelope = envelopeOf(source({ verification: hmacRule }), { a: 1 });
    let record = withForward(
      receivedRecord('p', envelope),
      { hookIds: ['hk_1'] },
      RECEIVED.toISOString(),
      false,
    );
    for (let index = 0; index < MAX_LOG_ENTRIES * 2; index++)
      record = withDuplicate(record, RECEIVED.toISOString());
    assert.equal(record.log.length, MAX_LOG_ENTRIES);
    assert.deepEqual(
      record.log.slice(0, 3).map((entry) => entry.step),
      ['received', 'verified', 'duplicate'],
    );
    assert.equal(record.duplicates, MAX_LOG_ENTRIES * 2);
    assert.deepEqual(record.envelope.processing, { status: 'forwarded', attempts: 1 });

    const hook = (status: string, at: string) => ({ status, completedAt: at, updatedAt: at });
    assert.equal(outcomeOf([]), undefined);
    assert.equal(outcomeOf([hook('completed', 'a'), { status: 'retry', updatedAt: 'b' }]), undefined);
    assert.deepEqual(outcomeOf([hook('completed', '2026-01-01'), hook('completed', '2026-01-02')]), {
      status: 'delivered',
      at: '2026-01-02',
    });
    assert.deepEqual(outcomeOf([hook('completed', '2026-01-03'), hook('failed', '2026-01-02')]), {
      status: 'failed',
      at: '2026-01-02',
    });
  });
});

describe('inbound sources in the config', () => {
  const project = (sources: unknown[], id = 'shop', key = 'k1') => ({
    id,
    apiKeyHashes: [hashApiKey(key)],
    signingSecrets: [generateSigningSecret()],
    baseUrl: 'https://shop.example',
    sources,
  });
  const parse = (projects: unknown[]) => configSchema.safeParse({ callbackSecret: 'c'.repeat(40), projects });
  const problems = (projects: unknown[]) => {
    const result = parse(projects);
    return result.success
      ? []
      : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };

  it('fills in the defaults: 5 minutes of tolerance, 64 KiB, a day of dedupe, no delay', () => {
    const parsed = parse([
      project([{ id: 'gh', verification: hmacRule, forward: { targets: [{ path: '/gh' }] } }]),
    ]);
    assert.ok(parsed.success);
    const [src] = parsed.data.projects[0]?.sources ?? [];
    assert.deepEqual(
      [src?.verification, src?.maxBodyBytes, src?.dedupeWindowSecs, src?.forward.delaySecs],
      [
        {
          scheme: 'hmac-sha256',
          secrets: ['secret-1234'],
          header: 'x-signature',
          encoding: 'hex',
          prefix: '',
          toleranceSecs: 300,
        },
        65_536,
        86_400,
        0,
      ],
    );
  });

  it('names every bad field of a source', () => {
    const found = problems([
      project([
        { id: 'Bad Id', verification: hmacRule, forward: { fanout: true } },
        {
          id: 'a',
          verification: { scheme: 'standard-webhooks', secrets: ['not-whsec'] },
          forward: { fanout: true },
        },
        {
          id: 'b',
          verification: { scheme: 'hmac-sha256', secrets: ['short'], encoding: 'hex32' },
          forward: { fanout: true },
        },
        { id: 'c', verification: { scheme: 'rsa', secrets: ['x'] }, forward: { fanout: true } },
        { id: 'd', verification: hmacRule, forward: {} },
        { id: 'e', verification: hmacRule, eventId: { pointer: 'id' }, forward: { fanout: true } },
        { id: 'f', verification: hmacRule, maxBodyBytes: 2 * 1024 * 1024, forward: { fanout: true } },
      ]),
    ]);
    for (const expected of [
      'projects.0.sources.0.id',
      'projects.0.sources.1.verification.secrets.0',
      'projects.0.sources.2.verification.secrets.0',
      'projects.0.sources.2.verification.encoding',
      'projects.0.sources.3.verification.scheme',
      'projects.0.sources.4.forward',
      'projects.0.sources.5.eventId.pointer',
      'projects.0.sources.6.maxBodyBytes',
    ]) {
      assert.ok(
        found.some((problem) => problem.startsWith(`${expected}:`)),
        `${expected} in ${found.join('\n')}`,
      );
    }
  });

  it('refuses a forward target the project would not deliver to', () => {
    const found = problems([
      {
        ...project([
          {
            id: 'gh',
            verification: hmacRule,
            forward: {
              targets: [{ path: '/ok' }, { url: 'https://elsewhere.example/' }, { url: 'http://10.0.0.1/' }],
            },
          },
        ]),
        allowUrlTargets: false,
      },
    ]);
    assert.deepEqual(
      found.map((problem) => problem.split(':')[0]),
      ['projects.0.sources.0.forward.targets.1', 'projects.0.sources.0.forward.targets.2'],
    );
  });

  it('refuses a source id used twice, in one project or across two', () => {
    const src = { id: 'github', verification: hmacRule, forward: { fanout: true } };
    assert.deepEqual(problems([project([src]), project([src], 'blog', 'k2')]), [
      'projects.1.sources.0.id: duplicate source id "github": source ids are unique across projects',
    ]);
  });
});
