import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import type { IngestPayload } from '../hook-target';
import { distribution } from '../stats';
import { BENCH_INGEST_SOURCE } from '../systems/hookrelay';
import { configString } from '../systems/types';
import { collectDeliveries, metric } from './phases';
import type { Scenario } from './types';

const SECRET = BENCH_INGEST_SOURCE.verification.secrets[0];

/** One answered send: how long the answer took, and whether it was a duplicate. */
interface Answer {
  ms: number;
  duplicate: boolean;
}

/** Sends one event, signed; its answer time, or why it failed. */
async function sendOne(url: string, agent: Agent, body: string): Promise<Answer> {
  const startedAt = performance.now();
  const response = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: {
      'content-type': 'application/json',
      'x-signature': createHmac('sha256', SECRET).update(body).digest('hex'),
    },
    body,
  });
  const text = await response.body.text();
  const ms = performance.now() - startedAt;
  if (response.statusCode !== 200) throw new Error(`${response.statusCode} ${text.slice(0, 200)}`);
  return { ms, duplicate: (JSON.parse(text) as { data: { duplicate: boolean } }).data.duplicate };
}

/**
 * Sends `bodies` at `ratePerSecond`, as senders do (each send on its own schedule, whatever the answers
 * before it), until all are sent or `deadline` passes; resolves once every send is answered.
 */
async function sendPaced(
  url: string,
  agent: Agent,
  plan: { count: number; bodyOf(index: number): string },
  ratePerSecond: number,
  deadline: number,
): Promise<{ answers: (Answer | undefined)[]; errors: string[] }> {
  const answers: (Answer | undefined)[] = [];
  const errors = new Set<string>();
  const sends: Promise<void>[] = [];
  const startedAt = performance.now();
  for (let index = 0; index < plan.count && Date.now() < deadline; index++) {
    const wait = startedAt + (index * 1000) / ratePerSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(
      sendOne(url, agent, plan.bodyOf(index)).then(
        (answer) => {
          answers[index] = answer;
        },
        (error: unknown) => {
          errors.add(error instanceof Error ? error.message : String(error));
        },
      ),
    );
  }
  await Promise.all(sends);
  return { answers, errors: [...errors].slice(0, 5) };
}

/**
 * An event's body, made as it is sent: its own event id, and the address the receiver reads back, whose
 * due time is the moment it was sent.
 */
function eventBody(tag: string, seq: number): string {
  const payload: IngestPayload = { tag, seq, dueAt: Date.now() };
  return JSON.stringify({ id: `${tag}-${seq}`, type: 'bench.event', ...payload });
}

/**
 * Inbound webhooks: signed events posted to a source at a steady rate, each answered once kept (the
 * start of its workflow); then some are sent again (duplicates). Reported: the answer time of each kind, and each
 * event forwarded to the receiver exactly once, after its answer.
 */
export const ingestScenario: Scenario = {
  name: 'ingest',
  describe: ({ ingest }) =>
    `Ingest: ${ingest.events} signed webhooks (HMAC-SHA256) posted to one source at ${ingest.ratePerSecond}/s ` +
    `(at most ${ingest.durationMs / 1000} s), each a new event id, then ${ingest.duplicates} of them again ` +
    'at the same rate; each event is forwarded to the receiver as one hook.',
  appliesTo: (system) => system.receivesWebhooks === true,

  async run(context) {
    const { ingest } = context.settings;
    const url = `${configString(context.stack.running.clientConfig, 'apiUrl')}/v1/ingest/${BENCH_INGEST_SOURCE.id}`;
    const tag = context.tag('ingest');
    const arrivals = context.receiver.track(tag);
    const bodies: string[] = [];
    const agent = new Agent({ keepAliveTimeout: 30_000 });
    try {
      const startedAt = Date.now();
      const newEvents = {
        count: ingest.events,
        bodyOf: (seq: number) => (bodies[seq] = eventBody(tag, seq)),
      };
      const first = await sendPaced(
        url,
        agent,
        newEvents,
        ingest.ratePerSecond,
        startedAt + ingest.durationMs,
      );
      const finishedAt = Date.now();
      const again = await sendPaced(
        url,
        agent,
        { count: Math.min(ingest.duplicates, bodies.length), bodyOf: (seq) => bodies[seq] ?? '' },
        ingest.ratePerSecond,
        Date.now() + ingest.durationMs,
      );
      const kept = first.answers.flatMap((answer, seq) => (answer && !answer.duplicate ? [seq] : []));
      const failedSeqs = bodies.map((_, seq) => seq).filter((seq) => !kept.includes(seq));
      const batch = await collectDeliveries(
        context,
        {
          tag,
          arrivals,
          expected: new Set(kept),
          outcome: {
            attempted: bodies.length,
            failedSeqs,
            errors: [...first.errors, ...again.errors],
            latenciesMs: kept.map((seq) => first.answers[seq]?.ms ?? 0),
            startedAt,
            finishedAt,
            maxLagMs: 0,
            stoppedEarly: bodies.length < ingest.events,
          },
        },
        { label: 'forwarded events', awaitDelivery: true, deadline: Date.now() + ingest.drainMs },
      );
      const answers = distribution(batch.outcome.latenciesMs);
      const duplicates = again.answers.filter((answer) => answer?.duplicate === true);
      const duplicateAnswers = distribution(duplicates.map((answer) => answer?.ms ?? 0));
      const forwardDelays = distribution(arrivals.lateness());
      return {
        metrics: [
          metric('ingest.p50', 'answer to a new event, p50', 'ms', answers.p50, 'lower'),
          metric('ingest.p99', 'answer to a new event, p99', 'ms', answers.p99, 'lower'),
          metric('ingest.duplicate.p50', 'answer to a duplicate, p50', 'ms', duplicateAnswers.p50, 'lower'),
          metric('ingest.duplicate.p99', 'answer to a duplicate, p99', 'ms', duplicateAnswers.p99, 'lower'),
          metric('ingest.forwarded.p50', 'sent to forwarded, p50', 'ms', forwardDelays.p50, 'lower'),
          metric('ingest.errors', 'refused or failed sends', '', failedSeqs.length, 'lower'),
        ],
        deliveries: [batch.delivery],
        warnings:
          duplicates.length < again.answers.filter(Boolean).length
            ? ['a resent event was not a duplicate']
            : [],
        summary: `${kept.length} events kept, ${duplicates.length} duplicates answered`,
        details: { answersMs: answers, duplicateAnswersMs: duplicateAnswers, forwardedMs: forwardDelays },
      };
    } finally {
      await agent.close();
    }
  },
};
