import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { ListHooksQuery, RescheduleRequest, ScheduleHookRequest } from '../client';
import { HOOK_STATUSES, type HookStatus, RETRY_STRATEGIES } from '../domain/hook';
import { UsageError } from './exit-codes';
import { definedFields, oneOrMoreOf, parseInteger, parseNumber, parseNumberList } from './option-values';

/**
 * The options that describe a hook and what they become in a request. Values are passed to the API as
 * written (`--in 90m` is `postIn: "90m"`), so the API's rules and messages stay the only ones; the CLI
 * refuses only what it can tell without them: flags that exclude each other, missing ones, invalid JSON.
 */

export interface DueTimeOptions {
  in?: string;
  at?: string;
  atLocal?: string;
  timezone?: string;
}

export function addDueTimeOptions(command: Command): Command {
  return command
    .addOption(new Option('--in <duration>', 'due after this delay: 30s, 1h30m, 1d2h (at most 365d)'))
    .addOption(
      new Option('--at <time>', 'due at an RFC 3339 time with Z or an offset').conflicts(['in', 'atLocal']),
    )
    .addOption(
      new Option('--at-local <time>', 'due at a wall-clock time YYYY-MM-DDTHH:MM:SS in --timezone').conflicts(
        'in',
      ),
    )
    .addOption(new Option('--timezone <zone>', 'IANA time zone of --at-local, e.g. Europe/Paris'));
}

export function dueTimeOf(options: DueTimeOptions): RescheduleRequest {
  if (options.timezone !== undefined && options.atLocal === undefined) {
    throw new UsageError('--timezone goes with --at-local');
  }
  if (options.in !== undefined) return { postIn: options.in };
  if (options.at !== undefined) return { postAt: options.at };
  if (options.atLocal !== undefined) {
    if (options.timezone === undefined) throw new UsageError('--at-local needs --timezone');
    return { postAtLocal: options.atLocal, timezone: options.timezone };
  }
  throw new UsageError('say when: --in, --at, or --at-local with --timezone');
}

export interface ScheduleOptions extends DueTimeOptions {
  path?: string;
  url?: string;
  data?: string;
  dataFile?: string;
  async?: boolean;
  idempotencyKey?: string;
  retryStrategy?: (typeof RETRY_STRATEGIES)[number];
  retryMaxAttempts?: number;
  retryDelaySecs?: number;
  retryBackoffFactor?: number;
  retryMaxDelaySecs?: number;
  retryJitter?: number;
  retryScheduleSecs?: number[];
  batchKey?: string;
  batchMaxSize?: number;
  batchWindowSecs?: number;
}

/** The retryOverride fields, one flag each; the API checks their ranges. */
const RETRY_FLAGS = {
  retryStrategy: 'strategy',
  retryMaxAttempts: 'maxAttempts',
  retryDelaySecs: 'delaySecs',
  retryBackoffFactor: 'backoffFactor',
  retryMaxDelaySecs: 'maxDelaySecs',
  retryJitter: 'jitter',
  retryScheduleSecs: 'scheduleSecs',
} as const satisfies Partial<Record<keyof ScheduleOptions, string>>;

export function addScheduleOptions(command: Command): Command {
  command
    .addOption(new Option('--path <path>', "target: a path appended to the project's baseUrl"))
    .addOption(
      new Option('--url <url>', 'target: an absolute URL (where the project allows free URLs)').conflicts(
        'path',
      ),
    );
  addDueTimeOptions(command);
  return command
    .addOption(new Option('--data <json>', 'the JSON delivered as `data`'))
    .addOption(
      new Option('--data-file <file>', 'read the JSON from a file, or from stdin with -').conflicts('data'),
    )
    .addOption(
      new Option('--retry-strategy <strategy>', 'retry policy for this hook').choices(RETRY_STRATEGIES),
    )
    .addOption(
      new Option('--retry-max-attempts <n>', 'attempts in all, the first included').argParser(parseInteger),
    )
    .addOption(
      new Option('--retry-delay-secs <secs>', 'fixed delay, or the first exponential one').argParser(
        parseNumber,
      ),
    )
    .addOption(new Option('--retry-backoff-factor <factor>', 'exponential growth').argParser(parseNumber))
    .addOption(new Option('--retry-max-delay-secs <secs>', 'the longest delay').argParser(parseNumber))
    .addOption(new Option('--retry-jitter <fraction>', 'spread of each delay, 0..1').argParser(parseNumber))
    .addOption(
      new Option('--retry-schedule-secs <list>', 'delays after attempt 1, 2, …: 30,120,600').argParser(
        parseNumberList,
      ),
    )
    .addOption(new Option('--batch-key <key>', 'deliver together with the other hooks of this key'))
    .addOption(
      new Option('--batch-max-size <n>', 'hooks in one batch request at the most').argParser(parseInteger),
    )
    .addOption(
      new Option(
        '--batch-window-secs <secs>',
        'a batch is sent at the latest this long after its first hook',
      ).argParser(parseNumber),
    )
    .option('--async', 'wait for an ack on the hook-ack-url (overrides the project)')
    .option('--no-async', 'deliver synchronously (overrides the project)')
    .option('--idempotency-key <key>', 'a repeated key returns the first hook instead of a new one');
}

