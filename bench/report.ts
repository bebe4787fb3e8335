import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Metric, ScenarioName, ScenarioOutcome } from './scenarios/types';
import { round } from './stats';
import { deliveryProblems, type SuiteResult } from './suite';
import type { SystemName } from './systems/types';

const REFERENCE: SystemName = 'hookrelay';

/** hookrelay's value divided by an alternative's, per scenario, metric and alternative. */
export type Ratios = Partial<
  Record<ScenarioName, Record<string, Partial<Record<SystemName, number | null>>>>
>;

function divide(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return round(a / b);
}

function metricOf(outcome: ScenarioOutcome | undefined, key: string): Metric | undefined {
  return outcome?.metrics.find((metric) => metric.key === key);
}

/** Every hookrelay figure as a ratio to the same figure of each alternative in the same run. */
export function computeRatios(result: SuiteResult): Ratios {
  const ratios: Ratios = {};
  for (const [scenario, bySystem] of Object.entries(result.results) as [ScenarioName, ScenarioOutcome[]][]) {
    const reference = (bySystem as Partial<Record<SystemName, ScenarioOutcome>>)[REFERENCE];
    if (!reference) continue;
    const perMetric: Record<string, Partial<Record<SystemName, number | null>>> = {};
    for (const metric of reference.metrics) {
      const row: Partial<Record<SystemName, number | null>> = {};
      for (const [system, outcome] of Object.entries(bySystem) as [SystemName, ScenarioOutcome][]) {
        if (system === REFERENCE) continue;
        row[system] = divide(metric.value, metricOf(outcome, metric.key)?.value);
      }
      perMetric[metric.key] = row;
    }
    ratios[scenario] = perMetric;
  }
  return ratios;
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '∞ (missing)';
  return round(value).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

function formatMetric(metric: Metric | undefined): string {
  if (!metric || metric.value === null) return '—';
  return `${metric.atLeast ? '≥ ' : ''}${formatNumber(metric.value)}`;
}

function formatRatio(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '—' : `${formatNumber(ratio)}×`;
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function scenarioSection(
  result: SuiteResult,
  ratios: Ratios,
  name: ScenarioName,
  description: string,
): string {
  const bySystem: Partial<Record<SystemName, ScenarioOutcome>> = result.results[name] ?? {};
  const systems = result.meta.systems.map((system) => system.name).filter((system) => bySystem[system]);
  const alternatives = systems.filter((system) => system !== REFERENCE);
  const keys: Metric[] = [];
  for (const system of systems) {
    for (const metric of bySystem[system]?.metrics ?? []) {
      if (!keys.some((known) => known.key === metric.key)) keys.push(metric);
    }
  }
  const rows = keys.map((metric) => [
    `${metric.label} (${metric.unit ? `${metric.unit}, ` : ''}${metric.better} is better)`,
    ...systems.map((system) => formatMetric(metricOf(bySystem[system], metric.key))),
    ...(systems.includes(REFERENCE)
      ? alternatives.map((system) => formatRatio(ratios[name]?.[metric.key]?.[system]))
      : []),
  ]);
  const header = [
    'metric',
    ...systems,
    ...(systems.includes(REFERENCE) ? alternatives.map((system) => `hookrelay ÷ ${system}`) : []),
  ];
  const notes = systems.flatMap((system) => {
    const outcome = bySystem[system];
    if (!outcome) return [];
    return [
      ...(outcome.summary ? [`- ${system}: ${outcome.summary}`] : []),
      ...(outcome.error ? [`- **${system} failed:** ${outcome.error.split('\n')[0] ?? ''}`] : []),
      ...outcome.warnings.map((warning) => `- ⚠ ${warning}`),
    ];
  });
  const seconds = result.meta.scenarios.find((scenario) => scenario.name === name)?.seconds;
  const took = seconds === undefined ? '' : ` Took ${Math.round(seconds / 60)} min over all systems.`;
  return [
    `## ${name}`,
    '',
    `${description}${took}`,
    '',
    table(header, rows),
    '',
    ...notes,
    ...(notes.length ? [''] : []),
  ].join('\n');
}

export function renderMarkdown(result: SuiteResult, ratios: Ratios = computeRatios(result)): string {
  const { meta } = result;
  const { machine } = meta;
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  const problems = deliveryProblems(result);
  return [
    `# hookrelay benchmark, ${meta.startedAt}`,
    '',
    `${meta.mode === 'full' ? 'Full' : 'Smoke'} run${meta.commit ? ` of commit ${meta.commit}` : ''}, ` +
      `${meta.startedAt} to ${meta.finishedAt}, on ${machine.cpus} × ${machine.cpuModel}, ` +
      `${machine.memoryGiB} GiB, ${machine.kernel}, Node ${machine.node}. ` +
      `Load average (1/5/15 min) ${load(machine.loadAverageAtStart)} at the start, ${load(machine.loadAverageAtEnd)} at the end.`,
    '',
    'Absolute figures drift on a shared machine; read the ratios. Each ratio is hookrelay ÷ the alternative, ' +
      'from this same run: above 1 is better for "higher is better" rows, below 1 for "lower is better".',
    '',
    `Versions: ${Object.entries(meta.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
    ...meta.scenarios.map((scenario) => scenarioSection(result, ratios, scenario.name, scenario.description)),
    '## Delivery checks',
    '',
    problems.length === 0
      ? 'Every hook that was awaited arrived exactly once, and every schedule call succeeded.'
      : problems.map((problem) => `- ${problem}`).join('\n'),
    '',
    '## Setup',
    '',
    ...meta.systems.map((system) => `- **${system.name}**: ${system.setup}`),
    '',
  ].join('\n');
}

/** An ISO time as results files are named: to the second, with dashes for the colons no file system likes. */
export function fileStamp(isoTime: string): string {
  return isoTime.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** Writes `<dir>/<timestamp>.json` (everything, with ratios) and `<dir>/<timestamp>.md`. */
export async function writeReport(
  result: SuiteResult,
  dir: string,
): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const stamp = fileStamp(result.meta.startedAt);
  const base = path.join(dir, `${stamp}${result.meta.mode === 'smoke' ? '-smoke' : ''}`);
  const ratios = computeRatios(result);
  const json = `${base}.json`;
  const markdown = `${base}.md`;
  // Infinity (a hook that never arrived) has no JSON form; it is written as null.
  await writeFile(json, `${JSON.stringify({ ...result, ratios }, null, 2)}\n`);
  await writeFile(markdown, renderMarkdown(result, ratios));
  return { json, markdown };
}
