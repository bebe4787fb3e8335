// Named Tc39 so that it is not mistaken for the Temporal workflow engine this project runs on.
import { Temporal as Tc39 } from '@js-temporal/polyfill';

/**
 * Wall-clock times in a named time zone, for `postAtLocal` + `timezone`. Only the HTTP API uses this
 * module: workflows receive the resolved instant, so the polyfill never enters the workflow bundle.
 */

/** `YYYY-MM-DDTHH:MM:SS` with plausible field ranges; leap seconds are refused rather than clamped. */
export const LOCAL_DATE_TIME_PATTERN =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

/**
 * Whether `timeZone` is a known IANA name ("Europe/Paris", "UTC"). Fixed offsets such as "+01:00" are
 * refused even though the polyfill understands them: the API asks for a named zone so that its DST rules
 * apply, and a fixed offset would silently ignore them. IANA names always start with a letter.
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z]/.test(timeZone)) return false;
  try {
    new Tc39.ZonedDateTime(0n, timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant at which the wall clock in `timeZone` shows `local`. A time skipped by a DST change moves
 * forward by the length of the gap; a time that occurs twice takes the earlier instant. Throws a
 * RangeError for a malformed or impossible local time and for an unknown time zone.
 */
export function resolveLocalTime(local: string, timeZone: string): Date {
  if (!LOCAL_DATE_TIME_PATTERN.test(local)) {
    throw new RangeError(`local time "${local}" must look like YYYY-MM-DDTHH:MM:SS`);
  }
  if (!isValidTimeZone(timeZone)) {
    throw new RangeError(`unknown time zone "${timeZone}": expected an IANA name such as "Europe/Paris"`);
  }
  // 'compatible' is exactly the rule above: later in a gap (shifted by the gap), earlier in a fold.
  const zoned = parseWallClock(local).toZonedDateTime(timeZone, { disambiguation: 'compatible' });
  return new Date(zoned.epochMilliseconds);
}

function parseWallClock(local: string): Tc39.PlainDateTime {
  try {
    return Tc39.PlainDateTime.from(local, { overflow: 'reject' });
  } catch {
    throw new RangeError(`local time "${local}" is not a calendar date`);
  }
}
