import { homedir } from 'node:os';
import path from 'node:path';

/**
 * Where hookrelay keeps what it builds once and reuses (the Temporal CLI, workflow bundles):
 * $HOOKRELAY_CACHE_DIR, else $XDG_CACHE_HOME/hookrelay/bin, else ~/.cache/hookrelay/bin.
 */
export function hookrelayCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = nonEmpty(env.HOOKRELAY_CACHE_DIR);
  if (explicit !== undefined) return explicit;
  const cacheHome = nonEmpty(env.XDG_CACHE_HOME) ?? path.join(nonEmpty(env.HOME) ?? homedir(), '.cache');
  return path.join(cacheHome, 'hookrelay', 'bin');
}

/** An empty variable counts as unset, as shells make it easy to export one by accident. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
