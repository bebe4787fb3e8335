import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { nextCronTimes, parseCron } from '../../src/domain/cron';
import { assertApiError } from '../support/api-error';
import { pollFor } from '../support/poll';
import { type Arrival, TestReceiver } from '../support/receiver';
import { TestStack } from '../support/stack';

interface ScheduleBody {
  id: string;
  paused: boolean;
  note?: string;
  nextRunTimes: string[];
  recentRuns: { scheduledAt: string; startedAt: string; hookId: string }[];
  [field: string]: unknown;
}

interface Delivered {
  id: string;
  data: unknown;
  schedule?: { id: string; scheduledAt: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('schedules: recurring hooks on Temporal Schedules', { timeout: 240_000 }, () => {
  let stack: TestStack;
  let receiver: TestReceiver;

  before(async () => {
    receiver = await TestReceiver.start();
    stack = await TestStack.start([
      { id: 'sched', baseUrl: receiver.url, retry: { maxAttempts: 1 } },
      { id: 'other', baseUrl: receiver.url },
    ]);
  });

  after(async () => {
    await stack.close();
    await receiver.close();
  });

  const call = async (
    projectId: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ) => {
    const response = await stack.request(projectId, method, url, payload);
    return { status: response.statusCode, body: response.json<{ data: ScheduleBody }>(), response };
  };
  const create = async (projectId: string, body: object) => {
    const { status, body: answer } = await call(projectId, 'POST', '/v1/schedules', body);
    assert.equal(status, 201, JSON.stringify(answer));
    return answer.data;
  };
  const read = async (projectId: string, id: string) =>
    (await call(projectId, 'GET', `/v1/schedules/${id}`)).body.data;
  const at = (path: string) => receiver.arrivals.filter((arrival) => arrival.path === path);
  const verified = (arrival: Arrival) =>
    new Webhook(stack.projects.sched?.signingSecret ?? '').verify(
      arrival.body,
      arrival.headers as Record<string, string>,
    ) as Delivered;

  it('runs every 2 s: signed, recorded hooks; pause stops, trigger delivers at once, resume, delete ends', async () => {
    const schedule = await create('sched', {
      path: '/tick',
      interval: '2s',
      data: { plan: 'daily' },
      retryOverride: { maxAttempts: 2, strategy: 'fixed', delaySecs: 1 },
    });
    assert.match(schedule.id, /^sch_[0-9a-f]{24}$/);
    assert.equal(schedule.paused, false);
    assert.equal(schedule.nextRunTimes.length, 5);
    const gaps = schedule.nextRunTimes
      .slice(1)
      .map((time, i) => Date.parse(time) - Date.parse(schedule.nextRunTimes[i] ?? ''));
    assert.deepEqual(gaps, [2000, 2000, 2000, 2000]);

    const first = await receiver.waitFor(3, 20_000).then(() => at('/tick'));
    assert.ok(first.length >= 3);
    const bodies = first.map(verified);
    for (const body of bodies) {
      assert.deepEqual(body.data, { plan: 'daily' });
      assert.equal(body.schedule?.id, schedule.id);
      assert.equal(Date.parse(body.schedule.scheduledAt) % 2000, 0, 'runs fall on the 2 s grid');
    }
    assert.equal(
      new Set(bodies.map((body) => body.schedule?.scheduledAt)).size,
      bodies.length,
      'one hook per run',
    );
    assert.equal(new Set(bodies.map((body) => body.id)).size, bodies.length);

    // The hook records where it came from, and the schedule names the hooks its runs made.
    const [sample] = bodies;
    assert.ok(sample);
    const hook = await stack.waitForHook('sched', sample.id, (state) => state.status === 'completed');
    assert.deepEqual(hook.schedule, sample.schedule);
    assert.deepEqual(
      hook.retryOverride,
      { maxAttempts: 2, strategy: 'fixed', delaySecs: 1 },
      "the schedule's",
    );
    const withRuns = await pollFor('the runs in the schedule', async () => {
      const current = await read('sched', schedule.id);
      const named = new Set(current.recentRuns.map((run) => run.hookId));
      return bodies.every((body) => named.has(body.id)) ? current : undefined;
    });
    for (const run of withRuns.recentRuns) {
      const delivered = bodies.find((body) => body.id === run.hookId);
      if (delivered) assert.equal(run.scheduledAt, delivered.schedule?.scheduledAt);
    }

    // Paused: nothing more arrives (a run already under way may still land while the pause settles).
    const paused = await call('sched', 'POST', `/v1/schedules/${schedule.id}/pause`, { note: 'maintenance' });
    assert.equal(paused.status, 200);
    assert.equal(paused.body.data.paused, true);
    assert.equal(paused.body.data.note, 'maintenance');
    await sleep(1_500);
    const whilePaused = at('/tick').length;
    await sleep(5_000);
    assert.equal(at('/tick').length, whilePaused, 'no delivery while paused');

    // Trigger now: one run at once, even while paused.
    const triggeredAt = Date.now();
    assert.equal((await call('sched', 'POST', `/v1/schedules/${schedule.id}/trigger`)).status, 200);
    await pollFor(
      'the triggered delivery',
      () => Promise.resolve(at('/tick').length > whilePaused ? true : undefined),
      10_000,
    );
    const triggered = at('/tick')[whilePaused] as Arrival;
    assert.ok(
      triggered.at - triggeredAt < 5_000,
      `delivered ${triggered.at - triggeredAt} ms after the trigger`,
    );
    const triggeredRun = verified(triggered).schedule;
    assert.equal(triggeredRun?.id, schedule.id);
    const scheduledFor = Date.parse(triggeredRun.scheduledAt) - triggeredAt;
    assert.ok(
      Math.abs(scheduledFor) < 5_000,
      `a triggered run is scheduled for the trigger (${scheduledFor} ms)`,
    );
    await sleep(3_000);
    assert.equal(at('/tick').length, whilePaused + 1, 'the trigger made one run, and the pause holds');

    const resumed = await call('sched', 'POST', `/v1/schedules/${schedule.id}/resume`, { note: 'done' });
    assert.equal(resumed.body.data.paused, false);
    assert.equal(resumed.body.data.note, 'done');
    await pollFor(
      'deliveries after resume',
      () => Promise.resolve(at('/tick').length >= whilePaused + 3 ? true : undefined),
      15_000,
    );

    // Deleted: 404, and no more deliveries.
    const deleted = await call('sched', 'DELETE', `/v1/schedules/${schedule.id}`);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.data.id, schedule.id);
    assertApiError((await call('sched', 'GET', `/v1/schedules/${schedule.id}`)).response, {
      status: 404,
      code: 'not_found',
    });
    await sleep(1_500);
    const afterDelete = at('/tick').length;
    await sleep(4_000);
    assert.equal(at('/tick').length, afterDelete, 'no delivery after delete');
  });

  it('backfills a past range: one hook per run the range holds, with its scheduled time', async () => {
    // Through the typed client, which has every schedule operation.
    const api = stack.api('sched');
    const hour = 3_600_000;
    const schedule = await api.schedules.create({ path: '/backfill', interval: '1h', data: 'late' });
    const top = Math.floor(Date.now() / hour) * hour;
    await api.schedules.backfill(schedule.id, {
      from: new Date(top - 3 * hour + 60_000).toISOString(),
      to: new Date(top - 60_000).toISOString(),
    });
    const expected = [top - 2 * hour, top - hour].map((time) => new Date(time).toISOString());
    await pollFor(
      'the backfilled deliveries',
      () => Promise.resolve(at('/backfill').length >= 2 ? true : undefined),
      20_000,
    );
    await sleep(2_000);
    const delivered = at('/backfill').map(verified);
    assert.deepEqual(delivered.map((body) => body.schedule?.scheduledAt).sort(), expected);
    const { recentRuns } = await api.schedules.get(schedule.id);
    assert.deepEqual(
      recentRuns.map((run) => [run.scheduledAt, run.hookId]).sort(),
      delivered.map((body) => [body.schedule?.scheduledAt, body.id]).sort(),
      'the schedule names the hook each backfilled run made',
    );
    assert.equal((await api.schedules.delete(schedule.id)).id, schedule.id);
    await assert.rejects(api.schedules.get(schedule.id), { status: 404, code: 'not_found' });
  });

  it('computes next run times across DST changes as Temporal does: one run a day, in gap and fold', async () => {
    const cases = [
      {
        startAt: '2027-03-26T00:00:00Z',
        // Paris skips 02:00-03:00 on 28 March 2027: the 02:30 run is at 03:30 CEST, once.
        expected: [
          '2027-03-26T01:30:00.000Z',
          '2027-03-27T01:30:00.000Z',
          '2027-03-28T01:30:00.000Z',
          '2027-03-29T00:30:00.000Z',
          '2027-03-30T00:30:00.000Z',
        ],
      },
      {
        startAt: '2027-10-29T00:00:00Z',
        // Paris shows 02:00-03:00 twice on 31 October 2027: the 02:30 run is once, at the second (CET).
        expected: [
          '2027-10-29T00:30:00.000Z',
          '2027-10-30T00:30:00.000Z',
          '2027-10-31T01:30:00.000Z',
          '2027-11-01T01:30:00.000Z',
          '2027-11-02T01:30:00.000Z',
        ],
      },
    ];
    for (const { startAt, expected } of cases) {
      const schedule = await create('sched', {
        path: '/dst',
        cron: '30 2 * * *',
        timezone: 'Europe/Paris',
        startAt,
      });
      assert.deepEqual(schedule.nextRunTimes, expected, `Temporal's run times from ${startAt}`);
      const preview = nextCronTimes(
        parseCron('30 2 * * *'),
        'Europe/Paris',
        new Date(Date.parse(startAt) - 1),
        5,
      );
      assert.deepEqual(
        preview.map((time) => time.toISOString()),
        expected,
        'the domain computes the same',
      );
      await call('sched', 'DELETE', `/v1/schedules/${schedule.id}`);
    }
  });

  it('refuses bad input with a 4xx JSON error and creates nothing; another project sees nothing', async () => {
    const listed = async (projectId: string) =>
      (await stack.request(projectId, 'GET', '/v1/schedules')).json<{ data: ScheduleBody[] }>().data;
    const before = (await listed('sched')).length;
    const bad: [object, number, string][] = [
      [{ path: '/x' }, 400, 'validation_failed'],
      [{ path: '/x', cron: '* * *' }, 400, 'validation_failed'],
      [{ path: '/x', cron: '61 * * * *' }, 400, 'validation_failed'],
      [{ path: '/x', cron: '0 0 30 2 *' }, 400, 'validation_failed'],
      [{ path: '/x', interval: '0s' }, 400, 'validation_failed'],
      [{ path: '/x', interval: 'soon' }, 400, 'validation_failed'],
      [{ path: '/x', interval: '1m', cron: '* * * * *' }, 400, 'validation_failed'],
      [{ path: '/x', interval: '1m', timezone: 'Mars/Olympus' }, 400, 'validation_failed'],
      [
        { path: '/x', interval: '1m', startAt: '2030-01-02T00:00:00Z', endAt: '2030-01-01T00:00:00Z' },
        400,
        'validation_failed',
      ],
      [{ path: '/x', interval: '1m', overlap: 'sometimes' }, 400, 'validation_failed'],
      [{ path: '/x', interval: '1m', jitter: '2d' }, 400, 'validation_failed'],
      [{ path: '/x', interval: '1m', retryOverride: { maxAttempts: 0 } }, 400, 'validation_failed'],
      [{ url: 'https://example.com/x', interval: '1m' }, 403, 'url_not_allowed'],
      [{ interval: '1m' }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of bad) {
      const response = await stack.request('sched', 'POST', '/v1/schedules', body);
      assertApiError(response, { status, code });
    }
    const backfillBad = await create('sched', {
      path: '/quiet',
      interval: '1h',
      startAt: '2099-01-01T00:00:00Z',
    });
    assertApiError(
      await stack.request('sched', 'POST', `/v1/schedules/${backfillBad.id}/backfill`, {
        from: '2030-01-02T00:00:00Z',
        to: '2030-01-01T00:00:00Z',
      }),
      { status: 400, code: 'validation_failed' },
    );
    assertApiError(
      await stack.request('sched', 'PATCH', `/v1/schedules/${backfillBad.id}`, {
        endAt: '2098-01-01T00:00:00Z',
      }),
      {
        status: 400,
        code: 'validation_failed',
      },
    );
    assertApiError(await stack.request('sched', 'GET', '/v1/schedules/sch_nope'), {
      status: 404,
      code: 'not_found',
    });

    // Another project can neither read nor change it, nor list it.
    for (const [method, path] of [
      ['GET', ''],
      ['POST', '/pause'],
      ['POST', '/trigger'],
      ['DELETE', ''],
    ] as const) {
      assertApiError(await stack.request('other', method, `/v1/schedules/${backfillBad.id}${path}`), {
        status: 404,
        code: 'not_found',
      });
    }
    const mine = await pollFor('the schedule listed', async () => {
      const list = await listed('sched');
      return list.some((item) => item.id === backfillBad.id) ? list : undefined;
    });
    assert.equal(mine.length, before + 1, 'only the one good schedule was created');
    assert.deepEqual(await listed('other'), []);

    // A schedule carries its project like a hook does, yet is never listed as a hook.
    const quiet = await create('other', { path: '/never', interval: '1d', startAt: '2099-01-01T00:00:00Z' });
    await pollFor('the schedule listed', async () =>
      (await listed('other')).some((item) => item.id === quiet.id) ? true : undefined,
    );
    assert.deepEqual((await stack.request('other', 'GET', '/v1/hooks')).json(), {
      data: [],
      nextCursor: null,
    });
    assert.equal((await stack.client.workflow.count('HookProject = "other"')).count, 0);
    await call('other', 'DELETE', `/v1/schedules/${quiet.id}`);

    // A change applies: the schedule reads back as patched.
    const patched = await call('sched', 'PATCH', `/v1/schedules/${backfillBad.id}`, {
      cron: '0 9 * * MON',
      timezone: 'America/New_York',
      description: 'weekly',
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.data.cron, '0 9 * * MON');
    assert.equal(patched.body.data.interval, undefined);
    assert.equal(patched.body.data.description, 'weekly');
    assert.equal(
      patched.body.data.nextRunTimes[0],
      '2099-01-05T14:00:00.000Z',
      'Monday 09:00 in New York, in winter',
    );
    await call('sched', 'DELETE', `/v1/schedules/${backfillBad.id}`);
  });
});
