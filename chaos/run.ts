// `npm run chaos`: hooks scheduled and delivered while hookrelay's processes are killed; writes
// chaos/results/<timestamp>.json and .md, prints one summary line, and fails if a hook was lost.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { currentCommit, machineFacts } from '../bench/machine';
import { summaryLine, writeReport } from './report';
import { chaosProblems } from './result';
import { runChaos } from './scenario';
import { type ChaosSettings, FULL_SETTINGS } from './settings';

const USAGE = `Usage: npm run chaos -- [options]

  --hooks n                 hooks to schedule (default ${FULL_SETTINGS.hooks}; env CHAOS_HOOKS)
  --due-seconds s           the span they come due over (default ${FULL_SETTINGS.dueSpanMs / 1000}; env CHAOS_DUE_SECONDS)
  --worker-kill-seconds s   time between two kills of the worker (default ${FULL_SETTINGS.workerKillIntervalMs / 1000};
                            env CHAOS_WORKER_KILL_SECONDS)
  --out dir                 where results go (default chaos/results)
  --help

Exits with 1 when a hook was lost, a repeated arrival is not explained by a kill, or a hook was not
accepted exactly once.
`;

/** A flag, else its environment variable, else the default; checked against a range. */
function numberOption(
  flag: string | undefined,
  variable: string,
  fallback: number,
  [min, max]: [number, number],
): number {
  const text = flag ?? process.env[variable];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!(value >= min && value <= max))
    throw new Error(`${variable} (or its flag) must be between ${min} and ${max}`);
  return value;
}

function settingsFrom(values: Record<string, string | boolean | undefined>): ChaosSettings {
  const text = (name: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    ...FULL_SETTINGS,
    hooks: Math.round(numberOption(text('hooks'), 'CHAOS_HOOKS', FULL_SETTINGS.hooks, [1, 100_000])),
    dueSpanMs:
      numberOption(text('due-seconds'), 'CHAOS_DUE_SECONDS', FULL_SETTINGS.dueSpanMs / 1000, [10, 3600]) *
      1000,
    workerKillIntervalMs:
      numberOption(
        text('worker-kill-seconds'),
        'CHAOS_WORKER_KILL_SECONDS',
        FULL_SETTINGS.workerKillIntervalMs / 1000,
        [2, 600],
      ) * 1000,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      hooks: { type: 'string' },
      'due-seconds': { type: 'string' },
      'worker-kill-seconds': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const settings = settingsFrom(values);
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = os.loadavg();
  const result = await runChaos(settings, {
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const meta = { startedAt, commit: currentCommit(), machine: machineFacts(loadAverageAtStart) };
  const files = await writeReport(result, meta, path.resolve(values.out ?? path.join(__dirname, 'results')));
  for (const problem of chaosProblems(result)) process.stderr.write(`problem: ${problem}\n`);
  process.stdout.write(`${summaryLine(result)}\nResults: ${files.markdown}\n`);
  return chaosProblems(result).length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
