/**
 * Records real Temporal histories of every hook shape, as JSON fixtures for replay.test.ts.
 *
 *   npm run record-histories -- [outDir]
 *
 * Without outDir it writes to a new temporary folder and says which: the fixtures in ./histories stand
 * for hooks already in flight and are kept, so a new shape is recorded aside and only its file copied in.
 *
 * Each shape is one hook driven through the real API (app.inject) against a real receiver on 127.0.0.1,
 * run by the real worker on an embedded Temporal dev server, exactly as a user would drive it. The
 * histories are what workflows already in flight carry: whatever the workflow code becomes, it must
 * still replay them, so record them from the code those workflows were started with and keep them.
 *
 * Nothing is written unless every shape reached its expected state, so a failed run never leaves a
 * half-updated fixture set behind. A run takes about 40 s, most of it the shapes' own timers.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import * as prettier from 'prettier';
import type { AttemptOutcome, HookState, HookStatus } from '../../src/domain/hook';
import { type History, historyToJson } from '../../src/temporal/sdk-internals';
import { hookWorkflowId } from '../../src/workflows/hook-record';
import { type Arrival, type Reply, TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Hooks with path targets, delivered synchronously. */
const SYNC_PROJECT = 'rec-sync';
/** Async by project default, with URL targets: the other kind of target and the other delivery mode. */
const ASYNC_PROJECT = 'rec-async';

/** Short, jitter-free retries: every shape takes seconds, and the delays in the histories are exact. */
const QUICK_RETRY = { strategy: 'fixed', delaySecs: 0.2, jitter: 0 } as const;

/** No single wait in a shape takes longer than this; the longest (async-timeout) needs about 4 s. */
const WAIT_MS = 15_000;

interface Shape {
  /** The fixture's file name, without .json. */
  name: string;
  project: typeof SYNC_PROJECT | typeof ASYNC_PROJECT;
  /** The receiver's answers to this hook's deliveries, in order; the last one repeats. */
  replies: Reply[];
  /** What the hook must show when its history is taken; anything else aborts the recording. */
  expect: { status: HookStatus; outcomes: AttemptOutcome[] };
  /** Drives one hook through the API up to the point where its history is taken. */
  drive(run: ShapeRun): Promise<void>;
}

/** What a shape's drive() works with: its own hook, its own deliveries, and the API. */
class ShapeRun {
  hookId = '';

  constructor(
    private readonly stack: TestStack,
    private readonly receiver: TestReceiver,
    readonly shape: Shape,
  ) {}

  /** Schedules the shape's hook with its target and `body`, the way an API client would. */
  async schedule(body: Record<string, unknown>): Promise<void> {
    const target =
      this.shape.project === SYNC_PROJECT
        ? { path: `/${this.shape.name}` }
        : { url: `${this.receiver.url}/${this.shape.name}` };
    const hook = await this.stack.schedule(this.shape.project, {
      ...target,
      data: { shape: this.shape.name },
      ...body,
    });
    this.hookId = hook.id;
  }

  async request(method: 'POST' | 'PATCH' | 'DELETE', suffix: string, body?: unknown): Promise<HookState> {
    const response = await this.stack.request(
      this.shape.project,
      method,
      `/v1/hooks/${this.hookId}${suffix}`,
      body,
    );
    if (response.statusCode !== 200) {
      throw new Error(`${method} /v1/hooks/:id${suffix} answered ${response.statusCode}: ${response.body}`);
    }
    return response.json<{ data: HookState }>().data;
  }

  /**
   * The hook's history once its worker has nothing left to do. Also taken before every user action, so
   * that the action meets the workflow where a user would (asleep on its timer, parked, awaiting its
   * ack) and not inside its first workflow task: each fixture then shows one fixed interleaving.
   */
  settled(): Promise<History> {
    return settledHistory(
      this.stack.client.workflow.getHandle(hookWorkflowId(this.shape.project, this.hookId)),
    );
  }

  waitFor(predicate: (hook: HookState) => boolean): Promise<HookState> {
    return this.stack.waitForHook(this.shape.project, this.hookId, predicate, WAIT_MS);
  }

  waitForStatus(status: HookStatus): Promise<HookState> {
    return this.waitFor((hook) => hook.status === status);
  }

  /** Waits until the latest attempt answered 202 and the workflow is waiting for its callback. */
  async waitForAck(attempt: number): Promise<Arrival> {
    const arrivals = await this.receiver.waitFor(attempt, WAIT_MS, this.hookId);
    await this.waitFor((hook) => hook.attemptHistory[attempt - 1]?.outcome === 'async_pending');
    const arrival = arrivals[attempt - 1];
    if (!arrival) throw new Error(`delivery ${attempt} of ${this.shape.name} never arrived`);
    await this.settled();
    return arrival;
  }

