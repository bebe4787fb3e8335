import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hook, HookDetail, HookPage, HookStatus, ListHooksQuery, Schedule } from '../../src/client';
import { freePort } from '../../src/lib/ports';
import { TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/hookrelay.mjs');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
}

/** Runs a program to its end; `env` entries are added to this process's (undefined ones removed). */
function run(file: string, args: string[], options: RunOptions): Promise<Run> {
  const env = Object.entries({ ...process.env, ...options.env }).filter(([, value]) => value !== undefined);
  const child = spawn(file, args, { cwd: ROOT, env: Object.fromEntries(env) });
  child.stdin.end(options.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

interface ErrorLine {
  error: {
    code: string;
    message: string;
    status?: number;
    details?: { field: string; message: string }[];
    retryAfterSecs?: number;
    notDone?: string[];
  };
}

/** What a receiver may answer to get control sequences onto an operator's terminal. */
const HOSTILE_BODY = 'oops \u001b]0;pwned\u0007 \u001b[31mred\u001b[0m\r\ndone';
/** Any control character but the newline that ends each line. */
const hasControl = (text: string) => /\p{Cc}/u.test(text.replaceAll('\n', ''));

/**
 * Something else listening where the CLI expects the API, answering as the test scripts it: a proxy that
 * rate-limits, an API that stalls or starts refusing the key halfway.
 */
async function fakeApi(
  answer: (request: IncomingMessage, response: ServerResponse, index: number) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  let index = 0;
  const server = createServer((request, response) => {
    answer(request, response, index++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      // A stalled answer would keep its connection, and close() waiting, for ever.
      server.closeAllConnections();
      return new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/** A hook as the API answers for one, enough for the CLI to print its line. */
function fakeHook(id: string): Partial<Hook> {
  return { id, status: 'pending', postAt: new Date().toISOString(), targetUrl: 'http://receiver.test/x' };
}

/**
 * The CLI as a user runs it: the real bin in a child process of its own, talking HTTP to an API listening on
 * 127.0.0.1, which delivers to a real receiver.
 */
describe('hookrelay CLI', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  let apiUrl: string;
  /** /flaky/… and /broken/… answer 500 until their test fixes them; /hostile/… always, with HOSTILE_BODY. */
  let flakyFixed = false;
  let brokenFixed = false;

  before(async () => {
    receiver = await TestReceiver.start((arrival) => {
      if (arrival.path.startsWith('/hostile')) return { status: 500, body: HOSTILE_BODY };
      if (arrival.path.startsWith('/flaky') && !flakyFixed) return { status: 500 };
      if (arrival.path.startsWith('/broken') && !brokenFixed) return { status: 500 };
      return { status: 200 };
    });
    stack = await TestStack.start([
      { id: 'cli', baseUrl: receiver.url },
      // Receives nothing but bad requests, so that "nothing was scheduled" can be checked by count.
      { id: 'cli-rejects', baseUrl: receiver.url },
    ]);
    await stack.app.listen({ host: '127.0.0.1', port: 0 });
    apiUrl = `http://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await stack.close();
    await receiver.close();
  });

  const keyOf = (projectId: string) => stack.projects[projectId]?.apiKey ?? '';

  /** Runs `hookrelay …args`; `env` entries replace (or, when undefined, remove) the defaults. */
  const cli = (args: string[], options: RunOptions = {}): Promise<Run> =>
    run(process.execPath, [BIN, ...args], {
      ...options,
      env: { HOOKRELAY_URL: apiUrl, HOOKRELAY_API_KEY: keyOf('cli'), NO_COLOR: '1', ...options.env },
    });

  /** Runs a command that must succeed and parses its one JSON document. */
  const cliJson = async <T>(args: string[], options?: Parameters<typeof cli>[1]): Promise<T> => {
    const run = await cli([...args, '--json'], options);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as T;
  };

  const schedule = async (args: string[]): Promise<Hook> =>
    (await cliJson<{ data: Hook }>(['hooks', 'schedule', ...args])).data;

  const until = (status: HookStatus) => (hook: Hook) => hook.status === status;

  /** Visibility is eventually consistent: waits until a list shows `count` hooks. */
  const waitForList = async (query: ListHooksQuery, count: number): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while ((await stack.api('cli').hooks.list(query)).data.length !== count) {
      if (Date.now() > deadline) throw new Error(`the list never showed ${count} hooks`);
      await sleep(200);
    }
  };

  it('--help lists every command and the exit codes', async () => {
    const run = await cli(['--help']);
    assert.equal(run.code, 0);
    for (const command of [
      'hooks schedule',
      'hooks get <id>',
      'hooks list',
      'hooks reschedule <id>',
      'hooks cancel <id...>',
      'hooks retry <id...>',
      'hooks replay <id...>',
      'hooks bulk cancel',
      'hooks bulk retry',
      'hooks bulk replay',
      'endpoints list',
      'endpoints pause <id>',
      'schedules create',
      'schedules backfill <id>',
    ]) {
      assert.match(run.stdout, new RegExp(`^  ${command.replace(/[.<>]/g, '\\$&')} `, 'm'), command);
    }
    assert.match(run.stdout, /HOOKRELAY_API_KEY/);
    assert.match(run.stdout, /^ {2}6 {2}could not reach the API/m);
    assert.match(run.stdout, /^ {2}7 {2}rate limited/m);

    const help = await cli(['help']);
    assert.equal(help.code, 0);
    assert.equal(help.stdout, run.stdout);
    // Without a command, the help is the answer to a mistake: on stderr, with a usage error's code.
    const bare = await cli([]);
    assert.equal(bare.code, 2);
    assert.equal(bare.stderr, run.stdout);
  });

  it('schedules a hook, and get shows it completed with its attempts', async () => {
    const scheduled = await schedule(['--path', '/orders/1', '--in', '0s', '--data', '{"orderId": 1}']);
    assert.equal(scheduled.status, 'pending');
    assert.equal(scheduled.path, '/orders/1');
    await stack.waitForHook('cli', scheduled.id, until('completed'));
    const [arrival] = await receiver.waitFor(1, 10_000, scheduled.id);
    assert.deepEqual((JSON.parse(arrival?.body ?? '{}') as { data: unknown }).data, { orderId: 1 });

    const human = await cli(['hooks', 'get', scheduled.id]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`^id: +${scheduled.id}$`, 'm'));
    assert.match(human.stdout, /^status: +completed$/m);
    assert.match(human.stdout, /^data: +\{"orderId":1\}$/m);
    assert.match(human.stdout, /^#\s+STARTED\s+DURATION\s+OUTCOME\s+HTTP/m);
    assert.match(human.stdout, /^1\s+\S+ \S+\s+[\d.]+m?s\s+success\s+200/m);

    const { data } = await cliJson<{ data: HookDetail }>(['hooks', 'get', scheduled.id]);
    assert.equal(data.status, 'completed');
    assert.deepEqual(
      data.attemptHistory.map((attempt) => [attempt.outcome, attempt.statusCode]),
      [['success', 200]],
    );
  });

  it('reads data from stdin, and a repeated idempotency key gives the first hook', async () => {
    const args = ['hooks', 'schedule', '--path', '/stdin', '--in', '1h', '--data-file', '-'];
    const first = await cliJson<{ data: Hook }>([...args, '--idempotency-key', 'cli-once'], {
      input: '{"from": "stdin"}',
    });
    const again = await cli([...args, '--idempotency-key', 'cli-once'], { input: '{"from": "stdin"}' });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^Already scheduled with this idempotency key: ${first.data.id} `));
    assert.deepEqual((await stack.getHook('cli', first.data.id)).data, { from: 'stdin' });
  });

  it('lists with filters, as a table and as JSON', async () => {
    const a = await schedule(['--path', '/list/a', '--in', '2h']);
    const b = await schedule(['--path', '/list/b', '--in', '3h']);
    const done = await schedule(['--path', '/list/c', '--in', '0s']);
    await stack.waitForHook('cli', done.id, until('completed'));
    await waitForList({ pathPrefix: '/list/', status: 'completed' }, 1);
    await waitForList({ pathPrefix: '/list/' }, 3);

    const page = await cliJson<HookPage>(['hooks', 'list', '--path-prefix', '/list/', '--status', 'pending']);
    assert.deepEqual(page.data.map((hook) => hook.id).sort(), [a.id, b.id].sort());
    assert.equal(page.nextCursor, null);

    const human = await cli(['hooks', 'list', '--path-prefix', '/list/', '--status', 'pending,completed']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^ID\s+STATUS\s+DUE\s+ATTEMPTS\s+TARGET\s+CREATED$/m);
    assert.match(human.stdout, new RegExp(`^${a.id}\\s+pending\\s+.+\\s+0\\s+/list/a\\s`, 'm'));
    assert.match(human.stdout, new RegExp(`^${done.id}\\s+completed\\s+.+\\s+1\\s+/list/c\\s`, 'm'));

    const dueLater = new Date(Date.now() + 150 * 60_000).toISOString();
    const filtered = await cliJson<HookPage>([
      'hooks',
      'list',
      '--path-prefix',
      '/list/',
      '--due-after',
      dueLater,
    ]);
    assert.deepEqual(
      filtered.data.map((hook) => hook.id),
      [b.id],
    );

    // --all pages through with the given page size and prints JSON lines, one hook per line.
    const all = await cli(['hooks', 'list', '--path-prefix', '/list/', '--limit', '1', '--all', '--json']);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.map((line) => (JSON.parse(line) as Hook).id).sort(), [a.id, b.id, done.id].sort());
  });

  it('cancels a far-future hook, and refuses to cancel it twice', async () => {
    const hook = await schedule(['--path', '/cancel-me', '--in', '30d']);
    const run = await cli(['hooks', 'cancel', hook.id]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Cancelled ${hook.id}\\s+cancelled\\s`));
    assert.equal((await stack.getHook('cli', hook.id)).status, 'cancelled');

    const again = await cli(['hooks', 'cancel', hook.id]);
    assert.equal(again.code, 3);
    assert.match(again.stderr, new RegExp(`^error: ${hook.id}: .+\\(HTTP 409 conflict\\)`));
  });

  it('schedules batched hooks, delivered in one request', async () => {
    const batchFlags = ['--batch-key', 'cli-batch', '--batch-max-size', '2', '--batch-window-secs', '30'];
    const hooks = [
      await schedule(['--path', '/batched/1', '--in', '0s', ...batchFlags]),
      await schedule(['--path', '/batched/1', '--in', '0s', ...batchFlags]),
    ];
    assert.deepEqual(
      hooks.map((hook) => hook.batch),
      [{ key: 'cli-batch' }, { key: 'cli-batch' }],
    );
    for (const hook of hooks) await stack.waitForHook('cli', hook.id, until('completed'));
    const batched = receiver.arrivals.filter((arrival) => arrival.path === '/batched/1');
    assert.equal(batched.length, 1, 'one request for both');
    assert.deepEqual(
      (JSON.parse(batched[0]?.body ?? '[]') as { id: string }[]).map((envelope) => envelope.id).toSorted(),
      hooks.map((hook) => hook.id).toSorted(),
    );

    const alone = await cli([
      'hooks',
      'schedule',
      '--path',
      '/batched/2',
      '--in',
      '0s',
      '--batch-max-size',
      '2',
    ]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--batch-max-size and --batch-window-secs go with --batch-key/);
  });

  it('retries a failed hook once the receiver is fixed, under the same id', async () => {
    const hook = await schedule([
      '--path',
      '/flaky/1',
      '--in',
      '0s',
      '--retry-strategy',
      'fixed',
      '--retry-max-attempts',
      '2',
      '--retry-delay-secs',
      '0.2',
      '--retry-jitter',
      '0',
    ]);
    assert.deepEqual(hook.retryOverride, { strategy: 'fixed', maxAttempts: 2, delaySecs: 0.2, jitter: 0 });
    const failed = await stack.waitForHook('cli', hook.id, until('failed'));
    assert.equal(failed.attempts, 2);

    flakyFixed = true;
    const run = await cli(['hooks', 'retry', hook.id, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { data: Hook }).data.id, hook.id);
    const completed = await stack.waitForHook('cli', hook.id, until('completed'));
    assert.deepEqual(
      completed.attemptHistory.map((attempt) => attempt.outcome),
      ['failure', 'failure', 'success'],
    );
  });

  it('replays a finished hook into a new one', async () => {
    const original = await schedule(['--path', '/replay', '--in', '0s', '--data', '[1, 2]']);
    await stack.waitForHook('cli', original.id, until('completed'));
    const run = await cli(['hooks', 'replay', original.id]);
    assert.equal(run.code, 0, run.stderr);
    const copyId = /^Replayed \S+ as (hk_\w+) /.exec(run.stdout)?.[1] ?? '';
    assert.notEqual(copyId, original.id);
    const copy = await stack.waitForHook('cli', copyId, until('completed'));
    assert.deepEqual(copy.data, [1, 2]);
  });

  it('reschedules a waiting hook', async () => {
    const hook = await schedule(['--path', '/later', '--in', '1h']);
    const at = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const { data } = await cliJson<{ data: Hook }>(['hooks', 'reschedule', hook.id, '--at', at]);
    assert.equal(data.postAt, at);
    assert.equal((await stack.getHook('cli', hook.id)).postAt, at);
  });

  it('bulk-cancels by filter with a count, and skips what is already cancelled', async () => {
    const hooks = await Promise.all(
      Array.from({ length: 5 }, (_, i) => schedule(['--path', `/bulk/${i}`, '--in', '2h'])),
    );
    await waitForList({ pathPrefix: '/bulk/', status: 'pending' }, 5);

    const dryRun = await cliJson<{ matched: number }>([
      'hooks',
      'bulk',
      'cancel',
      '--path-prefix',
      '/bulk/',
      '--dry-run',
    ]);
    assert.equal(dryRun.matched, 5);

    const run = await cli(['hooks', 'bulk', 'cancel', '--path-prefix', '/bulk/']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'Cancelled 5 of 5 hooks; 0 skipped (not in a state to cancel), 0 failed.\n');
    for (const hook of hooks) assert.equal((await stack.getHook('cli', hook.id)).status, 'cancelled');

    const ids = hooks.slice(0, 2).map((hook) => hook.id);
    const summary = await cliJson<Record<string, number>>([
      'hooks',
      'bulk',
      'cancel',
      '--ids',
      ids.join(','),
    ]);
    assert.deepEqual(summary, { matched: 2, affected: 0, skipped: 2, failed: 0, notDone: 0 });
  });

  it('bulk-retries failed hooks by filter, then replays them by ids from stdin', async () => {
    const hooks = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        schedule(['--path', `/broken/${i}`, '--in', '0s', '--retry-max-attempts', '1']),
      ),
    );
    for (const hook of hooks) await stack.waitForHook('cli', hook.id, until('failed'));
    await waitForList({ pathPrefix: '/broken/', status: 'failed' }, 3);

    brokenFixed = true;
    const retry = await cli(['hooks', 'bulk', 'retry', '--path-prefix', '/broken/']);
    assert.equal(retry.code, 0, retry.stderr);
    assert.equal(retry.stdout, 'Retried 3 of 3 hooks; 0 skipped (not in a state to retry), 0 failed.\n');
    for (const hook of hooks) await stack.waitForHook('cli', hook.id, until('completed'));

    const ids = hooks.map((hook) => hook.id);
    const replay = await cliJson<Record<string, number>>(['hooks', 'bulk', 'replay', '--ids', '-'], {
      input: `${ids.join('\n')}\n`,
    });
    assert.deepEqual(replay, { matched: 3, affected: 3, skipped: 0, failed: 0, notDone: 0 });
  });

  it("never prints a receiver's control sequences to a person; --json keeps them exact", async () => {
    const hook = await schedule(['--path', '/hostile/1', '--in', '0s', '--retry-max-attempts', '1']);
    await stack.waitForHook('cli', hook.id, until('failed'));

    const human = await cli(['hooks', 'get', hook.id]);
    assert.equal(human.code, 0, human.stderr);
    assert.ok(!hasControl(human.stdout + human.stderr), human.stdout);
    assert.match(human.stdout, /^1\s.+\sfailure\s+500\s+oops\s+red done$/m);

    const { data } = await cliJson<{ data: HookDetail }>(['hooks', 'get', hook.id]);
    assert.equal(data.attemptHistory[0]?.responseBody, HOSTILE_BODY);
  });

  it('shows a progress bar on a terminal', { skip: !hasScript() && 'needs script(1)' }, async () => {
    const hooks = await Promise.all(
      Array.from({ length: 3 }, (_, i) => schedule(['--path', `/progress/${i}`, '--in', '2h'])),
    );
    const ids = hooks.map((hook) => hook.id).join(',');
    // script(1) gives the CLI a terminal; its output carries stdout and stderr together.
    const terminal = await run(
      'script',
      ['-qec', `'${process.execPath}' '${BIN}' hooks bulk cancel --ids ${ids}`, '/dev/null'],
      { env: { HOOKRELAY_URL: apiUrl, HOOKRELAY_API_KEY: keyOf('cli') } },
    );
    assert.equal(terminal.code, 0, terminal.stdout);
    assert.match(terminal.stdout, /cancel .*3\/3 \| 3 done, 0 skipped, 0 failed/);
    assert.match(terminal.stdout, /Cancelled 3 of 3 hooks/);
  });

  it('pauses and resumes an endpoint, and shows its note without control sequences', async () => {
    const hook = await schedule(['--path', '/endpoint/pause', '--in', '0s']);
    await stack.waitForHook('cli', hook.id, until('completed'));
    const endpointId = (await stack.api('cli').hooks.get(hook.id)).endpoint?.id ?? '';
    // The hook names its endpoint at once; the endpoint's own record may come a moment after the attempt.
    const deadline = Date.now() + 15_000;
    while (
      !(await stack
        .api('cli')
        .endpoints.get(endpointId)
        .then(Boolean, () => false))
    ) {
      if (Date.now() > deadline) throw new Error(`endpoint ${endpointId} never appeared`);
      await sleep(200);
    }

    const note = 'maintenance \u001b[2J\u001b]8;;http://evil.test\u0007until noon';
    const paused = await cliJson<{ data: { state: string; stateNote?: string } }>([
      'endpoints',
      'pause',
      endpointId,
      '--note',
      note,
    ]);
    assert.deepEqual([paused.data.state, paused.data.stateNote], ['paused', note]);
    const shown = await cli(['endpoints', 'get', endpointId]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(!hasControl(shown.stdout), shown.stdout);
    assert.match(shown.stdout, /^note: +maintenance until noon$/m);

    const resumed = await cli(['endpoints', 'resume', endpointId]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`^Resumed ${endpointId}\\s+active\\s`));

    const limited = await cliJson<{ data: { limits: object } }>([
      'endpoints',
      'limit',
      endpointId,
      '--rate',
      '2.5',
      '--in-flight',
      '3',
    ]);
    assert.deepEqual(limited.data.limits, { ratePerSecond: 2.5, maxInFlight: 3 });
    assert.match((await cli(['endpoints', 'get', endpointId])).stdout, /^limits: +2\.5\/s, 3 in flight$/m);
    const refused = await cli(['endpoints', 'limit', endpointId, '--rate', '-1']);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /limits\.ratePerSecond/);
    assert.equal((await cli(['endpoints', 'limit', endpointId])).code, 2);
    const cleared = await cli(['endpoints', 'limit', endpointId, '--clear']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match(cleared.stdout, /no rate limit, no concurrency limit/);

    const batching = await cliJson<{ data: { batch?: object } }>([
      'endpoints',
      'batch',
      endpointId,
      '--window',
      '5',
    ]);
    assert.equal((batching.data.batch as { windowSecs?: number } | undefined)?.windowSecs, 5);
    assert.match(
      (await cli(['endpoints', 'get', endpointId])).stdout,
      /^batching: +up to \d+ hooks a request, sent within 5 s$/m,
    );
    const badBatch = await cli(['endpoints', 'batch', endpointId, '--max-size', '0']);
    assert.equal(badBatch.code, 3, badBatch.stderr);
    assert.match(badBatch.stderr, /batch\.maxSize/);
    const unbatched = await cli(['endpoints', 'batch', endpointId, '--off']);
    assert.equal(unbatched.code, 0, unbatched.stderr);
    assert.match(unbatched.stdout, /^Batching of \S+: off$/m);
  });

  it('creates, shows, pauses, triggers and deletes a schedule', async () => {
    const created = await cliJson<{ data: Schedule }>([
      'schedules',
      'create',
      '--path',
      '/cli-schedule',
      '--cron',
      '30 2 * * *',
      '--timezone',
      'Europe/Paris',
      '--data',
      '{"report": "nightly"}',
      '--description',
      'nightly report',
    ]);
    assert.equal(created.data.cron, '30 2 * * *');
    assert.deepEqual(created.data.data, { report: 'nightly' });
    const id = created.data.id;

    const shown = await cli(['schedules', 'get', id]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^when: +cron "30 2 \* \* \*" Europe\/Paris$/m);
    assert.match(shown.stdout, /^state: +active$/m);

    const paused = await cli(['schedules', 'pause', id, '--note', 'quiet week']);
    assert.equal(paused.code, 0, paused.stderr);
    assert.match((await cli(['schedules', 'get', id])).stdout, /^note: +quiet week$/m);

    const before = receiver.arrivals.filter((arrival) => arrival.path === '/cli-schedule').length;
    assert.equal((await cli(['schedules', 'trigger', id])).code, 0);
    await receiver.waitFor(before + 1, 15_000);
    assert.match((await cli(['schedules', 'list'])).stdout, new RegExp(`^${id} +/cli-schedule +cron`, 'm'));

    const deleted = await cli(['schedules', 'delete', id]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const gone = await cli(['schedules', 'get', id, '--json']);
    assert.equal(gone.code, 4, gone.stderr);
    assert.equal((JSON.parse(gone.stderr) as ErrorLine).error.code, 'not_found');
    assert.equal((await cli(['schedules', 'create', '--path', '/x'])).code, 2, 'no --cron nor --interval');
  });

  it('takes the key from --api-key, ahead of the environment', async () => {
    const run = await cli(['--api-key', keyOf('cli'), 'hooks', 'list', '--limit', '1', '--json'], {
      env: { HOOKRELAY_API_KEY: 'hr_wrong-key' },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Array.isArray((JSON.parse(run.stdout) as HookPage).data));
  });

  describe('a key refused, or the API rate-limiting, partway through', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `hk_${String(i).padStart(32, '0')}`);
    /** Answers the first `answered` requests, then refuses the key, as when it is revoked during a run. */
    const refusingAfter = (answered: number) =>
      fakeApi((request, response, index) => {
        const hookId = /\/v1\/hooks\/([^/]+)\//.exec(request.url ?? '')?.[1] ?? '';
        if (index < answered) response.writeHead(200).end(JSON.stringify({ data: fakeHook(hookId) }));
        else response.writeHead(401).end('{"error": {"code": "unauthorized", "message": "invalid API key"}}');
      });

    it('bulk: prints its summary, then the failure with the ids left undone, and exits with its code', async () => {
      const api = await refusingAfter(3);
      try {
        const args = ['--api-url', api.url, 'hooks', 'bulk', 'retry', '--ids', ids.join(',')];
        const json = await cli([...args, '--json']);
        assert.equal(json.code, 5, json.stderr);
        // Eight requests at a time: the five in flight with the fourth are refused too, the last two not sent.
        assert.deepEqual(JSON.parse(json.stdout), {
          matched: 10,
          affected: 3,
          skipped: 0,
          failed: 0,
          notDone: 7,
        });
        const { error } = JSON.parse(json.stderr.trimEnd().split('\n').at(-1) ?? '') as ErrorLine;
        assert.equal(error.status, 401);
        assert.equal(error.notDone?.length, 7);
      } finally {
        await api.close();
      }
    });

    it('several ids: prints each one done before the failure', async () => {
      const api = await refusingAfter(1);
      try {
        const run = await cli(['--api-url', api.url, 'hooks', 'retry', ...ids.slice(0, 2)]);
        assert.equal(run.code, 5);
        assert.match(run.stdout, new RegExp(`^Retried ${ids[0]}\\s+pending\\s`));
        assert.match(
          run.stderr,
          /^error: invalid API key \(HTTP 401 unauthorized\)\n {2}not done: hk_0+1\n$/,
        );
      } finally {
        await api.close();
      }
    });

    it('429: exit 7 with the Retry-After', async () => {
      const api = await fakeApi((_request, response) => {
        response
          .writeHead(429, { 'retry-after': '90', 'content-type': 'application/json' })
          .end('{"error": {"code": "rate_limited", "message": "slow down"}}');
      });
      try {
        const run = await cli(['--api-url', api.url, 'hooks', 'list']);
        assert.equal(run.code, 7);
        assert.equal(run.stderr, 'error: slow down (HTTP 429 rate_limited); retry after 1m 30s\n');
        const json = await cli([
          '--api-url',
          api.url,
          'hooks',
          'bulk',
          'cancel',
          '--ids',
          ids.join(','),
          '--json',
        ]);
        assert.equal(json.code, 7);
        assert.equal((JSON.parse(json.stdout) as { notDone: number }).notDone, 10);
        const { error } = JSON.parse(json.stderr) as ErrorLine;
        assert.deepEqual([error.status, error.retryAfterSecs], [429, 90]);
      } finally {
        await api.close();
      }
    });
  });

  describe('bad input: a clear message and an exit code that says what went wrong', () => {
    const rejects = { HOOKRELAY_API_KEY: '' };
    before(() => {
      rejects.HOOKRELAY_API_KEY = keyOf('cli-rejects');
    });
    const scheduledByRejects = () =>
      stack.client.workflow.count('HookProject = "cli-rejects"').then((result) => result.count);

    it('invalid JSON in --data: exit 2, and nothing is sent', async () => {
      const run = await cli(['hooks', 'schedule', '--path', '/x', '--in', '0s', '--data', '{"a": '], {
        env: rejects,
      });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^error: --data is not valid JSON/);
      assert.equal(run.stdout, '');
      const json = await cli(
        ['--json', 'hooks', 'schedule', '--path', '/x', '--in', '0s', '--data', 'nope'],
        {
          env: rejects,
        },
      );
      assert.equal(json.code, 2);
      assert.equal((JSON.parse(json.stderr) as ErrorLine).error.code, 'usage_error');
      assert.equal(json.stdout, '');
    });

    it('flags the CLI can check: exit 2', async () => {
      for (const args of [
        ['hooks', 'schedule', '--path', '/x', '--in', '1m', '--at', '2030-01-01T00:00:00Z'],
        ['hooks', 'schedule', '--path', '/x'],
        ['hooks', 'list', '--status', 'done'],
        ['hooks', 'list', '--bogus'],
        ['hooks', 'bulk', 'retry'],
        ['--api-url', 'ftp://example.com', 'hooks', 'list'],
      ]) {
        const run = await cli(args, { env: rejects });
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, /^error: /, args.join(' '));
      }
    });

    it('a value the API refuses: exit 3 with the field and its message', async () => {
      const run = await cli(['hooks', 'schedule', '--path', '/x', '--in', 'abc'], { env: rejects });
      assert.equal(run.code, 3);
      assert.match(run.stderr, /^error: invalid body \(HTTP 400 validation_failed\)\n {2}postIn: .+/);
      const json = await cli(['--json', 'hooks', 'schedule', '--path', '/x', '--in', 'abc'], {
        env: rejects,
      });
      assert.equal(json.code, 3);
      const { error } = JSON.parse(json.stderr) as ErrorLine;
      assert.equal(error.code, 'validation_failed');
      assert.equal(error.status, 400);
      assert.deepEqual(
        error.details?.map((detail) => detail.field),
        ['postIn'],
      );
      assert.equal(json.stdout, '');
      assert.equal(await scheduledByRejects(), 0);
    });

    it('an unknown id: exit 4', async () => {
      const run = await cli(['hooks', 'get', `hk_${'0'.repeat(32)}`]);
      assert.equal(run.code, 4);
      assert.match(run.stderr, /not found \(HTTP 404 not_found\)/);
    });

    it('a wrong or missing key: exit 5, and the key is never printed', async () => {
      const wrong = await cli(['hooks', 'list'], { env: { HOOKRELAY_API_KEY: 'hr_wrong-key' } });
      assert.equal(wrong.code, 5);
      assert.match(wrong.stderr, /HTTP 401/);
      assert.doesNotMatch(wrong.stdout + wrong.stderr, /hr_wrong-key/);
      const missing = await cli(['hooks', 'list'], { env: { HOOKRELAY_API_KEY: undefined } });
      assert.equal(missing.code, 5);
      assert.match(missing.stderr, /no API key: set HOOKRELAY_API_KEY/);
    });

    it(
      'stdin that is a terminal: exit 2 at once rather than waiting',
      { skip: !hasScript() && 'needs script(1)' },
      async () => {
        for (const args of ['hooks schedule --path /x --in 0s --data-file -', 'hooks bulk cancel --ids -']) {
          // script(1) gives the CLI a terminal, stdin included; its output carries stdout and stderr together.
          const terminal = await run(
            'script',
            ['-qec', `'${process.execPath}' '${BIN}' ${args}`, '/dev/null'],
            {
              env: { HOOKRELAY_URL: apiUrl, NO_COLOR: '1', ...rejects },
            },
          );
          assert.equal(terminal.code, 2, terminal.stdout);
          assert.match(
            terminal.stdout,
            /^error: --(data-file|ids) - reads stdin, which is a terminal here/,
            args,
          );
        }
        assert.equal(await scheduledByRejects(), 0);
      },
    );

    it('an API that stalls in the middle of its answer: exit 6 once --timeout has passed', async () => {
      const api = await fakeApi((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).write('{"data": [');
      });
      try {
        const run = await cli(['--api-url', api.url, '--timeout', '0.5', 'hooks', 'list']);
        assert.equal(run.code, 6);
        assert.equal(
          run.stderr,
          `error: could not reach the API at ${api.url}: no complete answer within 0.5 s (--timeout)\n`,
        );
      } finally {
        await api.close();
      }
    });

    it('an API that cannot be reached: exit 6', async () => {
      const nowhere = `http://127.0.0.1:${await freePort()}`;
      const run = await cli(['hooks', 'list'], { env: { HOOKRELAY_URL: nowhere } });
      assert.equal(run.code, 6);
      assert.match(run.stderr, new RegExp(`could not reach the API at ${nowhere}: ECONNREFUSED`));
      const flag = await cli(['--json', '--api-url', nowhere, 'hooks', 'get', 'hk_x']);
      assert.equal(flag.code, 6);
      assert.equal((JSON.parse(flag.stderr) as ErrorLine).error.code, 'unreachable');
    });
  });
});

function hasScript(): boolean {
  return spawnSync('script', ['--version']).status === 0;
}
