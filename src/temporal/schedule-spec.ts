import {
  type CalendarSpec,
  DAYS_OF_WEEK,
  MONTHS,
  ScheduleOverlapPolicy,
  type ScheduleSpec,
} from '@temporalio/client';
import { type CronFields, gapShiftedRuns, type LocalMinute, parseCron } from '../domain/cron';
import { parseDuration } from '../domain/duration';
import type { OverlapPolicy, ScheduleDefinition } from '../domain/schedule';

/**
 * A schedule's definition in Temporal Schedule terms. A cron expression becomes calendars, read by
 * Temporal in the schedule's time zone, so Temporal's own calendar arithmetic decides every run time,
 * DST changes included; the API's preview (src/domain/cron.ts) follows the same rules.
 */
export function scheduleSpecOf(definition: ScheduleDefinition, now: Date): ScheduleSpec {
  const { timing } = definition;
  return {
    ...(timing.cron !== undefined
      ? { calendars: cronCalendars(parseCron(timing.cron), definition.timezone, now) }
      : { intervals: [{ every: durationMs(timing.interval) }] }),
    timezone: definition.timezone,
    ...(definition.startAt ? { startAt: new Date(definition.startAt) } : {}),
    ...(definition.endAt ? { endAt: new Date(definition.endAt) } : {}),
    ...(definition.jitter ? { jitter: durationMs(definition.jitter) } : {}),
  };
}

/** How far ahead the runs that DST gaps move are written into a Schedule; each change writes them anew. */
const GAP_HORIZON_MS = 20 * 366 * 86_400_000;

/**
 * A cron's calendars, and one-off entries for the runs that spring-forward gaps move (Temporal would
 * skip them): every day the cron names gets its runs, in the gap one hour later on the clock.
 */
export function cronCalendars(fields: CronFields, timeZone: string, now: Date): CalendarSpec[] {
  const moved = gapShiftedRuns(fields, timeZone, now, new Date(now.getTime() + GAP_HORIZON_MS));
  return [...calendarsOf(fields), ...moved.map(oneOffCalendar)];
}

function oneOffCalendar(run: LocalMinute): CalendarSpec {
  return {
    year: run.year,
    month: MONTHS[run.month - 1],
    dayOfMonth: run.day,
    hour: run.hour,
    minute: run.minute,
    second: 0,
    comment: 'moved forward by a DST gap',
  };
}

/**
 * Temporal's calendars match a time only when every field does; cron matches a day when either day
 * field does if both restrict. Both restricting, it takes two calendars, one per day field.
 */
function calendarsOf(fields: CronFields): CalendarSpec[] {
  const time = {
    second: 0,
    minute: fields.minute,
    hour: fields.hour,
    month: fields.month.map((month) => MONTHS[month - 1] as (typeof MONTHS)[number]),
  };
  const dayOfMonth = fields.dayOfMonth;
  const dayOfWeek =
    fields.dayOfWeek === '*'
      ? '*'
      : fields.dayOfWeek.map((day) => DAYS_OF_WEEK[day] as (typeof DAYS_OF_WEEK)[number]);
  if (dayOfMonth !== '*' && dayOfWeek !== '*') {
    return [
      { ...time, dayOfMonth, dayOfWeek: '*' },
      { ...time, dayOfMonth: '*', dayOfWeek },
    ];
  }
  return [{ ...time, dayOfMonth, dayOfWeek }];
}

function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new RangeError(`"${text}" is not a duration`);
  return ms;
}

const OVERLAP: Record<OverlapPolicy, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  buffer_all: ScheduleOverlapPolicy.BUFFER_ALL,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
};

export function temporalOverlap(policy: OverlapPolicy): ScheduleOverlapPolicy {
  return OVERLAP[policy];
}
