import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { bundleWorkflowCode, DefaultLogger, type ReplayResult, Runtime, Worker } from '@temporalio/worker';
import { registry } from '../../src/metrics/registry';
import { hookMetricsSinks } from '../../src/worker/metrics-sinks';
import { historyFromJson } from '../../src/temporal/sdk-internals';

/**
 * Histories of hooks recorded from earlier workflow code (see record-histories.ts), one folder per
 * version of the workflow's shape. A hook workflow lives as long as its hook, up to the retry window
 * after a failure, so a hook of any of these shapes and versions can be in flight while new code is
 * deployed; code that cannot replay their histories would fail them.
 */
const HISTORIES_DIR = path.join(__dirname, 'histories');

/** The versions recorded so far, oldest first: a version's folder is kept while its hooks may live. */
const VERSIONS = [
  '2026-11-23-initial',
  '2026-11-24-published-state',
  '2026-11-24-start-delay',
  '2026-11-24-lean-history',
];

/**
 * Endpoint workflows run as long as their endpoint, for good, and the hooks they hold meet them: the
 * endpoint's life, one alert, and a hook held and released, by the version of the code that recorded
 * them (record-endpoint-histories.ts).
 */
const ENDPOINT_VERSIONS = ['2026-11-24-endpoints'];
const EXPECTED_ENDPOINT_SHAPES = ['endpoint-lifecycle', 'alert', 'held-released'];

/**
 * An endpoint with limits, and the hooks it held and let go in slots, one of them backed off by a 429
 * (record-limits-histories.ts).
 */
const LIMITS_VERSIONS = ['2026-11-24-limits'];
const EXPECTED_LIMITS_SHAPES = ['endpoint-limited', 'limited-released', 'limited-throttled'];

/**
 * A project's subscriptions workflow runs as long as the project, and an event's workflow may be retrying
 * its activity when new code is deployed: the subscriptions' first run up to its continue-as-new, and
 * events with and without hooks (record-fanout-histories.ts).
 */
const FANOUT_VERSIONS = ['2026-11-24-fanout'];
const EXPECTED_FANOUT_SHAPES = ['subscriptions-continued', 'event-fanout', 'event-unmatched'];

/**
 * A batch workflow gathers, sends and retries while its members wait on it, and a new deploy meets both:
 * a batch retried as a whole and one a member left, with a member of each (record-batching-histories.ts).
 */
const BATCHING_VERSIONS = ['2026-11-24-batching'];
/** A batch whose request its paused endpoint held, then let go (record-batch-held-histories.ts). */
const BATCH_HELD_VERSIONS = ['2026-11-25-batch-held'];
const EXPECTED_BATCH_HELD_SHAPES = ['batch-held-released', 'batched-hook-held'];
/**
 * An endpoint set to batch and then not, its batch, and a hook it batched that named no key of its own
 * (record-endpoint-batch-histories.ts).
 */
const ENDPOINT_BATCH_VERSIONS = ['2026-11-25-endpoint-batch'];
const EXPECTED_ENDPOINT_BATCH_SHAPES = ['endpoint-batching', 'endpoint-batch', 'endpoint-batched-hook'];
/** A project's settings workflow runs as long as the project (record-project-settings-histories.ts). */
const PROJECT_SETTINGS_VERSIONS = ['2026-11-25-project-settings'];
const EXPECTED_PROJECT_SETTINGS_SHAPES = ['project-settings'];
/**
 * A schedule's run, started by its Temporal Schedule, may be retrying its activity when new code is
 * deployed, and the hook it made is an ordinary hook that records the schedule
 * (record-schedule-histories.ts).
 */
const SCHEDULE_VERSIONS = ['2026-11-25-schedules'];
const EXPECTED_SCHEDULE_SHAPES = ['schedule-run', 'scheduled-hook'];
const EXPECTED_BATCHING_SHAPES = [
  'batch-retried',
  'batched-hook-retried',
  'batch-with-leave',
  'batched-hook-cancelled',
];

/**
 * An ingested event's workflow stays open through its dedupe window (a day by default): one forwarded
 * after a delay, with a duplicate and a replay while open; one fanned out; and the run a replay starts
 * after the window (record-ingestion-histories.ts).
 */
const INGESTION_VERSIONS = ['2026-11-25-ingestion'];
const EXPECTED_INGESTION_SHAPES = ['ingest-forwarded', 'ingest-fanout', 'ingest-replayed-closed'];

/** Every shape must keep its fixture: a deleted one would silently drop that shape from the check. */
const EXPECTED_SHAPES = [
  'sync-success',
  'retries-then-success',
  'gone-410',
  'exhausted',
  'sleeping',
  'cancel-while-sleeping',
  'reschedule',
  'retry-after-failure',
  'async-awaiting-ack',
  'async-ack',
  'async-nack',
  'async-timeout',
];

