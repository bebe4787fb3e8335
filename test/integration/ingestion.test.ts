import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateSigningSecret } from '../../src/security/signing';
import { assertApiError } from '../support/api-error';
import { pollFor } from '../support/poll';
import { type Arrival, TestReceiver } from '../support/receiver';
import {
  githubHeaders,
  seedExampleHeaders,
  standardWebhooksHeaders,
  stripeHeaders,
} from '../support/senders';
import { TestStack } from '../support/stack';

const SEED_SECRET = 'seed-example-secret';
const GITHUB_SECRET = 'github-secret-123';
const STRIPE_SECRET = 'whsec_stripe_test_secret';
const SW_OLD_SECRET = generateSigningSecret();
const SW_SECRET = generateSigningSecret();

interface IngestedEvent {
  envelope: {
    eventId: string;
    eventType: string;
    source: string;
    occurredAt: string;
    receivedAt: string;
    payload?: unknown;
    processing: { status: string; attempts: number };
  };
  log: { step: string; at: string; hookIds?: string[]; fanoutEventId?: string; replay?: boolean }[];
  hookIds: string[];
  forwards: number;
  duplicates: number;
}

describe(
  'ingestion: webhooks received from senders, verified, kept and forwarded',
  { timeout: 240_000 },
  () => {
    let stack: TestStack;
    let receiver: TestReceiver;
    let apiUrl: string;

    /** A sender's request over a real socket. */
    const send = async (sourceId: string, body: string, headers: Record<string, string>) => {
      const response = await fetch(`${apiUrl}/v1/ingest/${sourceId}`, { method: 'POST', body, headers });
      return {
        statusCode: response.status,
        headers: Object.fromEntries(response.headers),
        body: await response.text(),
      };
    };
    const ingested = async (sourceId: string, eventId: string) => {
      const answer = await stack.request('ing', 'GET', `/v1/ingested-events/${sourceId}/${eventId}`);
      return {
        statusCode: answer.statusCode,
        event: answer.json<{ data: IngestedEvent }>().data,
        answer,
      };
    };
    const arrivalsAt = (path: string) => receiver.arrivals.filter((arrival) => arrival.path === path);
    const verifiedData = (arrival: Arrival) =>
      (
        new Webhook(stack.projects.ing?.signingSecret ?? '').verify(arrival.body, {
          'webhook-id': String(arrival.headers['webhook-id']),
          'webhook-timestamp': String(arrival.headers['webhook-timestamp']),
          'webhook-signature': String(arrival.headers['webhook-signature']),
        }) as { data: unknown }
      ).data;
    /** The arrivals that `matches`, once there are `count` of them. */
    const arrivalsOf = (what: string, matches: (arrival: Arrival) => boolean, count: number) =>
      pollFor(what, () => {
        const seen = receiver.arrivals.filter(matches);
        return Promise.resolve(seen.length >= count ? seen : undefined);
      });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

    before(async () => {
      receiver = await TestReceiver.start((arrival) => ({ status: arrival.path === '/fail' ? 500 : 200 }));
      stack = await TestStack.start([
        {
          id: 'ing',
          baseUrl: receiver.url,
          sources: [
            {
              id: 'seed',
              verification: { scheme: 'hmac-sha256', secrets: [SEED_SECRET], header: 'X-Signature' },
              eventId: { pointer: '/id' },
              maxBodyBytes: 1024,
              forward: { targets: [{ path: '/seed' }] },
            },
            {
              id: 'github',
              verification: {
                scheme: 'hmac-sha256',
                secrets: [GITHUB_SECRET],
                header: 'X-Hub-Signature-256',
                prefix: 'sha256=',
              },
              eventId: { header: 'X-GitHub-Delivery' },
              eventType: { header: 'X-GitHub-Event' },
              forward: { targets: [{ path: '/github' }] },
            },
            {
              id: 'stripe',
              verification: { scheme: 'stripe', secrets: [STRIPE_SECRET] },
              forward: { targets: [{ path: '/stripe' }] },
            },
            {
              id: 'sw',
              verification: { scheme: 'standard-webhooks', secrets: [SW_OLD_SECRET, SW_SECRET] },
              forward: { fanout: true },
            },
            {
              id: 'delayed',
              verification: { scheme: 'hmac-sha256', secrets: [SEED_SECRET] },
              eventId: { pointer: '/id' },
              forward: { targets: [{ path: '/delayed' }], delaySecs: 3 },
            },
            {
              id: 'brief',
              verification: { scheme: 'hmac-sha256', secrets: [SEED_SECRET] },
              eventId: { pointer: '/id' },
              dedupeWindowSecs: 1,
              forward: { targets: [{ path: '/brief' }] },
            },
            {
              id: 'failing',
              verification: { scheme: 'hmac-sha256', secrets: [SEED_SECRET] },
              eventId: { pointer: '/id' },
              forward: { targets: [{ path: '/fail' }], retry: { maxAttempts: 1 } },
            },
          ],
        },
        { id: 'other', baseUrl: receiver.url },
      ]);
      apiUrl = await stack.app.listen({ host: '127.0.0.1', port: 0 });
    });

    after(async () => {
      await stack.close();
      await receiver.close();
    });

    it('forwards a correctly signed event once, signed by hookrelay, carrying the envelope', async () => {
      const body = JSON.stringify({ id: 'evt_seed_1', type: 'order.paid', total: 42 });
      const answer = await send('seed', body, seedExampleHeaders(body, SEED_SECRET));
      assert.equal(answer.statusCode, 200, answer.body);
      const { data } = JSON.parse(answer.body) as { data: Record<string, unknown> };
      assert.deepEqual(
        { ...data, receivedAt: undefined },
        {
          eventId: 'evt_seed_1',
          eventType: 'order.paid',
          source: 'seed',
          duplicate: false,
          receivedAt: undefined,
        },
      );

      const [arrival] = await receiver.waitFor(1, 20_000);
      assert.equal(arrival?.path, '/seed');
      assert.deepEqual(verifiedData(arrival), {
        eventId: 'evt_seed_1',
        eventType: 'order.paid',
        source: 'seed',
        occurredAt: data.receivedAt,
        receivedAt: data.receivedAt,
        payload: { id: 'evt_seed_1', type: 'order.paid', total: 42 },
        processing: { status: 'forwarded', attempts: 1 },
      });
      await settle();
      assert.equal(arrivalsAt('/seed').length, 1);
    });

    it('answers the same event id twice with 200 and forwards it once', async () => {
      const body = JSON.stringify({ id: 'evt_seed_2', type: 'order.paid' });
      const first = await send('seed', body, seedExampleHeaders(body, SEED_SECRET));
      const again = await send('seed', body, seedExampleHeaders(body, SEED_SECRET));
      assert.equal(first.statusCode, 200);
      assert.equal(again.statusCode, 200);
      assert.equal((JSON.parse(first.body) as { data: { duplicate: boolean } }).data.duplicate, false);
      assert.equal((JSON.parse(again.body) as { data: { duplicate: boolean } }).data.duplicate, true);
      // The workflow notes the duplicate on its next task, a moment after the answer.
      const event = await pollFor('the event delivered, its duplicate noted', async () => {
        const { event } = await ingested('seed', 'evt_seed_2');
        return event.envelope.processing.status === 'delivered' && event.duplicates === 1 ? event : undefined;
      });
      await settle();
      const arrivals = receiver.arrivals.filter((arrival) => arrival.body.includes('evt_seed_2'));
      assert.equal(arrivals.length, 1);
      // The duplicate may be noted before or after the forward: the two race.
      const steps = event.log.map((entry) => entry.step);
      assert.deepEqual(
        [steps.slice(0, 2), steps.slice(2, 4).sort(), steps.slice(4)],
        [['received', 'verified'], ['duplicate', 'forwarded'], ['delivered']],
      );
      assert.equal(event.duplicates, 1);
      assert.equal(event.forwards, 1);
      assert.deepEqual(event.log.find((entry) => entry.step === 'forwarded')?.hookIds, event.hookIds);
      assert.equal(arrivals[0]?.headers['webhook-id'], event.hookIds[0]);
    });

    it('refuses a bad signature, a stale timestamp, an unknown source and an oversized body, forwarding nothing', async () => {
      const before = receiver.arrivals.length;
      const body = JSON.stringify({ id: 'evt_refused', type: 'order.paid' });
      const cases: [string, Promise<Awaited<ReturnType<typeof send>>>, number, string][] = [
        [
          'a bad signature',
          send('seed', body, seedExampleHeaders(body, 'not-the-secret')),
          401,
          'signature_invalid',
        ],
        [
          'no signature',
          send('seed', body, { 'content-type': 'application/json' }),
          401,
          'signature_missing',
        ],
        [
          'a stale timestamp',
          send('stripe', body, stripeHeaders(body, STRIPE_SECRET, new Date(Date.now() - 6 * 60_000))),
          401,
          'timestamp_stale',
        ],
        [
          'a timestamp from the future',
          send('stripe', body, stripeHeaders(body, STRIPE_SECRET, new Date(Date.now() + 6 * 60_000))),
          401,
          'timestamp_stale',
        ],
        [
          'an unknown source',
          send('nowhere', body, seedExampleHeaders(body, SEED_SECRET)),
          404,
          'source_not_found',
        ],
        [
          'an oversized body',
          (() => {
            const big = JSON.stringify({ id: 'evt_refused', pad: 'x'.repeat(2_000) });
            return send('seed', big, seedExampleHeaders(big, SEED_SECRET));
          })(),
          413,
          'payload_too_large',
        ],
        [
          'a body that is not JSON',
          send('seed', 'not json', seedExampleHeaders('not json', SEED_SECRET)),
          400,
          'invalid_json',
        ],
      ];
      for (const [what, sent, status, code] of cases) assertApiError(await sent, { status, code }, what);
      assert.equal((await ingested('seed', 'evt_refused')).statusCode, 404);
      assert.equal((await ingested('stripe', 'evt_refused')).statusCode, 404);
      await settle();
      assert.equal(receiver.arrivals.length, before);
    });

    it('replays an event: forwarded again as a new hook', async () => {
      const body = JSON.stringify({ id: 'evt_replay', type: 'order.paid' });
      assert.equal((await send('seed', body, seedExampleHeaders(body, SEED_SECRET))).statusCode, 200);
      await arrivalsOf('the first forward', (arrival) => arrival.body.includes('evt_replay'), 1);
      const replay = await stack.request('ing', 'POST', '/v1/ingested-events/seed/evt_replay/replay');
      assert.equal(replay.statusCode, 200, replay.body);
      const replayed = replay.json<{ data: IngestedEvent }>().data;
      assert.equal(replayed.forwards, 2);
      assert.equal(replayed.hookIds.length, 2);
      assert.equal(replayed.log.at(-1)?.replay, true);
      const arrivals = await arrivalsOf(
        'the replayed forward',
        (arrival) => arrival.body.includes('evt_replay'),
        2,
      );
      assert.equal(arrivals[1]?.headers['webhook-id'], replayed.hookIds[1]);
      assert.deepEqual((verifiedData(arrivals[1] as Arrival) as IngestedEvent['envelope']).processing, {
        status: 'forwarded',
        attempts: 2,
      });
      const unknown = await stack.request('ing', 'POST', '/v1/ingested-events/seed/evt_never/replay');
      assertApiError(unknown, { status: 404, code: 'not_found' });
      const otherProject = await stack.request('other', 'POST', '/v1/ingested-events/seed/evt_replay/replay');
      assertApiError(otherProject, { status: 404, code: 'not_found' });
    });

    it("verifies the seeds' HMAC-SHA256 example and a Standard Webhooks sender, with either rotated secret", async () => {
      const seedBody = JSON.stringify({ id: 'evt_seed_example', type: 'invoice.paid' });
      assert.equal((await send('seed', seedBody, seedExampleHeaders(seedBody, SEED_SECRET))).statusCode, 200);
      for (const [index, secret] of [SW_OLD_SECRET, SW_SECRET].entries()) {
        const body = JSON.stringify({ type: 'user.created', data: { n: index } });
        const answer = await send('sw', body, standardWebhooksHeaders(body, secret, `msg_sw_${index}`));
        assert.equal(answer.statusCode, 200, answer.body);
        assert.equal(
          (JSON.parse(answer.body) as { data: { eventId: string } }).data.eventId,
          `msg_sw_${index}`,
        );
      }
      const forged = JSON.stringify({ type: 'user.created' });
      const refused = await send(
        'sw',
        forged,
        standardWebhooksHeaders(forged, generateSigningSecret(), 'msg_forged'),
      );
      assertApiError(refused, { status: 401, code: 'signature_invalid' });
    });

    it('verifies the GitHub and Stripe formats, taking their event ids, types and times', async () => {
      const githubBody = JSON.stringify({ action: 'opened', number: 7 });
      const delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
      const github = await send(
        'github',
        githubBody,
        githubHeaders(githubBody, GITHUB_SECRET, delivery, 'pull_request'),
      );
      assert.equal(github.statusCode, 200, github.body);
      assert.deepEqual(
        (JSON.parse(github.body) as { data: { eventId: string; eventType: string } }).data.eventType,
        'pull_request',
      );
      const stripeBody = JSON.stringify({ id: 'evt_1Stripe', type: 'invoice.paid', created: 1_767_225_600 });
      const stripe = await send('stripe', stripeBody, stripeHeaders(stripeBody, STRIPE_SECRET));
      assert.equal(stripe.statusCode, 200, stripe.body);
      const { event } = await ingested('stripe', 'evt_1Stripe');
      assert.equal(event.envelope.occurredAt, '2026-01-01T00:00:00.000Z');
      assert.equal(event.envelope.eventType, 'invoice.paid');
      await arrivalsOf('both forwarded', (arrival) => ['/github', '/stripe'].includes(arrival.path), 2);
    });

    it('fans an ingested event out to the subscriptions of its type', async () => {
      const api = stack.api('ing');
      const subscription = await api.subscriptions.create({ path: '/fan', eventTypes: ['shipment.*'] });
      const body = JSON.stringify({ type: 'shipment.sent', data: { parcel: 'p-1' } });
      assert.equal(
        (await send('sw', body, standardWebhooksHeaders(body, SW_SECRET, 'msg_fan'))).statusCode,
        200,
      );
      const [arrival] = await arrivalsOf('the fanned-out hook', (arrival) => arrival.path === '/fan', 1);
      const { event } = await ingested('sw', 'msg_fan');
      const forward = event.log.find((entry) => entry.step === 'forwarded');
      assert.ok(forward?.fanoutEventId);
      assert.deepEqual(verifiedData(arrival as Arrival), {
        eventId: forward.fanoutEventId,
        eventType: 'shipment.sent',
        data: { ...event.envelope, processing: { status: 'forwarded', attempts: 1 } },
      });
      const published = await api.events.get(forward.fanoutEventId);
      assert.deepEqual(published.subscriptionIds, [subscription.id]);
      assert.deepEqual(published.hookIds, event.hookIds);
    });

    it('finds events by sender event id, source and type, and reads their lifecycle up to failed', async () => {
      const body = JSON.stringify({ id: 'evt_fails', type: 'order.refunded' });
      assert.equal((await send('failing', body, seedExampleHeaders(body, SEED_SECRET))).statusCode, 200);
      const failed = await pollFor('the event failed', async () => {
        const { event } = await ingested('failing', 'evt_fails');
        return event.envelope.processing.status === 'failed' ? event : undefined;
      });
      assert.deepEqual(
        failed.log.map((entry) => entry.step),
        ['received', 'verified', 'forwarded', 'failed'],
      );
      const list = (query: string) =>
        stack
          .request('ing', 'GET', `/v1/ingested-events?${query}`)
          .then((answer) => answer.json<{ data: IngestedEvent[]; nextCursor: string | null }>());
      const found = await pollFor('the event listed by id', async () => {
        const page = await list('eventId=evt_fails');
        return page.data.length > 0 ? page : undefined;
      });
      assert.deepEqual(
        found.data.map((item) => [item.envelope.eventId, item.envelope.source, item.envelope.payload]),
        [['evt_fails', 'failing', undefined]],
      );
      const bySource = await pollFor('the seed events listed', async () => {
        const page = await list('source=seed');
        return page.data.length >= 4 ? page : undefined;
      });
      assert.ok(bySource.data.every((item) => item.envelope.source === 'seed'));
      const byType = await list('type=order.refunded');
      assert.deepEqual(
        byType.data.map((item) => item.envelope.eventId),
        ['evt_fails'],
      );
      assert.deepEqual(
        (await stack.request('other', 'GET', '/v1/ingested-events?eventId=evt_fails')).json(),
        {
          data: [],
          nextCursor: null,
        },
      );
    });

    it('forwards after the source delay', async () => {
      const body = JSON.stringify({ id: 'evt_later', type: 'order.paid' });
      const answer = await send('delayed', body, seedExampleHeaders(body, SEED_SECRET));
      assert.equal(answer.statusCode, 200);
      const receivedAt = Date.parse(
        (JSON.parse(answer.body) as { data: { receivedAt: string } }).data.receivedAt,
      );
      const { event } = await ingested('delayed', 'evt_later');
      assert.equal(event.envelope.processing.status, 'received');
      const [arrival] = await arrivalsOf('the delayed forward', (arrival) => arrival.path === '/delayed', 1);
      assert.ok(
        (arrival?.at ?? 0) - receivedAt >= 3_000,
        `forwarded ${(arrival?.at ?? 0) - receivedAt} ms after receipt`,
      );
    });

    it('takes a resend after the dedupe window as a new event, and replays an event whose window has ended', async () => {
      const body = JSON.stringify({ id: 'evt_brief', type: 'order.paid' });
      const closed = async () => {
        const description = await stack.client.workflow.getHandle('ingest/ing/brief/evt_brief').describe();
        return description.status.name === 'COMPLETED' ? true : undefined;
      };
      assert.equal((await send('brief', body, seedExampleHeaders(body, SEED_SECRET))).statusCode, 200);
      await pollFor('the window ended', closed);
      const resend = await send('brief', body, seedExampleHeaders(body, SEED_SECRET));
      assert.equal((JSON.parse(resend.body) as { data: { duplicate: boolean } }).data.duplicate, false);
      await pollFor('the window ended again', closed);
      const replay = await stack.request('ing', 'POST', '/v1/ingested-events/brief/evt_brief/replay');
      assert.equal(replay.statusCode, 200, replay.body);
      const replayed = replay.json<{ data: IngestedEvent }>().data;
      assert.equal(replayed.forwards, 2);
      const arrivals = await arrivalsOf('three forwards', (arrival) => arrival.path === '/brief', 3);
      assert.equal(new Set(arrivals.map((arrival) => arrival.headers['webhook-id'])).size, 3);
      assert.equal(arrivals[2]?.headers['webhook-id'], replayed.hookIds[1]);
    });
  },
);
