import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MachineFacts } from '../bench/machine';
import { fileStamp, table } from '../bench/report';
import { type Distribution, round } from '../bench/stats';
import { attemptDeadlineMs } from '../src/domain/delivery';
import type { Disruption } from './disruptor';
import { DISRUPTION_LEAD_IN_MS } from './findings';
import { type ChaosResult, chaosProblems } from './result';

/** Where and on what a run took place. */
export interface RunMeta {
  startedAt: string;
  commit: string | undefined;
  machine: MachineFacts;
}

const REPEATS_LISTED = 50;

const seconds = (ms: number) => `${round(ms / 1000).toLocaleString('en-US')} s`;
const count = (n: number) => n.toLocaleString('en-US');

function spread(lateness: Distribution): string {
  if (lateness.count === 0) return 'no hooks';
  const { p50, p90, p99, max } = lateness;
  return `p50 ${seconds(p50)}, p90 ${seconds(p90)}, p99 ${seconds(p99)}, max ${seconds(max)} (${count(lateness.count)} hooks)`;
}

function killsOf(result: ChaosResult, part: Disruption['part']): Disruption[] {
  return result.disruptions.filter((disruption) => disruption.part === part && disruption.cause === 'killed');
}

function crashesOf(result: ChaosResult): Disruption[] {
  return result.disruptions.filter((disruption) => disruption.cause === 'crashed');
}

/** The run in one line: the verdict and the figures the README quotes. */
export function summaryLine(result: ChaosResult): string {
  const { deliveries: d, scheduling: s } = result;
  const retries = Object.values(s.retries).reduce((sum, n) => sum + n, 0);
  const crashes = crashesOf(result).length;
  return [
    `chaos ${chaosProblems(result).length === 0 ? 'passed' : 'FAILED'}: ${count(d.accepted)} hooks accepted, ${count(d.lost.length)} lost`,
    `${count(d.duplicates)} repeated arrivals, ${count(d.explainedDuplicates)} explained by a kill`,
    `last delivery ${d.lastRecoveryToLastDeliveryMs === undefined ? '—' : seconds(d.lastRecoveryToLastDeliveryMs)} after the last recovery`,
    `lateness while healthy p50 ${seconds(d.healthyLatenessMs.p50)}, p99 ${seconds(d.healthyLatenessMs.p99)}`,
    `kills: ${killsOf(result, 'worker').length} worker, ${killsOf(result, 'api').length} API, ${killsOf(result, 'temporal').length} Temporal; crashes: ${crashes}`,
    `${count(retries)} POST retries`,
  ].join('; ');
}

