import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import {
  ApplicationFailure,
  type Client,
  type WorkflowHandle,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, type InjectedSinks, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { CallbackSignal } from '../../../src/domain/async-ack';
import type { BatchDeliveryRequest } from '../../../src/activities/deliver-batch';
import { createBatchJoinActivities } from '../../../src/activities/join-batch';
import type { BatchMember, BatchSettings, HookBatch } from '../../../src/domain/batch';
import type { DeliveryRequest, DeliveryResult } from '../../../src/domain/delivery';
import type { HookState, HookWorkflowInput, RetryOverride } from '../../../src/domain/hook';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from '../../../src/domain/retry-policy';
import { obtainTemporalCli } from '../../../src/devserver/temporal-cli';
import { hookWorkflowStartOptions, newHookWorkflowInput } from '../../../src/temporal/hook-start';
import { loadWorkflowBundle } from '../../../src/worker/workflow-bundle';
import { HOOK_SEARCH_ATTRIBUTES } from '../../../src/workflows/hook-record';
import type { hookWorkflow } from '../../../src/workflows/hook.workflow';
import {
  callbackSignal,
  cancelHookUpdate,
  HOOK_STATE_CONFLICT,
  hookStateQuery,
  rescheduleHookUpdate,
  retryHookUpdate,
} from '../../../src/workflows/messages';
import type { HookMetricsSinks } from '../../../src/workflows/metrics-sink';

/**
 * The hook workflow, for real, on a local Temporal dev server (the project's own CLI binary), with a
 * fake delivery activity scripted per hook and a recorder in place of the metrics sink. One worker
 * serves the whole suite; each hook has its own script, found by hook id, so tests can run concurrently.
 * The dev server does not skip time: every test uses delays of a second or less.
 */

export const PROJECT_ID = 'wf-test';
const TASK_QUEUE = 'hook-workflow-test';

/** Longest any wait in a test polls before giving up, so that a broken workflow fails instead of hanging. */
const WAIT_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 100;
/** The slowest hook of the suite closes after about 7 s (an activity timeout, then a retry). */
const RESULT_TIMEOUT_MS = 20_000;
/** A fake attempt that hangs gives up after this long even if nobody releases or cancels it. */
const HANG_CAP_MS = 30_000;
/** At shutdown, activities still hanging are cancelled after this long. */
const WORKER_SHUTDOWN_GRACE_MS = 1_000;

// --- The fake delivery activity ------------------------------------------------------------------------

/** What one scripted attempt answers; the fake adds the timing fields, as the real activity does. */
export type Outcome = Omit<DeliveryResult, 'startedAt' | 'finishedAt' | 'durationMs'>;
/** One scripted attempt: it may wait (it is told when the activity is cancelled), answer, or throw. */
export type Step = (req: DeliveryRequest, cancelled: AbortSignal) => Promise<Outcome>;

/**
 * Settles as `promise` does, but rejects after `capMs`, or once `cancelled` aborts (the worker cancels
 * activities at shutdown). The cap's timer is cleared as soon as the race ends, so that it cannot keep
 * the test process alive.
 */
async function bounded<T>(
  promise: Promise<T>,
  capMs: number,
  what: string,
  cancelled?: AbortSignal,
): Promise<T> {
  const done = new AbortController();
  const cap = sleep(capMs, undefined, { signal: done.signal }).then(() => {
    throw new Error(`${what}: not done within ${capMs} ms`);
  });
  const abort = new Promise<never>((_resolve, reject) => {
    const onAbort = () => {
      reject(cancelled?.reason instanceof Error ? cancelled.reason : new Error(`${what}: cancelled`));
    };
    if (cancelled?.aborted) onAbort();
    cancelled?.addEventListener('abort', onAbort, { once: true, signal: done.signal });
  });
  try {
    return await Promise.race([promise, cap, abort]);
  } finally {
    done.abort();
    // The losers of the race settle later (the cap rejects with an AbortError); nobody needs their outcome.
    cap.catch(() => undefined);
    abort.catch(() => undefined);
  }
}

const HELD = 'a fake attempt held until released';

/** Scripted receivers' answers, as the real activity would report them. */
export const reply = {
  with:
    (outcome: Outcome): Step =>
    () =>
      Promise.resolve(outcome),
  ok: (): Step => reply.with({ outcome: 'success', permanent: false, statusCode: 200 }),
  /** A retryable failure, e.g. a 500 or a 429 with `retryAfterMs`. */
  status: (statusCode: number, extra: Partial<Outcome> = {}): Step =>
    reply.with({ outcome: 'failure', permanent: false, statusCode, ...extra }),
  gone: (): Step => reply.with({ outcome: 'failure', permanent: true, statusCode: 410 }),
  /** A 202 to an async hook, asking for `asyncTimeoutSecs`. */
  accepted: (asyncTimeoutSecs: number): Step =>
    reply.with({ outcome: 'async_pending', permanent: false, statusCode: 202, asyncTimeoutSecs }),
  /** The activity itself throws: Temporal hands the workflow an ActivityFailure. */
  crash:
    (message: string): Step =>
    () =>
      Promise.reject(new Error(message)),
  /** Never answers: Temporal's start-to-close timeout ends the attempt (the fake ends when cancelled). */
  hang: (): Step => (_req, cancelled) =>
    bounded(new Promise<never>(() => undefined), HANG_CAP_MS, HELD, cancelled),
};

/** An attempt that blocks until the test releases it with the answer it should give. */
export class Gate {
  private open: (step: Step) => void = () => undefined;
  private readonly opened = new Promise<Step>((resolve) => {
    this.open = resolve;
  });

  readonly step: Step = async (req, cancelled) => {
    const next = await bounded(this.opened, HANG_CAP_MS, HELD, cancelled);
    return next(req, cancelled);
  };

  release(next: Step): void {
    this.open(next);
  }
}

/** The delivery activity of one hook: answers from its script, in order, and records every request. */
export class FakeDelivery {
  readonly requests: DeliveryRequest[] = [];

  constructor(private readonly steps: Step[]) {}

  async deliver(req: DeliveryRequest, cancelled: AbortSignal): Promise<DeliveryResult> {
    this.requests.push(req);
    const step = this.steps.shift();
    // Unscripted attempts fail loudly (as a failed attempt) rather than pretend to be a receiver.
    if (!step) throw new Error(`attempt ${req.attempt} of ${req.hookId} is not scripted`);
    const startedAt = new Date();
    const outcome = await step(req, cancelled);
    const finishedAt = new Date();
    return {
      ...outcome,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    };
  }
}

// --- Polling -------------------------------------------------------------------------------------------

/** Polls `probe` until it returns a value; fails with `what` after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = WAIT_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      // A probe may fail transiently (e.g. a query racing the workflow's first task); keep it for the message.
      last = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Sleeps until the wall clock reaches `at` (ms since the epoch). */
export async function sleepUntil(at: number): Promise<void> {
  const left = at - Date.now();
  if (left > 0) await sleep(left);
}

// --- Assertions ----------------------------------------------------------------------------------------

/** The workflow refused the update in its validator or handler: a HookStateConflict. */
export async function assertConflict(call: Promise<unknown>, message?: RegExp): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(
      error instanceof WorkflowUpdateFailedError,
      `expected WorkflowUpdateFailedError, got ${String(error)}`,
    );
    assert.ok(error.cause instanceof ApplicationFailure, `expected an ApplicationFailure cause`);
    assert.equal(error.cause.type, HOOK_STATE_CONFLICT);
    if (message) assert.match(error.cause.message, message);
    return true;
  });
}

