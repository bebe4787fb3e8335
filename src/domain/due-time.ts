import { MAX_POST_IN_MS, parseDuration } from './duration';
import { resolveLocalTime } from './local-time';

/**
 * When a request wants its hook delivered. The three ways to say it (`postIn`, `postAt`, `postAtLocal` +
 * `timezone`) are read once, here, into a delay or an instant; the instant a delay names is fixed only
 * when the hook is accepted, by `dueAt`.
 */
export type DueTime = { delayMs: number } | { at: Date };

/** The due-time fields of a request, `postIn` already read by `readPostIn`. */
export interface DueTimeFields {
  /** Milliseconds. */
  postIn?: number;
  postAt?: string;
  postAtLocal?: string;
  timezone?: string;
}

export interface DueTimeProblem {
  field: keyof DueTimeFields;
  message: string;
}

const TIME_MODES = ['postIn', 'postAt', 'postAtLocal'] as const;

/** `postIn` ("30s", "1h30m", "1d2h30m45s", at most 365 days) in milliseconds, or what is wrong with it. */
export function readPostIn(text: string): number | DueTimeProblem {
  const delayMs = parseDuration(text);
  if (delayMs === null) return { field: 'postIn', message: 'must look like "30s", "1h30m" or "1d2h30m45s"' };
  if (delayMs > MAX_POST_IN_MS) return { field: 'postIn', message: 'must be at most 365 days' };
  return delayMs;
}

/**
 * The due time the fields give, or every problem with them: not exactly one mode, `postAtLocal` without
 * `timezone` (or the reverse), an impossible local time. The format of each field on its own (`postIn`,
 * an RFC 3339 `postAt`, a known time zone) is checked before, field by field.
 */
export function readDueTime(fields: DueTimeFields): DueTime | DueTimeProblem[] {
  const problems: DueTimeProblem[] = [];
  const modes = TIME_MODES.filter((mode) => fields[mode] !== undefined);
  if (modes.length !== 1) {
    problems.push({
      field: modes[1] ?? 'postIn',
      message: `give exactly one of "postIn", "postAt" and "postAtLocal"${modes.length ? ` (got ${modes.join(', ')})` : ''}`,
    });
  }
  if ((fields.postAtLocal === undefined) !== (fields.timezone === undefined)) {
    problems.push({
      field: fields.timezone === undefined ? 'timezone' : 'postAtLocal',
      message: '"postAtLocal" and "timezone" go together',
    });
  }

  let dueTime: DueTime | undefined;
  if (fields.postIn !== undefined) {
    dueTime = { delayMs: fields.postIn };
  } else if (fields.postAt !== undefined) {
    dueTime = { at: new Date(fields.postAt) };
  } else if (fields.postAtLocal !== undefined && fields.timezone !== undefined) {
    try {
      dueTime = { at: resolveLocalTime(fields.postAtLocal, fields.timezone) };
    } catch (error) {
      problems.push({ field: 'postAtLocal', message: (error as RangeError).message });
    }
  }
  return problems.length || dueTime === undefined ? problems : dueTime;
}

/**
 * The instant a due time names for a hook accepted at `now`. A time in the past means "now": the hook is
 * delivered at once rather than refused, which is what a caller racing the clock wants.
 */
export function dueAt(dueTime: DueTime, now: Date): Date {
  const at = 'delayMs' in dueTime ? now.getTime() + dueTime.delayMs : dueTime.at.getTime();
  return new Date(Math.max(at, now.getTime()));
}
