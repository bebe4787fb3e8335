import { Presets, SingleBar } from 'cli-progress';

export type Tally = 'affected' | 'skipped' | 'failed';

export interface Progress {
  tick(tally: Tally): void;
  stop(): void;
}

/**
 * A progress bar on stderr while a bulk operation works through its hooks, so stdout stays what a script
 * reads. Only on a terminal: in a pipe or a log a redrawn bar is noise.
 */
export function startProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!stream.isTTY) return { tick: () => undefined, stop: () => undefined };
  const counts: Record<Tally, number> = { affected: 0, skipped: 0, failed: 0 };
  const bar = new SingleBar(
    {
      stream,
      format: `${label} {bar} {value}/{total} | {affected} done, {skipped} skipped, {failed} failed | {eta_formatted}`,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, counts);
  return {
    tick: (tally) => {
      counts[tally] += 1;
      bar.increment(1, counts);
    },
    stop: () => {
      bar.stop();
    },
  };
}