/** The workflow has closed: Temporal itself refuses the update (the API maps this to a conflict). */
export async function assertClosed(call: Promise<unknown>): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof WorkflowNotFoundError, `expected WorkflowNotFoundError, got ${String(error)}`);
    return true;
  });
}

/**
 * Whether the workflow took an update or refused it (a HookStateConflict, or its run had already
 * closed); anything else is a failure of the test.
 */
export async function acceptedOrRefused(call: Promise<unknown>): Promise<'accepted' | 'refused'> {
  try {
    await call;
    return 'accepted';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'refused';
    const conflict =
      error instanceof WorkflowUpdateFailedError &&
      error.cause instanceof ApplicationFailure &&
      error.cause.type === HOOK_STATE_CONFLICT;
    if (conflict) return 'refused';
    throw error;
  }
}

/** Milliseconds between two ISO instants (`to - from`). */
export function msBetween(from: string | undefined, to: string | undefined): number {
  assert.ok(from !== undefined && to !== undefined, 'both instants must be set');
  return Date.parse(to) - Date.parse(from);
}

// --- Hooks under test ----------------------------------------------------------------------------------

/** A fast retry policy: fixed 100 ms without jitter, 3 attempts. */
export const FAST_RETRY: RetryOverride = { strategy: 'fixed', delaySecs: 0.1, jitter: 0, maxAttempts: 3 };

