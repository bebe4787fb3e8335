import { spanText } from './durations';

/** Where the progress line is drawn: a terminal, or anything else (then it is not drawn at all). */
export interface ProgressTerminal {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface Clock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    // A ticker alone must not keep the process alive.
    timer.unref();
    return () => {
      clearInterval(timer);
    };
  },
};

export interface ProgressLine {
  /** Shows `message` through the log without breaking the progress line. */
  print: (message: string) => void;
  /** Stops the ticker and clears the line; calling it again does nothing. */
  stop: () => void;
  /** How long it has run, or ran until stopped: "2m 5s". */
  elapsed: () => string;
}

const REDRAW_MS = 1000;
/** Often enough that a CI log does not look stuck, rarely enough not to flood it. */
const HEARTBEAT_MS = 30_000;
const CLEAR_LINE = '\r\x1b[K';

/**
 * "<label> … 1m 12s" for a long task: on a terminal, one line rewritten in place every second; elsewhere
 * a log line every 30 s. cli-progress is not used: it draws a bar towards a known total, which a build
 * has not got, and reads the wall clock itself.
 */
export function startProgressLine(
  label: string,
  options: { terminal: ProgressTerminal; log: (message: string) => void; clock?: Clock },
): ProgressLine {
  const { terminal, log, clock = systemClock } = options;
  const started = clock.now();
  let stopped: number | undefined;
  const elapsed = () => spanText((stopped ?? clock.now()) - started);
  const status = () => `${label} … ${elapsed()}`;
  const drawn = terminal.isTTY === true;

  const draw = () => terminal.write(`${CLEAR_LINE}${status()}`);
  const stopTicker = drawn
    ? clock.every(REDRAW_MS, draw)
    : clock.every(HEARTBEAT_MS, () => {
        log(status());
      });
  if (drawn) draw();
  return {
    print(message) {
      if (drawn) terminal.write(CLEAR_LINE);
      log(message);
      if (drawn) draw();
    },
    stop() {
      if (stopped !== undefined) return;
      stopped = clock.now();
      stopTicker();
      if (drawn) terminal.write(CLEAR_LINE);
    },
    elapsed,
  };
}
