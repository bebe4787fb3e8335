import { type Command, Option } from 'commander';
import type { Endpoint, EndpointPage } from '../client';
import { ENDPOINT_STATES } from '../domain/endpoint';
import { ENDPOINT_ORDERS } from '../domain/endpoint-store';
import { durationText } from '../lib/durations';
import { clientFor } from './connection';
import { timeText } from './hook-views';
import { UsageError } from './exit-codes';
import { definedFields, oneOrMoreOf, parseInteger, parseNumber } from './option-values';
import { type Output, type SafeText, safeText } from './output';
import { addGetCommand, addPauseResumeCommands } from './read-command';

type WindowStats = Endpoint['stats']['lastHour'];

/** `hookrelay endpoints …`: where hooks go, their health, and holding their hooks back. */
export function addEndpointCommands(endpoints: Command, out: Output): void {
  endpoints.description("the project's endpoints: health, limits, batching, pause and resume");

  endpoints
    .command('list')
    .description('list endpoints with their health')
    .addOption(
      new Option('--state <state>', `${ENDPOINT_STATES.join(', ')}; repeat or separate by commas`).argParser(
        oneOrMoreOf(ENDPOINT_STATES),
      ),
    )
    .addOption(
      new Option('--health <health>', 'only healthy or failing ones').choices(['healthy', 'failing']),
    )
    .addOption(new Option('--sort <order>', 'url, or failureRate (worst first)').choices(ENDPOINT_ORDERS))
    .addOption(new Option('--limit <n>', 'endpoints per page, at most 1000').argParser(parseInteger))
    .option('--cursor <cursor>', 'the nextCursor of an earlier page')
    .action(async function (this: Command) {
      const options = this.opts<{
        state?: Endpoint['state'][];
        health?: 'healthy' | 'failing';
        sort?: (typeof ENDPOINT_ORDERS)[number];
        limit?: number;
        cursor?: string;
      }>();
      const page = await clientFor(this).endpoints.list(definedFields(options));
      out.result(page, () => {
        showEndpointList(out, page);
      });
    });

  addGetCommand(endpoints, out, {
    description: "show an endpoint's state and health",
    id: 'endpoint id (ep_…)',
    read: (client, endpointId) => client.endpoints.get(endpointId),
    show: showEndpoint,
  });

  endpoints
    .command('limit')
    .description("set an endpoint's own rate and concurrency limits (0: none), or --clear them")
    .argument('<id>', 'endpoint id')
    .addOption(new Option('--rate <n>', 'at most this many requests in any second').argParser(parseNumber))
    .addOption(new Option('--in-flight <n>', 'at most this many requests at once').argParser(parseInteger))
    .addOption(
      new Option('--clear', "remove the endpoint's own limits: the project's apply").conflicts([
        'rate',
        'inFlight',
      ]),
    )
    .action(async function (this: Command, endpointId: string) {
      const { rate, inFlight, clear } = this.opts<{ rate?: number; inFlight?: number; clear?: true }>();
      if (!clear && rate === undefined && inFlight === undefined) {
        throw new UsageError('give --rate, --in-flight or --clear');
      }
      const limits = clear ? null : definedFields({ ratePerSecond: rate, maxInFlight: inFlight });
      const endpoint = await clientFor(this).endpoints.configure(endpointId, { limits });
      out.result({ data: endpoint }, () => {
        out.line(safeText`Limits of ${endpoint.id}: ${limitsText(endpoint)}`);
      });
    });

  endpoints
    .command('batch')
    .description(
      "set an endpoint to batch: every sync hook to it goes in a batch request (sizes over the project's), or --off",
    )
    .argument('<id>', 'endpoint id')
    .addOption(new Option('--max-size <n>', 'at most this many hooks in one request').argParser(parseInteger))
    .addOption(
      new Option('--window <secs>', 'a batch goes at the latest this long after its first hook').argParser(
        parseNumber,
      ),
    )
    .addOption(
      new Option('--off', 'hooks to the endpoint go one by one again').conflicts(['maxSize', 'window']),
    )
    .action(async function (this: Command, endpointId: string) {
      const { maxSize, window, off } = this.opts<{ maxSize?: number; window?: number; off?: true }>();
      const batch = off ? null : definedFields({ maxSize, windowSecs: window });
      const endpoint = await clientFor(this).endpoints.configure(endpointId, { batch });
      out.result({ data: endpoint }, () => {
        out.line(safeText`Batching of ${endpoint.id}: ${batchText(endpoint)}`);
      });
    });

  addPauseResumeCommands(endpoints, out, {
    id: 'endpoint id',
    noun: 'endpoint',
    summaries: {
      pause: 'hold the hooks of an endpoint',
      resume: "release an endpoint's held hooks, in due order",
    },
    act: (client, change, endpointId, note) => client.endpoints[change](endpointId, note),
    done: (change, endpoint) =>
      safeText`${change === 'pause' ? 'Paused' : 'Resumed'} ${endpoint.id}  ${stateText(out, endpoint.state)}  ${endpoint.url}`,
  });
}