export interface HookOptions {
  /** The fake receiver's answers, one per attempt. */
  steps?: Step[];
  /** Default: now. */
  postAt?: Date;
  /** Default FAST_RETRY; `null` for the project defaults (DEFAULT_RETRY_POLICY) without an override. */
  retry?: RetryOverride | null;
  async?: boolean;
  /** Default 1 s: the activity's start-to-close timeout is this plus 5 s. */
  deliveryTimeoutMs?: number;
  /** Default 300 ms, so that a failed hook's workflow closes quickly unless the test retries it. */
  retryWindowMs?: number;
  data?: unknown;
  /**
   * Delivered in a batch: its batch's request answers from the script of the batch's first member. With
   * `joinReturnsLate`, the hook's join activity reports back only once its batch workflow has ended.
   */
  batch?: HookBatch & { joinReturnsLate?: boolean };
}

type MetricCall =
  | { kind: 'attemptOutcome'; value: string; projectId: string }
  | { kind: 'hookFinished'; value: string; projectId: string };

/** One hook workflow started for a test, with its fake receiver. */
export class TestHook {
  constructor(
    readonly input: HookWorkflowInput,
    readonly handle: WorkflowHandle<typeof hookWorkflow>,
    readonly fake: FakeDelivery,
    private readonly metrics: Map<string, MetricCall[]>,
  ) {}

  get workflowId(): string {
    return this.handle.workflowId;
  }

  state(): Promise<HookState> {
    return this.handle.query(hookStateQuery);
  }

  /** The workflow's result, once it closes (bounded, so that a hook that never closes fails its test). */
  result(): Promise<HookState> {
    return bounded(this.handle.result(), RESULT_TIMEOUT_MS, `${this.input.hookId}: the workflow result`);
  }

  /** Polls the hook's query until `predicate` holds. */
  waitFor(what: string, predicate: (state: HookState) => boolean, timeoutMs?: number): Promise<HookState> {
    return waitUntil(
      `${this.input.hookId}: ${what}`,
      async () => {
        const state = await this.state();
        return predicate(state) ? state : undefined;
      },
      timeoutMs,
    );
  }

  /** Waits until the fake receiver has been called `count` times. */
  waitForRequests(count: number, timeoutMs?: number): Promise<DeliveryRequest[]> {
    return waitUntil(
      `${this.input.hookId}: ${count} delivery requests`,
      () => (this.fake.requests.length >= count ? this.fake.requests : undefined),
      timeoutMs,
    );
  }

  cancel(): Promise<HookState> {
    return this.handle.executeUpdate(cancelHookUpdate);
  }

  reschedule(postAt: Date): Promise<HookState> {
    return this.handle.executeUpdate(rescheduleHookUpdate, { args: [postAt.toISOString()] });
  }

  retry(): Promise<HookState> {
    return this.handle.executeUpdate(retryHookUpdate);
  }

  /** An ack or nack as the callback route signals it; `receivedAt` defaults to now. */
  callback(signal: Omit<CallbackSignal, 'receivedAt'> & { receivedAt?: Date }): Promise<void> {
    const receivedAt = (signal.receivedAt ?? new Date()).toISOString();
    return this.handle.signal(callbackSignal, { ...signal, receivedAt });
  }

  /** The metrics sink calls this hook's workflow made, as `[kind, value]` pairs in order. */
  metricCalls(): [MetricCall['kind'], string][] {
    return (this.metrics.get(this.workflowId) ?? []).map((call) => {
      assert.equal(call.projectId, PROJECT_ID);
      return [call.kind, call.value];
    });
  }
}

let runtimeInstalled = false;

/** The dev server, the workflow bundle and the one worker of a suite. */
export class HookTestEnv {
  private readonly fakes = new Map<string, FakeDelivery>();
  private readonly lateJoins = new Set<string>();
  private readonly metrics = new Map<string, MetricCall[]>();
  private worker: Worker | undefined;
  private running: Promise<void> | undefined;
  private nextHook = 0;

  private constructor(private readonly env: TestWorkflowEnvironment) {}

  get client(): Client {
    return this.env.client;
  }

