import { type Command, Option } from 'commander';
import type { Schedule, SchedulePage } from '../client';
import { OVERLAP_POLICIES } from '../domain/schedule';
import { clientFor } from './connection';
import { UsageError } from './exit-codes';
import { dataOf } from './hook-input';
import { timeText } from './hook-views';
import { definedFields, parseInteger } from './option-values';
import { type Output, safeText } from './output';
import { addGetCommand, addPauseResumeCommands } from './read-command';

interface CreateOptions {
  path?: string;
  url?: string;
  cron?: string;
  interval?: string;
  timezone?: string;
  data?: string;
  dataFile?: string;
  startAt?: string;
  endAt?: string;
  jitter?: string;
  overlap?: Schedule['overlap'];
  description?: string;
}

/**
 * `hookrelay schedules …`: recurring hooks. Values go to the API as written, so its rules and messages
 * stay the only ones; the CLI refuses only flags that exclude each other or are missing.
 */
export function addScheduleCommands(schedules: Command, out: Output): void {
  schedules.description('recurring schedules: a hook at every time a cron or an interval names');

  schedules
    .command('create')
    .description('create a schedule')
    .addOption(new Option('--path <path>', "target: a path appended to the project's baseUrl"))
    .addOption(new Option('--url <url>', 'target: an absolute URL').conflicts('path'))
    .option('--cron <expr>', 'five fields, read in --timezone: "30 2 * * *"')
    .addOption(new Option('--interval <duration>', 'every so long: 2s, 15m, 1d').conflicts('cron'))
    .option('--timezone <zone>', 'IANA time zone of the cron times (default UTC)')
    .option('--data <json>', 'the JSON each run delivers as `data`')
    .addOption(
      new Option('--data-file <file>', 'read the JSON from a file, or from stdin with -').conflicts('data'),
    )
    .option('--start-at <time>', 'no run before this RFC 3339 time')
    .option('--end-at <time>', 'no run after this RFC 3339 time')
    .option('--jitter <duration>', 'delay each run by a random part of this')
    .addOption(
      new Option('--overlap <policy>', 'while an earlier run has not started').choices(OVERLAP_POLICIES),
    )
    .option('--description <text>', 'what the schedule is for')
    .action(async function (this: Command) {
      const options = this.opts<CreateOptions>();
      if (options.path === undefined && options.url === undefined) {
        throw new UsageError('say where: --path or --url');
      }
      if (options.cron === undefined && options.interval === undefined) {
        throw new UsageError('say when: --cron or --interval');
      }
      const data = await dataOf(options);
      const { dataFile: _dataFile, data: _data, ...fields } = options;
      const schedule = await clientFor(this).schedules.create({
        ...definedFields(fields),
        ...(data === undefined ? {} : { data: data.value }),
      });
      out.result({ data: schedule }, () => {
        out.line(
          safeText`Created ${schedule.id}  ${timingText(schedule)}  next ${schedule.nextRunTimes[0] ?? '-'}`,
        );
      });
    });

  schedules
    .command('list')
    .description("list the project's schedules")
    .addOption(new Option('--limit <n>', 'schedules per page, at most 100').argParser(parseInteger))
    .option('--cursor <cursor>', 'the nextCursor of an earlier page')
    .action(async function (this: Command) {
      const options = this.opts<{ limit?: number; cursor?: string }>();
      const page = await clientFor(this).schedules.list(definedFields(options));
      out.result(page, () => {
        showScheduleList(out, page);
      });
    });

  addGetCommand(schedules, out, {
    description: 'show a schedule: its definition, next run times and recent runs with their hooks',
    id: 'schedule id (sch_…)',
    read: (client, scheduleId) => client.schedules.get(scheduleId),
    show: showSchedule,
  });

  addPauseResumeCommands(schedules, out, {
    id: 'schedule id',
    noun: 'schedule',
    summaries: {
      pause: 'stop the runs of a schedule until it is resumed',
      resume: 'restart the runs of a paused schedule',
    },
    act: (client, change, scheduleId, note) => client.schedules[change](scheduleId, note),
    done: (change, schedule) => safeText`${change === 'pause' ? 'Paused' : 'Resumed'} ${schedule.id}`,
  });

  const acts = {
    trigger: { summary: 'run a schedule once, now, even while paused', done: 'Triggered' },
    delete: { summary: 'delete a schedule (the hooks it made stay)', done: 'Deleted' },
  } as const;
  for (const act of ['trigger', 'delete'] as const) {
    schedules
      .command(act)
      .description(acts[act].summary)
      .argument('<id>', 'schedule id')
      .action(async function (this: Command, scheduleId: string) {
        const schedule = await clientFor(this).schedules[act](scheduleId);
        out.result({ data: schedule }, () => {
          out.line(safeText`${acts[act].done} ${schedule.id}`);
        });
      });
  }

  schedules
    .command('backfill')
    .description('make now the runs a schedule would have made from --from to --to')
    .argument('<id>', 'schedule id')
    .requiredOption('--from <time>', 'RFC 3339')
    .requiredOption('--to <time>', 'RFC 3339, at most 7 days after --from')
    .addOption(new Option('--overlap <policy>', 'default allow_all: every run').choices(OVERLAP_POLICIES))
    .action(async function (this: Command, scheduleId: string) {
      const options = this.opts<{ from: string; to: string; overlap?: Schedule['overlap'] }>();
      const schedule = await clientFor(this).schedules.backfill(scheduleId, definedFields(options));
      out.result({ data: schedule }, () => {
        out.line(safeText`Backfilled ${schedule.id} from ${options.from} to ${options.to}`);
      });
    });
}

function timingText(schedule: Schedule): string {
  return schedule.cron === undefined
    ? `every ${schedule.interval ?? '?'}`
    : `cron "${schedule.cron}" ${schedule.timezone}`;
}

function showScheduleList(out: Output, page: SchedulePage): void {
  if (!page.data.length) {
    out.line('No schedules.');
    return;
  }
  out.table(
    ['ID', 'TARGET', 'WHEN', 'STATE', 'NEXT RUN'],
    page.data.map((schedule) => [
      schedule.id,
      schedule.path ?? schedule.url ?? '',
      timingText(schedule),
      schedule.paused ? 'paused' : 'active',
      schedule.nextRunTimes[0] ? timeText(schedule.nextRunTimes[0]) : '-',
    ]),
  );
  if (page.nextCursor) out.line(`\nMore schedules: add --cursor ${page.nextCursor}.`);
}

function showSchedule(out: Output, schedule: Schedule): void {
  out.facts([
    ['id', schedule.id],
    ['description', schedule.description],
    ['target', schedule.path ?? schedule.url],
    ['when', timingText(schedule)],
    [
      'between',
      [schedule.startAt, schedule.endAt].some(Boolean)
        ? `${schedule.startAt ?? '…'} and ${schedule.endAt ?? '…'}`
        : undefined,
    ],
    ['jitter', schedule.jitter],
    ['overlap', schedule.overlap],
    ['state', schedule.paused ? 'paused' : 'active'],
    ['note', schedule.note],
    ['next runs', schedule.nextRunTimes.map(timeText).join(', ') || '-'],
    ...schedule.recentRuns.map((run): [string, string] => [
      'run',
      `${timeText(run.scheduledAt)} ${run.hookId}`,
    ]),
  ]);
}