function showEndpointList(out: Output, page: EndpointPage): void {
  if (!page.data.length) {
    out.line('No endpoints match.');
    return;
  }
  out.table(
    ['ID', 'URL', 'STATE', 'HEALTH', 'ATTEMPTS 1H', 'SUCCESS 1H', 'P95 1H', 'HELD'],
    page.data.map((endpoint) => [
      endpoint.id,
      endpoint.url,
      stateText(out, endpoint.state),
      healthText(out, endpoint.health),
      String(endpoint.stats.lastHour.attempts),
      rateText(endpoint.stats.lastHour.successRate),
      msText(endpoint.stats.lastHour.latencyP95Ms),
      String(endpoint.heldHooks),
    ]),
  );
  if (page.nextCursor) out.line(`\nMore endpoints: add --cursor ${page.nextCursor}.`);
}

function showEndpoint(out: Output, endpoint: Endpoint): void {
  const { stats } = endpoint;
  out.facts([
    ['id', endpoint.id],
    ['url', endpoint.url],
    ['state', safeText`${stateText(out, endpoint.state)} since ${timeText(endpoint.stateChangedAt)}`],
    ['note', endpoint.stateNote],
    [
      'health',
      safeText`${healthText(out, endpoint.health)}${endpoint.healthReasons.map((reason) => `; ${reason}`).join('')}`,
    ],
    ['last hour', windowText(stats.lastHour)],
    ['last day', windowText(stats.lastDay)],
    ['failure streak', String(stats.failureStreak)],
    ['last success', stats.lastSuccessAt && timeText(stats.lastSuccessAt)],
    [
      'last failure',
      stats.lastFailure &&
        `${timeText(stats.lastFailure.at)} ${stats.lastFailure.hookId} ${stats.lastFailure.statusCode ?? stats.lastFailure.error ?? ''}`,
    ],
    ['limits', limitsText(endpoint)],
    ['batching', batchText(endpoint)],
    ['in flight', String(endpoint.inFlight)],
    ['backing off', endpoint.throttledUntil && `until ${timeText(endpoint.throttledUntil)} (Retry-After)`],
    ['held hooks', String(endpoint.heldHooks)],
    ['first seen', timeText(endpoint.firstSeenAt)],
  ]);
}

function limitsText({ limits }: Endpoint): string {
  const rate = limits.ratePerSecond > 0 ? `${limits.ratePerSecond}/s` : 'no rate limit';
  const inFlight = limits.maxInFlight > 0 ? `${limits.maxInFlight} in flight` : 'no concurrency limit';
  return `${rate}, ${inFlight}`;
}

function batchText({ batch }: Endpoint): string {
  return batch ? `up to ${batch.maxSize} hooks a request, sent within ${batch.windowSecs} s` : 'off';
}

function windowText(window: WindowStats): string {
  return (
    `${window.attempts} attempts, ${window.failures} failed, success ${rateText(window.successRate)}, ` +
    `p50 ${msText(window.latencyP50Ms)}, p95 ${msText(window.latencyP95Ms)}`
  );
}

function stateText(out: Output, state: Endpoint['state']): SafeText {
  return out.paint(state === 'active' ? 'green' : 'yellow', state);
}

function healthText(out: Output, health: Endpoint['health']): SafeText {
  return out.paint(health === 'healthy' ? 'green' : 'red', health);
}

function rateText(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}

function msText(ms: number | null): string {
  return ms === null ? '-' : durationText(ms);
}
