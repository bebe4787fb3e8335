// Named Tc39 so that it is not mistaken for the Temporal workflow engine this project runs on.
import { Temporal as Tc39 } from '@js-temporal/polyfill';

/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), read into the sets of values
 * each field allows, and the wall-clock times they name in a time zone. The API validates with this, the
 * Temporal adapter turns the fields into a Schedule's calendars, and the next run times it computes are
 * the ones Temporal's own calendar arithmetic gives (the schedule test compares them).
 */

/** The values one cron expression allows, per field; a day field is `'*'` when it does not restrict. */
export interface CronFields {
  minute: number[];
  hour: number[];
  dayOfMonth: number[] | '*';
  month: number[];
  /** 0 is Sunday; a 7 in the expression is Sunday too. */
  dayOfWeek: number[] | '*';
}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELD_RULES: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** Why a cron expression is refused, in words for an API error. */
export class CronSyntaxError extends Error {}

/** Reads "0 9-17 * * MON-FRI", steps such as every 15 minutes, and the like; throws CronSyntaxError saying what is wrong. */
export function parseCron(expression: string): CronFields {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw new CronSyntaxError('must have 5 fields: minute hour day-of-month month day-of-week');
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts.map((part, index) =>
    parseField(part, FIELD_RULES[index] as FieldRule),
  ) as [number[] | '*', number[] | '*', number[] | '*', number[] | '*', number[] | '*'];
  const all = (values: number[] | '*', rule: FieldRule) =>
    values === '*' ? range(rule.min, rule.max, 1) : values;
  const weekdays = dayOfWeek === '*' ? '*' : [...new Set(dayOfWeek.map((day) => day % 7))].sort(byNumber);
  return {
    minute: all(minute, FIELD_RULES[0] as FieldRule),
    hour: all(hour, FIELD_RULES[1] as FieldRule),
    dayOfMonth,
    month: all(month, FIELD_RULES[3] as FieldRule),
    dayOfWeek: weekdays,
  };
}

function parseField(text: string, rule: FieldRule): number[] | '*' {
  if (text === '*') return '*';
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d{1,2}))?$/.exec(item);
    if (!match) throw new CronSyntaxError(`${rule.name}: "${item}" is not a value, range or step`);
    const [, first = '', last, step] = match;
    const start = first === '*' ? rule.min : value(first, rule);
    const end = first === '*' ? rule.max : last !== undefined ? value(last, rule) : step ? rule.max : start;
    const stride = step === undefined ? 1 : Number(step);
    if (first === '*' && last !== undefined)
      throw new CronSyntaxError(`${rule.name}: "${item}" is not valid`);
    if (end < start) throw new CronSyntaxError(`${rule.name}: "${item}" ends before it starts`);
    if (stride < 1) throw new CronSyntaxError(`${rule.name}: the step must be at least 1`);
    for (const each of range(start, end, stride)) values.add(each);
  }
  return [...values].sort(byNumber);
}

function value(text: string, rule: FieldRule): number {
  const named = rule.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + (rule.name === 'month' ? 1 : 0);
  if (!/^\d{1,2}$/.test(text)) throw new CronSyntaxError(`${rule.name}: "${text}" is not a value`);
  const number = Number(text);
  if (number < rule.min || number > rule.max) {
    throw new CronSyntaxError(`${rule.name}: ${number} is outside ${rule.min}-${rule.max}`);
  }
  return number;
}

function range(start: number, end: number, step: number): number[] {
  const values: number[] = [];
  for (let each = start; each <= end; each += step) values.push(each);
  return values;
}

function byNumber(a: number, b: number): number {
  return a - b;
}

/**
 * Whether a calendar day matches. As in every cron: when both day fields restrict, a day matching either
 * one matches; when one is `*`, only the other decides.
 */
function dayMatches(fields: CronFields, date: Tc39.PlainDate): boolean {
  if (!fields.month.includes(date.month)) return false;
  const byMonthDay = fields.dayOfMonth === '*' || fields.dayOfMonth.includes(date.day);
  const byWeekDay = fields.dayOfWeek === '*' || fields.dayOfWeek.includes(date.dayOfWeek % 7);
  if (fields.dayOfMonth !== '*' && fields.dayOfWeek !== '*') return byMonthDay || byWeekDay;
  return byMonthDay && byWeekDay;
}

