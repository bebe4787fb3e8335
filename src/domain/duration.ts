/** Compact durations as the API accepts them in `postIn`: "30s", "1h30m", "1d2h30m45s". */

export const MAX_POST_IN_MS = 365 * 24 * 3600 * 1000;

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

// Units in a fixed order, each optional and at most once. Nine digits per unit keep the total finite, and
// every value too large to be exact is far beyond MAX_POST_IN_MS, so the caller rejects it anyway.
const DURATION_PATTERN = /^(?:(\d{1,9})d)?(?:(\d{1,9})h)?(?:(\d{1,9})m)?(?:(\d{1,9})s)?$/;

/** Milliseconds, or null when the text is not a well-formed duration. The 365-day limit is the caller's. */
export function parseDuration(text: string): number | null {
  const match = DURATION_PATTERN.exec(text);
  // The pattern makes every unit optional, so it also matches the empty string, which has no unit at all.
  if (match === null || text === '') return null;
  const [, days, hours, minutes, seconds] = match;
  return (
    count(days) * DAY_MS + count(hours) * HOUR_MS + count(minutes) * MINUTE_MS + count(seconds) * SECOND_MS
  );
}

function count(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits);
}
