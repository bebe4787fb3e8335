import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { SCHEDULE_TIMEOUT_MS } from '../bench/client/load';
import type { BenchHook } from '../bench/hook-target';
import type { HookScheduler } from '../bench/systems/types';
import { idempotentHookId } from '../src/domain/idempotency';

/** A hook the API accepted: it must arrive. */
export interface AcceptedHook {
  id: string;
  dueAt: number;
}

/** What scheduling went through. */
export interface SchedulingCounts {
  /** Answered 201 Created. */
  created: number;
  /** Answered 200 to a retry: an earlier try had created the hook, and its answer was lost in a kill. */
  foundByRetry: number;
  /** Answered 4xx or 5xx other than 503: not retried, and a failure of the run. */
  rejected: number;
  /** Still refused or unanswered when the retries ran out: not accepted, and a failure of the run. */
  gaveUp: number;
  /** Accepted hooks whose id is not the one their Idempotency-Key names: a second hook, and a failure. */
  unexpectedIds: number;
  /** Tries that were repeated, by cause: a connection error code, a timeout, or `HTTP 503`. */
  retries: Record<string, number>;
}

const REQUEST_TIMEOUT_MS = 8_000;
// The load runner gives up on a call after SCHEDULE_TIMEOUT_MS; the last try must be answered before.
const RETRY_FOR_MS = SCHEDULE_TIMEOUT_MS - REQUEST_TIMEOUT_MS - 2_000;
const MAX_TRIES = 100;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1_000;

/**
 * The application side of a chaos run: schedules each hook with `POST /v1/hooks` and an Idempotency-Key,
 * and retries while the API is down (connection refused or cut) or Temporal is (503), with the same key
 * and the same body. A retry whose first try did reach Temporal gets that hook back (200), so no retry
 * creates a second hook; the hooks accepted are the ones that must arrive.
 */
export class IdempotentScheduler implements HookScheduler {
  readonly accepted = new Map<string, AcceptedHook>();
  readonly counts: SchedulingCounts = {
    created: 0,
    foundByRetry: 0,
    rejected: 0,
    gaveUp: 0,
    unexpectedIds: 0,
    retries: {},
  };
  private readonly agent = new Agent({ connections: 128, keepAliveTimeout: 30_000 });

  constructor(
    private readonly apiUrl: string,
    private readonly apiKey: string,
    private readonly projectId: string,
  ) {}

  async schedule(hook: BenchHook): Promise<void> {
    // The path names the run, the hook and its due time: a key no other hook of any run uses.
    const key = hook.path;
    const body = JSON.stringify({
      path: hook.path,
      postAt: new Date(hook.dueAt).toISOString(),
      data: hook.data,
    });
    const deadline = Date.now() + RETRY_FOR_MS;
    for (let tries = 1; ; tries++) {
      const outcome = await this.post(key, body);
      if ('id' in outcome) {
        this.accept(outcome.id, outcome.status, key, hook);
        return;
      }
      if ('refusal' in outcome) {
        this.counts.rejected++;
        this.fail(outcome.refusal);
      }
      this.counts.retries[outcome.retryCause] = (this.counts.retries[outcome.retryCause] ?? 0) + 1;
      if (tries >= MAX_TRIES || Date.now() >= deadline) {
        this.counts.gaveUp++;
        this.fail(
          `${hook.path}: not accepted after ${tries} tries, the last failing with ${outcome.retryCause}`,
        );
      }
      await sleep(Math.min(FIRST_BACKOFF_MS * 2 ** (tries - 1), MAX_BACKOFF_MS));
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async post(
    key: string,
    body: string,
  ): Promise<{ id: string; status: number } | { refusal: string } | { retryCause: string }> {
    let status: number;
    let text: string;
    try {
      const response = await request(`${this.apiUrl}/v1/hooks`, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey, 'idempotency-key': key },
        body,
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      // No answer at all: the request may or may not have reached Temporal, which the key makes safe.
      return { retryCause: (error as { code?: string }).code ?? (error as Error).name };
    }
    if (status === 503) return { retryCause: 'HTTP 503' };
    if (status !== 201 && status !== 200)
      return { refusal: `POST /v1/hooks answered ${status}: ${text.slice(0, 200)}` };
    return { id: (JSON.parse(text) as { data: { id: string } }).data.id, status };
  }

  private accept(id: string, status: number, key: string, hook: BenchHook): void {
    if (status === 201) this.counts.created++;
    else this.counts.foundByRetry++;
    this.accepted.set(id, { id, dueAt: hook.dueAt });
    if (id !== idempotentHookId(this.projectId, key)) {
      this.counts.unexpectedIds++;
      this.fail(`${hook.path}: accepted as ${id}, not as the hook its Idempotency-Key names`);
    }
  }

  /** The load runner records the message, and counts the hook as not scheduled. */
  private fail(message: string): never {
    throw new Error(message);
  }
}
