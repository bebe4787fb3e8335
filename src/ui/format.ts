/** Times and figures as the dashboard shows them. Times come from the API as RFC 3339 UTC. */

const localFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

export const BROWSER_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** `2026-03-01 09:00:00 UTC`: the instant as the API stores it, readable. */
export function utcText(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}

export function localText(iso: string): string {
  return localFormat.format(new Date(iso));
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "in 5 minutes", "3 hours ago": the largest unit that fits. */
export function relativeText(iso: string, now = Date.now()): string {
  const deltaMs = Date.parse(iso) - now;
  const [unit, size] = UNITS.find(([, ms]) => Math.abs(deltaMs) >= ms) ?? ['second', 1000];
  return relative.format(Math.round(deltaMs / size), unit);
}

/** One style of durations for the dashboard, the command line and the build's progress line. */
export { durationText } from '../lib/durations';

/** 0..1 as a percentage; "–" when there was nothing to count. */
export function percentText(rate: number | null): string {
  if (rate === null) return '–';
  const percent = rate * 100;
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)} %`;
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * A time as the browser reads it, as the RFC 3339 instant the API takes: a date-time input's value (local
 * wall-clock time, no zone) or an instant from a URL. Undefined for anything that is not a time.
 */
export function instantOf(value: string): string | undefined {
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** An instant as a date-time input shows it, in the browser's time zone; empty for anything else. */
export function localInputOf(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return '';
  const local = new Date(time.getTime() - time.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