export function renderMarkdown(result: ChaosResult, meta: RunMeta): string {
  const { settings, deliveries: d, scheduling: s } = result;
  const at = (time: number) => seconds(time - result.scheduledFrom);
  const problems = chaosProblems(result);
  // To the millisecond: a repeat's first arrival and its kill are often a few milliseconds apart.
  const exactlyAt = (time: number) => `${((time - result.scheduledFrom) / 1000).toFixed(3)} s`;
  const describe = (disruption: Disruption | null) =>
    disruption === null
      ? '**none**'
      : `${disruption.part} ${disruption.cause} at ${exactlyAt(disruption.downAt)}`;
  const { machine } = meta;
  const retries = Object.entries(s.retries).map(([cause, n]) => `${cause} ${count(n)}`);
  return [
    `# hookrelay chaos run, ${meta.startedAt}`,
    '',
    summaryLine(result),
    '',
    `Commit ${meta.commit ?? 'unknown'}, on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ` +
      `Node ${machine.node}; load average (1/5/15 min) ${machine.loadAverageAtStart.map((n) => n.toFixed(2)).join(' / ')} ` +
      `at the start, ${machine.loadAverageAtEnd.map((n) => n.toFixed(2)).join(' / ')} at the end.`,
    '',
    '## What the run did',
    '',
    `- ${count(settings.hooks)} hooks POSTed to one API process with an Idempotency-Key each, ` +
      `${seconds(settings.leadMs)} before they were due, due at an even pace from ${at(result.dueFrom)} to ` +
      `${at(result.dueUntil)} (t = 0 is the first POST). A POST refused by a dead API (connection error) or ` +
      'by an unreachable Temporal (503) was sent again with the same key and body.',
    `- One worker process, SIGKILLed every ${seconds(settings.workerKillIntervalMs)} while hooks came due and ` +
      'started again at once; the API process killed once, and the Temporal dev server killed once and started ' +
      'again on the same SQLite file and port. Each kill waited until the part before it was back.',
    `- Delivery timeout ${settings.deliveryTimeoutSecs} s, so an attempt cut short by a kill is made again ` +
      `after its deadline of ${seconds(attemptDeadlineMs(settings.deliveryTimeoutSecs * 1000))}.`,
    '',
    '## Results',
    '',
    table(
      ['figure', 'value'],
      [
        [
          'hooks accepted',
          `${count(d.accepted)} (${count(s.created)} answered 201, ${count(s.foundByRetry)} answered 200 to a retry)`,
        ],
        ['hooks lost (accepted, never arrived)', count(d.lost.length)],
        ['arrivals at the receiver', count(d.arrivals)],
        [
          'repeated arrivals',
          `${count(d.duplicates)}, of which ${count(d.explainedDuplicates)} explained by a kill`,
        ],
        ['arrivals of hooks never accepted', count(d.unexpected)],
        ['hook workflows in Temporal', count(s.workflowsInTemporal)],
        ['POST retries', retries.length === 0 ? 'none' : retries.join(', ')],
        ['POSTs refused, or given up on', `${count(s.rejected)}, ${count(s.gaveUp)}`],
        [
          'POST accepted after (first try to acceptance)',
          `p50 ${seconds(s.acceptLatencyMs.p50)}, p99 ${seconds(s.acceptLatencyMs.p99)}, max ${seconds(s.acceptLatencyMs.max)}`,
        ],
        [
          'last recovery → last delivery',
          d.lastRecoveryToLastDeliveryMs === undefined ? '—' : seconds(d.lastRecoveryToLastDeliveryMs),
        ],
        ['lateness while healthy', spread(d.healthyLatenessMs)],
        ['lateness, every hook', spread(d.latenessMs)],
      ],
    ),
    '',
    ...(problems.length === 0
      ? []
      : [
          '## Problems',
          '',
          ...problems.map((problem) => `- ${problem}`),
          ...s.errors.map((error) => `- a POST not accepted: ${error}`),
          '',
        ]),
    '## Disruptions',
    '',
    table(
      ['#', 'part', 'cause', 'down at', 'ready again after'],
      result.disruptions.map((disruption, index) => [
        String(index + 1),
        disruption.part,
        disruption.cause,
        at(disruption.downAt),
        seconds(disruption.readyAt - disruption.downAt),
      ]),
    ),
    '',
    ...crashesOf(result).map(
      (disruption) =>
        `- ${disruption.part} crash at ${at(disruption.downAt)}: ${disruption.crash?.split('\n')[0] ?? ''} (the output is in the JSON file)`,
    ),
    ...(crashesOf(result).length === 0 ? [] : ['']),
    '## Repeated arrivals',
    '',
    d.repeated.length === 0
      ? 'None.'
      : table(
          ['hook', 'arrivals', 'explained by'],
          d.repeated
            .slice(0, REPEATS_LISTED)
            .map((hook) => [
              hook.hookId,
              hook.arrivals.map(exactlyAt).join(', '),
              hook.explainedBy.map(describe).join(', '),
            ]),
        ),
    ...(d.repeated.length > REPEATS_LISTED
      ? ['', `(${d.repeated.length - REPEATS_LISTED} more in the JSON file)`]
      : []),
    '',
    '## How to read it',
    '',
    '- A hook is lost when the API accepted it (201, or 200 to a retry) and it never reached the receiver.',
    '- A repeated arrival is explained when the arrival before it came while the attempt could still be in ' +
      'flight at the kill of a worker or of the Temporal server (at most the attempt deadline before it, 1 s ' +
      "after it for a request read late), and the repeat came after that kill: the kill took the attempt's " +
      'result with it, and Temporal made the attempt again. Receivers dedupe on `webhook-id`.',
    `- A disruption lasts from ${seconds(DISRUPTION_LEAD_IN_MS)} before its kill (a hook due then may still be in flight) ` +
      `until the part is ready again plus ${seconds(settings.settleMs)}. ` +
      'Lateness while healthy is over the hooks due outside every disruption: the first arrival minus the due time.',
    '',
  ].join('\n');
}

/** Writes `<dir>/<timestamp>.json` (every figure, every arrival that repeated) and `<dir>/<timestamp>.md`. */
export async function writeReport(
  result: ChaosResult,
  meta: RunMeta,
  dir: string,
): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, fileStamp(meta.startedAt));
  const json = `${base}.json`;
  const markdown = `${base}.md`;
  await writeFile(json, `${JSON.stringify({ meta, problems: chaosProblems(result), result }, null, 2)}\n`);
  await writeFile(markdown, renderMarkdown(result, meta));
  return { json, markdown };
}
