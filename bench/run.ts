// `npm run bench`: runs the benchmark suite and writes bench/results/<timestamp>.json and .md.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeReport } from './report';
import { isScenarioName } from './scenarios';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios/types';
import { FULL_SETTINGS, type SuiteSettings, SMOKE_SETTINGS } from './settings';
import { deliveryProblems, runSuite } from './suite';
import { isSystemName } from './systems';
import { DEFAULT_SYSTEMS, SYSTEM_NAMES, type SystemName } from './systems/types';

const USAGE = `Usage: npm run bench -- [options]

  --systems a,b       systems to measure (default: ${DEFAULT_SYSTEMS.join(', ')}); also
                      hookrelay-before: hookrelay at BENCH_BEFORE_REF (a git ref), to compare a change
                      hookrelay-cluster: on the Temporal server with PostgreSQL (npm run cluster)
                      hookrelay-untracked: endpoint health off, to measure what it costs
  --scenarios a,b     scenarios to run (default: all): ${SCENARIO_NAMES.join(', ')}
  --smoke             a few dozen hooks per scenario: proves the harness, measures nothing
  --steady-seconds n  how long each Steady rate is held (default ${FULL_SETTINGS.steady.durationMs / 1000}; 30 makes a
                      full run about 5 minutes shorter)
  --out dir           where results go (default bench/results)
  --help
`;

function list<T extends string>(
  text: string | undefined,
  all: readonly T[],
  valid: (value: string) => value is T,
  defaults: readonly T[] = all,
) {
  if (text === undefined) return [...defaults];
  const values = text.split(',').map((value) => value.trim());
  const unknown = values.filter((value) => !valid(value));
  if (unknown.length > 0) throw new Error(`unknown: ${unknown.join(', ')}\n\n${USAGE}`);
  // Kept in the canonical order whatever order they were given in.
  return all.filter((value) => values.includes(value));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      systems: { type: 'string' },
      scenarios: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      'steady-seconds': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const systems: SystemName[] = list(values.systems, SYSTEM_NAMES, isSystemName, DEFAULT_SYSTEMS);
  const scenarios: ScenarioName[] = list(values.scenarios, SCENARIO_NAMES, isScenarioName);
  let settings: SuiteSettings = values.smoke ? SMOKE_SETTINGS : FULL_SETTINGS;
  if (values['steady-seconds'] !== undefined) {
    const seconds = Number(values['steady-seconds']);
    if (!(seconds > 0 && seconds <= 600)) throw new Error('--steady-seconds must be between 0 and 600');
    settings = { ...settings, steady: { ...settings.steady, durationMs: seconds * 1000 } };
  }

  const result = await runSuite({ systems, scenarios, settings });
  const files = await writeReport(result, path.resolve(values.out ?? path.join(__dirname, 'results')));
  process.stdout.write(`\nResults: ${files.markdown}\n         ${files.json}\n`);
  const problems = deliveryProblems(result);
  for (const problem of problems) process.stderr.write(`problem: ${problem}\n`);
  // A full run may overload a system on purpose (the Steady search); a smoke run must be clean.
  return values.smoke && problems.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
