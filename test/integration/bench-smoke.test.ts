import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeReport } from '../../bench/report';
import { SCENARIO_NAMES } from '../../bench/scenarios/types';
import { SMOKE_SETTINGS } from '../../bench/settings';
import { deliveryProblems, runSuite, type SuiteResult } from '../../bench/suite';
import { DEFAULT_SYSTEMS as SYSTEM_NAMES, type SystemName } from '../../bench/systems/types';

/**
 * The benchmark harness at smoke size: every system through every scenario with a few dozen hooks, so
 * that `npm run bench` keeps working. It asserts that every hook arrived exactly once, never a speed.
 * PostgreSQL and Redis must be running (CI starts them); without them the suite fails and says so.
 */
describe('benchmark harness (smoke)', () => {
  let outputDir: string;
  let result: SuiteResult;
  const log: string[] = [];

  before(async () => {
    outputDir = await mkdtemp(path.join(tmpdir(), 'hookrelay-bench-smoke-'));
  });
  after(async () => {
    await rm(outputDir, { recursive: true, force: true });
  });

  it(
    'runs every system through every scenario, and every hook arrives exactly once',
    { timeout: 240_000 },
    async () => {
      result = await runSuite({
        systems: SYSTEM_NAMES,
        scenarios: SCENARIO_NAMES,
        settings: SMOKE_SETTINGS,
        log: (line) => log.push(line),
      });
      assert.deepEqual(deliveryProblems(result), [], `harness log:\n${log.join('\n')}`);
      for (const scenario of SCENARIO_NAMES) {
        // Only hookrelay has a start command of its own to time, a dashboard of this checkout's to load,
        // and inbound sources to receive webhooks at; the others are not started for these.
        const onlyHookrelay = scenario === 'startup' || scenario === 'dashboard' || scenario === 'ingest';
        const measured: readonly SystemName[] = onlyHookrelay ? ['hookrelay'] : SYSTEM_NAMES;
        for (const system of SYSTEM_NAMES.filter((name) => !measured.includes(name))) {
          assert.equal(result.results[scenario]?.[system], undefined, `${scenario} skipped ${system}`);
        }
        for (const system of measured) {
          const outcome = result.results[scenario]?.[system];
          assert.ok(outcome, `${scenario} ran for ${system}`);
          assert.ok(outcome.metrics.length > 0, `${scenario} reported figures for ${system}`);
          const awaited = outcome.deliveries.filter((report) => report.awaited);
          assert.ok(awaited.length > 0, `${scenario} / ${system} awaited its hooks`);
          for (const report of awaited)
            assert.ok(report.check.arrived > 0, `${scenario} / ${system} / ${report.label}`);
        }
      }
    },
  );

  it('delivers signed hooks for hookrelay only', () => {
    for (const bySystem of Object.values(result.results)) {
      for (const [system, outcome] of Object.entries(bySystem)) {
        for (const { check, label } of outcome.deliveries) {
          const expected = system === 'hookrelay' ? check.arrived : 0;
          assert.equal(check.signed, expected, `${system} / ${label}: signed deliveries`);
        }
      }
    }
  });

  it(
    'runs hookrelay-cluster, which runs only when named, and every hook arrives exactly once, signed',
    { timeout: 180_000 },
    async () => {
      const clusterLog: string[] = [];
      const cluster = await runSuite({
        systems: ['hookrelay-cluster'],
        scenarios: SCENARIO_NAMES,
        settings: SMOKE_SETTINGS,
        log: (line) => clusterLog.push(line),
      });
      assert.deepEqual(deliveryProblems(cluster), [], `harness log:\n${clusterLog.join('\n')}`);
      for (const scenario of SCENARIO_NAMES.filter((name) => name !== 'startup')) {
        const outcome = cluster.results[scenario]?.['hookrelay-cluster'];
        assert.ok(outcome && outcome.metrics.length > 0, `${scenario} reported figures`);
        for (const { check, label } of outcome.deliveries) {
          assert.equal(check.signed, check.arrived, `${scenario} / ${label}: signed deliveries`);
        }
      }
    },
  );

  it('writes the JSON and markdown reports with ratios to every alternative', async () => {
    const files = await writeReport(result, outputDir);
    const markdown = await readFile(files.markdown, 'utf8');
    for (const system of SYSTEM_NAMES.filter((name) => name !== 'hookrelay')) {
      assert.ok(markdown.includes(`hookrelay ÷ ${system}`), `markdown has ratios to ${system}`);
    }
    const json = JSON.parse(await readFile(files.json, 'utf8')) as { ratios: Record<string, unknown> };
    assert.deepEqual(Object.keys(json.ratios).sort(), [...SCENARIO_NAMES].sort());
  });
});