  static async start(): Promise<HookTestEnv> {
    if (!runtimeInstalled) {
      // Workflows log every status change at INFO; only problems are worth seeing in test output.
      Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
      runtimeInstalled = true;
    }
    // The cached build of the pinned CLI (npm test builds it first, in `pretest`).
    const binary = await obtainTemporalCli();
    const [env, bundle] = await Promise.all([
      TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: binary },
          ip: '127.0.0.1',
          // The dev server logs harmless races of queries with workflow tasks as errors.
          log: { format: 'pretty', level: 'never' },
          // The workflow upserts these; an unregistered one would fail its workflow task.
          searchAttributes: [...HOOK_SEARCH_ATTRIBUTES],
        },
      }),
      loadWorkflowBundle(),
    ]);
    const suite = new HookTestEnv(env);
    try {
      await suite.startWorker(bundle);
      // The first workflow task of a worker loads the bundle into its sandbox, which takes seconds; done
      // here, so that no test's timing depends on being first.
      await (await suite.schedule({ steps: [reply.ok()] })).result();
    } catch (error) {
      await suite.stop();
      throw error;
    }
    return suite;
  }

  private deliver(req: DeliveryRequest): Promise<DeliveryResult> {
    const fake = this.fakes.get(req.hookId);
    if (!fake) return Promise.reject(new Error(`no fake receiver for hook ${req.hookId}`));
    return fake.deliver(req, Context.current().cancellationSignal);
  }

  private async startWorker(workflowBundle: WorkflowBundle): Promise<void> {
    const joins = createBatchJoinActivities({ client: this.client, taskQueue: TASK_QUEUE });
    const record =
      (kind: MetricCall['kind']) =>
      // The number (attempt, or attempts in all) names the fact for the worker's once-only count.
      ({ workflowId }: { workflowId: string }, projectId: string, _fact: number, value: string) => {
        const calls = this.metrics.get(workflowId) ?? [];
        calls.push({ kind, projectId, value });
        this.metrics.set(workflowId, calls);
      };
    const sinks: InjectedSinks<HookMetricsSinks> = {
      hookMetrics: {
        attemptOutcome: { fn: record('attemptOutcome') },
        hookFinished: { fn: record('hookFinished') },
      },
    };
    this.worker = await Worker.create({
      connection: this.env.nativeConnection,
      namespace: this.env.namespace ?? 'default',
      taskQueue: TASK_QUEUE,
      workflowBundle,
      activities: {
        deliverHook: (req: DeliveryRequest): Promise<DeliveryResult> => this.deliver(req),
        joinBatch: async (req: { batch: BatchSettings; member: BatchMember }): Promise<string> => {
          const batchWorkflowId = await joins.joinBatch(req);
          if (this.lateJoins.has(req.member.hookId))
            await this.client.workflow.getHandle(batchWorkflowId).result();
          return batchWorkflowId;
        },
        deliverBatch: ({ members: [first], ...req }: BatchDeliveryRequest): Promise<DeliveryResult> =>
          first
            ? this.deliver({ ...first, ...req, async: false })
            : Promise.reject(new Error(`batch ${req.batchId} has no member`)),
      },
      sinks,
      // Fakes still hanging when the suite ends are cancelled rather than waited for.
      shutdownGraceTime: WORKER_SHUTDOWN_GRACE_MS,
    });
    this.running = this.worker.run();
  }

  /** Starts a hook's workflow the way the API does (input, id, reuse policy, start delay, record). */
  async schedule(options: HookOptions = {}): Promise<TestHook> {
    const hookId = `h${++this.nextHook}-${randomBytes(4).toString('hex')}`;
    const path = `/hooks/${hookId}`;
    const retryOverride = options.retry === null ? undefined : (options.retry ?? FAST_RETRY);
    const input = newHookWorkflowInput(
      {
        target: { path },
        // Never contacted: the activity is a fake.
        targetUrl: `http://127.0.0.1:9${path}`,
        data: options.data ?? { n: this.nextHook },
        postAt: (options.postAt ?? new Date()).toISOString(),
        retry: resolveRetryPolicy(DEFAULT_RETRY_POLICY, retryOverride),
        retryOverride,
        async: options.async ?? false,
        deliveryTimeoutMs: options.deliveryTimeoutMs ?? 1_000,
        ...(options.batch
          ? {
              batch: {
                key: options.batch.key,
                maxSize: options.batch.maxSize,
                windowSecs: options.batch.windowSecs,
              },
            }
          : {}),
      },
      { hookId, projectId: PROJECT_ID, retryWindowMs: options.retryWindowMs ?? 300 },
    );
    const fake = new FakeDelivery([...(options.steps ?? [])]);
    this.fakes.set(hookId, fake);
    if (options.batch?.joinReturnsLate) this.lateJoins.add(hookId);
    const handle = await this.client.workflow.start<typeof hookWorkflow>(
      'hookWorkflow',
      hookWorkflowStartOptions(input, { taskQueue: TASK_QUEUE }),
    );
    return new TestHook(input, handle, fake, this.metrics);
  }

  /** Stops the worker (hanging fakes are cancelled) and the dev server, whatever state they are in. */
  async stop(): Promise<void> {
    try {
      if (this.worker?.getState() === 'RUNNING') this.worker.shutdown();
      await this.running;
    } finally {
      await this.env.teardown();
    }
  }
}