  /** Calls an ack or nack URL the way a receiver would: through the API, which owns that path. */
  async callback(arrival: Arrival, kind: 'ack' | 'nack', body?: string): Promise<void> {
    const url = arrival.headers[`hook-${kind}-url`];
    if (typeof url !== 'string') throw new Error(`delivery to ${this.shape.name} carried no ${kind} URL`);
    const response = await this.stack.app.inject({
      method: 'POST',
      url: new URL(url).pathname,
      ...(body === undefined ? {} : { payload: body, headers: { 'content-type': 'text/plain' } }),
    });
    if (response.statusCode !== 200) {
      throw new Error(`${kind} for ${this.shape.name} answered ${response.statusCode}: ${response.body}`);
    }
  }
}

const SHAPES: Shape[] = [
  {
    name: 'sync-success',
    project: SYNC_PROJECT,
    replies: [{ status: 200 }],
    expect: { status: 'completed', outcomes: ['success'] },
    async drive(run) {
      await run.schedule({ postIn: '0s' });
      await run.waitForStatus('completed');
    },
  },
  {
    name: 'retries-then-success',
    project: SYNC_PROJECT,
    replies: [{ status: 500 }, { status: 503, headers: { 'retry-after': '1' } }, { status: 200 }],
    expect: { status: 'completed', outcomes: ['failure', 'failure', 'success'] },
    async drive(run) {
      await run.schedule({ postIn: '0s', retryOverride: QUICK_RETRY });
      await run.waitForStatus('completed');
    },
  },
  {
    name: 'gone-410',
    project: SYNC_PROJECT,
    replies: [{ status: 410 }],
    expect: { status: 'failed', outcomes: ['failure'] },
    async drive(run) {
      await run.schedule({ postIn: '0s' });
      await run.waitForStatus('failed');
    },
  },
  {
    name: 'exhausted',
    project: SYNC_PROJECT,
    replies: [{ status: 500 }],
    expect: { status: 'failed', outcomes: ['failure', 'failure', 'failure'] },
    async drive(run) {
      await run.schedule({ postIn: '0s', retryOverride: { ...QUICK_RETRY, maxAttempts: 3 } });
      await run.waitForStatus('failed');
    },
  },
  {
    name: 'sleeping',
    project: SYNC_PROJECT,
    replies: [{ status: 200 }],
    expect: { status: 'pending', outcomes: [] },
    async drive(run) {
      // Taken mid-flight: the workflow has started its timer and waits an hour.
      await run.schedule({ postIn: '1h' });
    },
  },
  {
    name: 'cancel-while-sleeping',
    project: SYNC_PROJECT,
    replies: [{ status: 200 }],
    expect: { status: 'cancelled', outcomes: [] },
    async drive(run) {
      await run.schedule({ postIn: '1h' });
      await run.settled();
      await run.request('DELETE', '');
      await run.waitForStatus('cancelled');
    },
  },
  {
    name: 'reschedule',
    project: SYNC_PROJECT,
    replies: [{ status: 200 }],
    expect: { status: 'completed', outcomes: ['success'] },
    async drive(run) {
      await run.schedule({ postIn: '1h' });
      await run.settled();
      await run.request('PATCH', '', { postIn: '1s' });
      await run.waitForStatus('completed');
    },
  },
  {
    name: 'retry-after-failure',
    project: SYNC_PROJECT,
    replies: [{ status: 410 }, { status: 200 }],
    expect: { status: 'completed', outcomes: ['failure', 'success'] },
    async drive(run) {
      await run.schedule({ postIn: '0s' });
      await run.waitForStatus('failed');
      await run.settled();
      await run.request('POST', '/retry');
      await run.waitForStatus('completed');
    },
  },
  {
    name: 'async-awaiting-ack',
    project: ASYNC_PROJECT,
    replies: [{ status: 202 }],
    expect: { status: 'pending', outcomes: ['async_pending'] },
    async drive(run) {
      // Taken mid-flight: the 202 is recorded and the workflow waits (300 s by default) for a callback.
      await run.schedule({ postIn: '0s' });
      await run.waitForAck(1);
    },
  },
  {
    name: 'async-ack',
    project: ASYNC_PROJECT,
    replies: [{ status: 202 }],
    expect: { status: 'completed', outcomes: ['acked'] },
    async drive(run) {
      await run.schedule({ postIn: '0s' });
      await run.callback(await run.waitForAck(1), 'ack');
      await run.waitForStatus('completed');
    },
  },
  {
    // Nack, then a plain 200 on attempt 2: covers the retry after a nack and an async hook answered
    // synchronously (its callback phase goes to done). Failed-and-parked is covered by three other shapes.
    name: 'async-nack',
    project: ASYNC_PROJECT,
    replies: [{ status: 202 }, { status: 200 }],
    expect: { status: 'completed', outcomes: ['nacked', 'success'] },
    async drive(run) {
      await run.schedule({ postIn: '0s', retryOverride: { ...QUICK_RETRY, maxAttempts: 2 } });
      await run.callback(await run.waitForAck(1), 'nack', 'queue full, try later');
      await run.waitForStatus('completed');
    },
  },
  {
    name: 'async-timeout',
    project: ASYNC_PROJECT,
    replies: [{ status: 202, headers: { 'hook-async-timeout': '1' } }],
    expect: { status: 'failed', outcomes: ['async_timeout'] },
    async drive(run) {
      // The workflow waits the 1 s deadline plus its 2 s grace before it gives up.
      await run.schedule({ postIn: '0s', retryOverride: { maxAttempts: 1 } });
      await run.waitForStatus('failed');
    },
  },
];