/** How far ahead the next times are looked for: "0 0 29 2 MON" can wait years. */
const SEARCH_DAYS = 366 * 8;

/**
 * The next `count` instants after `after` at which the wall clock in `timeZone` shows a time the cron
 * allows. A time the clock skips (02:30 on a spring-forward night) happens once, at the instant it would
 * have been (one hour later on the clock); a time the clock shows twice (a fall-back fold) happens once,
 * at the later one, after the clock went back: both are what Temporal Schedules do (with the gap's runs
 * that `gapShiftedRuns` adds). Fewer than `count` when the expression names no more days within eight years.
 */
export function nextCronTimes(fields: CronFields, timeZone: string, after: Date, count: number): Date[] {
  const times: Date[] = [];
  const seen = new Set<number>();
  // From the day before, in the zone: a day's times can lie on either side of `after`.
  let date = Tc39.Instant.fromEpochMilliseconds(after.getTime())
    .toZonedDateTimeISO(timeZone)
    .toPlainDate()
    .subtract({ days: 1 });
  for (let day = 0; day < SEARCH_DAYS && times.length < count; day += 1, date = date.add({ days: 1 })) {
    if (!dayMatches(fields, date)) continue;
    const dayTimes = fields.hour
      .flatMap((hour) => fields.minute.map((minute) => date.toPlainDateTime({ hour, minute })))
      // 'later': in a gap, the instant after it (02:30 becomes 03:30); in a fold, the second 02:30.
      .map((local) => local.toZonedDateTime(timeZone, { disambiguation: 'later' }).epochMilliseconds)
      .sort(byNumber);
    for (const at of dayTimes) {
      if (at <= after.getTime() || seen.has(at)) continue;
      seen.add(at);
      times.push(new Date(at));
      if (times.length === count) break;
    }
  }
  return times;
}

/** A wall-clock minute in a time zone. */
export interface LocalMinute {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/**
 * The runs a spring-forward gap would swallow between `from` and `until`, at the wall-clock time each moves
 * to (02:30 in a skipped 02:00-03:00 hour runs at 03:30), leaving out those that fall on a time the cron
 * names anyway. Temporal's calendars never match a time the clock skips, so the Schedule is given these
 * as one-off calendar entries: a run is moved, never lost. Folds need nothing: Temporal runs a time the
 * clock shows twice once, at the later instant, as `nextCronTimes` does.
 */
export function gapShiftedRuns(fields: CronFields, timeZone: string, from: Date, until: Date): LocalMinute[] {
  const runs: LocalMinute[] = [];
  let cursor = Tc39.Instant.fromEpochMilliseconds(from.getTime()).toZonedDateTimeISO(timeZone);
  for (let transitions = 0; transitions < 1000; transitions += 1) {
    const transition = cursor.getTimeZoneTransition('next');
    if (!transition || transition.epochMilliseconds > until.getTime()) break;
    cursor = transition;
    const before = transition.subtract({ nanoseconds: 1 }).offsetNanoseconds;
    const gapNs = transition.offsetNanoseconds - before;
    if (gapNs <= 0) continue;
    const gapEnd = transition.toPlainDateTime();
    const gapStart = gapEnd.subtract({ nanoseconds: gapNs });
    for (
      let date = gapStart.toPlainDate();
      Tc39.PlainDate.compare(date, gapEnd.toPlainDate()) <= 0;
      date = date.add({ days: 1 })
    ) {
      if (!dayMatches(fields, date)) continue;
      for (const hour of fields.hour) {
        for (const minute of fields.minute) {
          const local = date.toPlainDateTime({ hour, minute });
          if (
            Tc39.PlainDateTime.compare(local, gapStart) < 0 ||
            Tc39.PlainDateTime.compare(local, gapEnd) >= 0
          )
            continue;
          const moved = local.add({ nanoseconds: gapNs });
          const named =
            dayMatches(fields, moved.toPlainDate()) &&
            fields.hour.includes(moved.hour) &&
            fields.minute.includes(moved.minute);
          if (named) continue;
          runs.push({
            year: moved.year,
            month: moved.month,
            day: moved.day,
            hour: moved.hour,
            minute: moved.minute,
          });
        }
      }
    }
  }
  return runs;
}
