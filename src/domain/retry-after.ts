/**
 * The Retry-After response header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. RFC 9110 §5.6.7
 * requires recipients to accept all three HTTP-date forms, the preferred one and two obsolete ones.
 */

const DELAY_SECONDS = /^\d+$/;
const HTTP_DATE_FORMS = [
  /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/, // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/, // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
];
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/; // Sun Nov  6 08:49:37 1994

/** Milliseconds to wait from `now`, 0 for a date already past, undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now: Date): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (DELAY_SECONDS.test(value)) {
    // Kept finite: the result travels into workflow history as JSON, where Infinity would become null.
    return Math.min(Number(value) * 1000, Number.MAX_SAFE_INTEGER);
  }
  const at = parseHttpDate(value);
  return at === undefined ? undefined : Math.max(0, at - now.getTime());
}

/**
 * Date.parse reads all three forms, but it also reads a bare number as a year and much else besides, so the
 * shape is checked first.
 */
function parseHttpDate(value: string): number | undefined {
  let at = Number.NaN;
  if (HTTP_DATE_FORMS.some((form) => form.test(value))) at = Date.parse(value);
  // asctime carries no zone but means GMT; Date.parse alone would read it in the process's local zone.
  else if (ASCTIME_DATE.test(value)) at = Date.parse(`${value} GMT`);
  return Number.isNaN(at) ? undefined : at;
}