/**
 * The history once the worker has nothing left to do for now: no workflow task or activity pending, and
 * the same length on two looks in a row. A failed hook stays open, parked on its retry-window timer, and
 * a history taken before its last workflow task completed would end mid-task.
 */
async function settledHistory(handle: WorkflowHandle): Promise<History> {
  const deadline = Date.now() + WAIT_MS;
  let idleLength: number | undefined;
  for (;;) {
    const { raw } = await handle.describe();
    const idle = !raw.pendingWorkflowTask && (raw.pendingActivities?.length ?? 0) === 0;
    const history = await handle.fetchHistory();
    const length = history.events?.length ?? 0;
    if (idle && length === idleLength) return history;
    idleLength = idle ? length : undefined;
    if (Date.now() > deadline) throw new Error(`workflow ${handle.workflowId} never settled`);
    await sleep(500);
  }
}

/** Answers each delivery by the shape its path names, and by how many deliveries that hook had before. */
function scriptedReply(arrival: Arrival, arrivals: readonly Arrival[]): Reply {
  const name = new URL(arrival.path, 'http://receiver').pathname.slice(1);
  const replies = SHAPES.find((shape) => shape.name === name)?.replies;
  if (!replies) return { status: 404 };
  const index =
    arrivals.filter((other) => other.headers['webhook-id'] === arrival.headers['webhook-id']).length - 1;
  return replies[Math.min(index, replies.length - 1)] ?? { status: 500 };
}

/** Drives the shape's hook and returns its history as the fixture text for `file`. */
async function record(stack: TestStack, receiver: TestReceiver, shape: Shape, file: string): Promise<string> {
  const run = new ShapeRun(stack, receiver, shape);
  await shape.drive(run);
  const history = await run.settled();

  const hook = await stack.getHook(shape.project, run.hookId);
  const outcomes = hook.attemptHistory.map((attempt) => attempt.outcome);
  if (hook.status !== shape.expect.status || outcomes.join() !== shape.expect.outcomes.join()) {
    throw new Error(
      `${shape.name}: expected ${shape.expect.status} [${shape.expect.outcomes.join()}], ` +
        `got ${hook.status} [${outcomes.join()}]`,
    );
  }
  // Formatted as the repository's Prettier would, so that `npm run lint` passes and `npm run format`
  // never rewrites a recording.
  const json = await prettier.format(historyToJson(history), {
    ...(await prettier.resolveConfig(file)),
    filepath: file,
  });
  const events = String(history.events?.length ?? 0).padStart(3);
  const size = String(Buffer.byteLength(json)).padStart(6);
  console.log(`${shape.name.padEnd(22)} ${hook.status.padEnd(10)} ${events} events ${size} bytes`);
  return json;
}

async function main(): Promise<void> {
  const outDir = path.resolve(
    process.argv[2] ?? (await mkdtemp(path.join(tmpdir(), 'hookrelay-histories-'))),
  );
  const started = Date.now();
  let receiver: TestReceiver | undefined;
  let stack: TestStack | undefined;
  try {
    receiver = await TestReceiver.start((arrival) => scriptedReply(arrival, receiver?.arrivals ?? []));
    stack = await TestStack.start([
      { id: SYNC_PROJECT, baseUrl: receiver.url },
      { id: ASYNC_PROJECT, asyncHooks: true, allowUrlTargets: true },
    ]);
    const fixtures = new Map<string, string>();
    for (const shape of SHAPES) {
      const file = path.join(outDir, `${shape.name}.json`);
      fixtures.set(file, await record(stack, receiver, shape, file));
    }

    await mkdir(outDir, { recursive: true });
    for (const [file, json] of fixtures) await writeFile(file, json);
    console.log(
      `wrote ${fixtures.size} histories to ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    // The receiver is closed even if stopping the stack fails; a dev server left behind by a failed
    // start is killed by the dev-server module's exit hook.
    try {
      await stack?.close();
    } finally {
      await receiver?.close();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