export async function scheduleRequestOf(options: ScheduleOptions): Promise<ScheduleHookRequest> {
  if (options.path === undefined && options.url === undefined) {
    throw new UsageError('say where: --path or --url');
  }
  const due = dueTimeOf(options);
  const data = await dataOf(options);
  if (options.batchKey === undefined && (options.batchMaxSize ?? options.batchWindowSecs) !== undefined) {
    throw new UsageError('--batch-max-size and --batch-window-secs go with --batch-key');
  }
  const retryOverride = Object.fromEntries(
    Object.entries(RETRY_FLAGS).flatMap(([flag, field]) => {
      const value = options[flag as keyof typeof RETRY_FLAGS];
      return value === undefined ? [] : [[field, value]];
    }),
  );
  return {
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.url === undefined ? {} : { url: options.url }),
    ...due,
    ...(data === undefined ? {} : { data: data.value }),
    ...(Object.keys(retryOverride).length ? { retryOverride } : {}),
    ...(options.async === undefined ? {} : { async: options.async }),
    ...(options.batchKey === undefined
      ? {}
      : {
          batch: definedFields({
            key: options.batchKey,
            maxSize: options.batchMaxSize,
            windowSecs: options.batchWindowSecs,
          }),
        }),
  };
}

/** The JSON `--data` gives, or `--data-file` (stdin with -); undefined when neither is given. */
export async function dataOf(options: {
  data?: string;
  dataFile?: string;
}): Promise<{ value: unknown } | undefined> {
  const [text, source] =
    options.dataFile === undefined
      ? [options.data, '--data']
      : [
          await readInput(options.dataFile, '--data-file'),
          options.dataFile === '-' ? 'stdin' : options.dataFile,
        ];
  if (text === undefined) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as SyntaxError).message}`);
  }
}

/** A file's text, or stdin's for `-`. */
export async function readInput(file: string, flag: string): Promise<string> {
  if (file !== '-') {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(
        `cannot read ${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  // Reading a terminal would wait, silently, for a Ctrl-D the person does not know to type.
  if (process.stdin.isTTY) {
    throw new UsageError(
      `${flag} - reads stdin, which is a terminal here: pipe or redirect the input into it`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface FilterOptions {
  status?: HookStatus[];
  pathPrefix?: string;
  dueAfter?: string;
  dueBefore?: string;
  createdAfter?: string;
  createdBefore?: string;
}

export type HookFilter = Omit<ListHooksQuery, 'limit' | 'cursor'>;

/** The filters of `hooks list` and of bulk operations, as the API's list parameters. */
export function addFilterOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--status <status>', `${HOOK_STATUSES.join(', ')}; repeat or separate by commas`).argParser(
        oneOrMoreOf(HOOK_STATUSES),
      ),
    )
    .option('--path-prefix <prefix>', 'hooks whose path (or url) starts with this')
    .option('--due-after <time>', 'due at or after this RFC 3339 time')
    .option('--due-before <time>', 'due before this RFC 3339 time')
    .option('--created-after <time>', 'created at or after this RFC 3339 time')
    .option('--created-before <time>', 'created before this RFC 3339 time');
}

export function filterOf(options: FilterOptions): HookFilter {
  return definedFields<HookFilter>({
    status: options.status,
    pathPrefix: options.pathPrefix,
    postAtAfter: options.dueAfter,
    postAtBefore: options.dueBefore,
    createdAfter: options.createdAfter,
    createdBefore: options.createdBefore,
  });
}
