import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Clock, startProgressLine } from '../../src/lib/progress-line';

/** A clock moved by hand; its tickers fire as time passes their period. */
class ManualClock implements Clock {
  private time = 0;
  private tickers = new Set<{ ms: number; next: number; tick: () => void }>();

  now(): number {
    return this.time;
  }

  every(ms: number, tick: () => void): () => void {
    const ticker = { ms, next: this.time + ms, tick };
    this.tickers.add(ticker);
    return () => this.tickers.delete(ticker);
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.tickers].filter((ticker) => ticker.next <= end);
      if (due.length === 0) break;
      const ticker = due.reduce((first, other) => (other.next < first.next ? other : first));
      this.time = ticker.next;
      ticker.next += ticker.ms;
      ticker.tick();
    }
    this.time = end;
  }

  get running(): number {
    return this.tickers.size;
  }
}

/**
 * A progress line on a manual clock: 'Building X' runs 10 s, go prints a line, it runs 55 s more, stops,
 * and a minute passes. Answers the terminal output and log lines in the order they happened.
 */
function run(isTTY: boolean) {
  const events: string[] = [];
  const clock = new ManualClock();
  const progress = startProgressLine('Building X', {
    terminal: {
      isTTY,
      write(text: string) {
        events.push(`terminal ${JSON.stringify(text)}`);
      },
    },
    log: (message) => {
      events.push(`log ${message}`);
    },
    clock,
  });
  clock.advance(10_000);
  progress.print('go: downloading a');
  clock.advance(55_000);
  progress.stop();
  progress.stop();
  clock.advance(60_000);
  return { events, tickersLeft: clock.running, elapsed: progress.elapsed() };
}

describe('progress line', () => {
  it('on a terminal, rewrites one line every second and keeps log lines above it', () => {
    const { events, tickersLeft, elapsed } = run(true);
    const draw = (text: string) => `terminal ${JSON.stringify(`\r\x1b[K${text}`)}`;
    assert.deepEqual(events.slice(0, 3), [
      draw('Building X … 0s'),
      draw('Building X … 1s'),
      draw('Building X … 2s'),
    ]);
    assert.deepEqual(events.slice(10, 14), [
      draw('Building X … 10s'),
      draw(''),
      'log go: downloading a',
      draw('Building X … 10s'),
    ]);
    assert.deepEqual(events.slice(-2), [draw('Building X … 1m 5s'), draw('')]);
    // The first draw, one a second, three around the log line, one to clear: nothing after the stop.
    assert.equal(events.length, 1 + 65 + 3 + 1);
    assert.equal(tickersLeft, 0);
    assert.equal(elapsed, '1m 5s');
  });

  it('elsewhere, logs a line every 30 s and draws nothing', () => {
    const { events, tickersLeft, elapsed } = run(false);
    assert.deepEqual(events, ['log go: downloading a', 'log Building X … 30s', 'log Building X … 1m 0s']);
    assert.equal(tickersLeft, 0);
    assert.equal(elapsed, '1m 5s');
  });
});
