/**
 * Durations as people read them, one style for the command line, the build's progress line and the
 * dashboard. Pure arithmetic on numbers, no Node or DOM API, so that a browser bundle can import it too.
 */

const UNITS: readonly [unit: string, seconds: number][] = [
  ['d', 86_400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

/**
 * A span in whole seconds, by its two largest units: "0s", "45s", "1m 12s", "2h 0m", "3d 4h". The second
 * unit stays even when it is zero, so that a line redrawn every second keeps its shape.
 */
export function spanText(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  const index = UNITS.findIndex(([, size]) => seconds >= size);
  const major = UNITS[index];
  const minor = UNITS[index + 1];
  if (!major || !minor) return `${seconds}s`;
  return `${Math.floor(seconds / major[1])}${major[0]} ${Math.floor((seconds % major[1]) / minor[1])}${minor[0]}`;
}

/**
 * A measured duration (a delivery attempt, a latency): below a minute the fraction counts, "350ms",
 * "4.2s"; from a minute on, as spanText: "1m 12s".
 */
export function durationText(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  // Rounded once, so that 59.96 s reads "1m 0s" rather than "60.0s" or "59s".
  return tenths < 600 ? `${(tenths / 10).toFixed(1)}s` : spanText(tenths * 100);
}