// Read when the file loads, so that each fixture gets a test of its own and a failure names it.
const ALL_VERSIONS = [
  ...VERSIONS,
  ...ENDPOINT_VERSIONS,
  ...LIMITS_VERSIONS,
  ...FANOUT_VERSIONS,
  ...BATCHING_VERSIONS,
  ...BATCH_HELD_VERSIONS,
  ...ENDPOINT_BATCH_VERSIONS,
  ...PROJECT_SETTINGS_VERSIONS,
  ...INGESTION_VERSIONS,
  ...SCHEDULE_VERSIONS,
];
const fixtures = ALL_VERSIONS.flatMap((version) => {
  const folder = path.join(HISTORIES_DIR, version);
  return existsSync(folder)
    ? readdirSync(folder)
        .filter((file) => file.endsWith('.json'))
        .map((file) => `${version}/${file.slice(0, -'.json'.length)}`)
        .sort()
    : [];
});

/** EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: the workflow code has run at least once. */
const WORKFLOW_TASK_COMPLETED = 7;

describe('hook workflow replay', () => {
  const results = new Map<string, ReplayResult>();
  /**
   * Histories of hooks still waiting out their start delay, by the number of events they hold: no workflow
   * code has run, so there is nothing to replay.
   */
  const notStarted = new Map<string, number>();

  before(async () => {
    // The SDK logs worker state changes and the bundle at INFO; a replay problem shows at WARN or above.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const histories = await Promise.all(
      fixtures.map(async (name) => ({
        // The replayer takes the workflow id beside the history. The hook workflow reads its ids from its
        // input, never from workflowInfo(), so the fixture's name can stand in and each result names it.
        workflowId: name,
        history: historyFromJson(
          JSON.parse(await readFile(path.join(HISTORIES_DIR, `${name}.json`), 'utf8')),
        ),
      })),
    );
    for (const { workflowId, history } of histories) {
      const ran = history.events?.some((event) => Number(event.eventType) === WORKFLOW_TASK_COMPLETED);
      if (!ran) notStarted.set(workflowId, history.events?.length ?? 0);
    }
    // The entry point and bundler the worker uses (src/worker/create-worker.ts).
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/workflows'),
      logger: Runtime.instance().logger,
    });
    // The worker's own sinks: a replay worker never calls them, but without them each sink call the
    // workflow makes is logged as an error ("unregistered external sink").
    for await (const result of Worker.runReplayHistories(
      { workflowBundle, sinks: hookMetricsSinks() },
      // The replayer would wait forever for a workflow task in a history that has none.
      histories.filter(({ workflowId }) => !notStarted.has(workflowId)),
    )) {
      results.set(result.workflowId, result);
    }
  });

  it('has a recorded history for every hook shape', () => {
    const missing = (
      [
        [VERSIONS, EXPECTED_SHAPES],
        [ENDPOINT_VERSIONS, EXPECTED_ENDPOINT_SHAPES],
        [LIMITS_VERSIONS, EXPECTED_LIMITS_SHAPES],
        [FANOUT_VERSIONS, EXPECTED_FANOUT_SHAPES],
        [BATCHING_VERSIONS, EXPECTED_BATCHING_SHAPES],
        [BATCH_HELD_VERSIONS, EXPECTED_BATCH_HELD_SHAPES],
        [ENDPOINT_BATCH_VERSIONS, EXPECTED_ENDPOINT_BATCH_SHAPES],
        [PROJECT_SETTINGS_VERSIONS, EXPECTED_PROJECT_SETTINGS_SHAPES],
        [INGESTION_VERSIONS, EXPECTED_INGESTION_SHAPES],
        [SCHEDULE_VERSIONS, EXPECTED_SCHEDULE_SHAPES],
      ] as const
    )
      .flatMap(([versions, shapes]) =>
        versions.flatMap((version) => shapes.map((shape) => `${version}/${shape}`)),
      )
      .filter((fixture) => !fixtures.includes(fixture));
    assert.deepEqual(
      missing,
      [],
      `no ${missing.join(', ')} in ${HISTORIES_DIR}; record them from the workflow code that hooks in flight run`,
    );
  });

  for (const name of fixtures) {
    it(`replays ${name}`, () => {
      if (notStarted.has(name)) {
        // Only a hook that has not started may skip the replay: its history is its start event alone.
        assert.equal(notStarted.get(name), 1, `${name} has events but no workflow task`);
        return;
      }
      const result = results.get(name);
      assert.ok(result, `${name} was not replayed`);
      if (result.error) assert.fail(`${name}.json: ${result.error.name}: ${result.error.message}`);
    });
  }

  it('counts nothing in the delivery metrics while replaying', async () => {
    // A replayed history must not count its attempts a second time (see src/worker/metrics-sinks.ts).
    for (const name of [
      'hookrelay_attempts_total',
      'hookrelay_deliveries_completed_total',
      'hookrelay_deliveries_failed_total',
    ]) {
      const metric = await registry.getSingleMetric(name)?.get();
      assert.ok(metric, name);
      assert.equal(
        metric.values.reduce((sum, sample) => sum + sample.value, 0),
        0,
        name,
      );
    }
  });
});
