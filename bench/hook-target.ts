/**
 * Every benchmark hook is addressed to a path that carries what the receiver needs to judge it: the run
 * tag it belongs to, its sequence number, and the instant it was due. The receiver then needs no shared
 * state with the load generator, and every system, whatever it puts in the body, is measured the same way.
 */

/** What every system is asked to schedule: POST to `path` on the receiver at `dueAt`. */
export interface BenchHook {
  /** The receiver-relative path, `/h/<tag>/<seq>/<dueAt>`. */
  path: string;
  /** Epoch milliseconds. */
  dueAt: number;
  /** A small JSON payload, the same for every system. */
  data: { tag: string; seq: number };
}

export interface HookAddress {
  tag: string;
  seq: number;
  dueAt: number;
}

const TAG_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const PATH_PATTERN = /^\/h\/([a-z0-9][a-z0-9-]*)\/(\d+)\/(\d+)$/;

export function benchHook(tag: string, seq: number, dueAt: number): BenchHook {
  if (!TAG_PATTERN.test(tag)) throw new Error(`invalid hook tag "${tag}": lowercase letters, digits and "-"`);
  const due = Math.round(dueAt);
  return { path: `/h/${tag}/${seq}/${due}`, dueAt: due, data: { tag, seq } };
}

export function parseHookPath(path: string): HookAddress | undefined {
  const match = PATH_PATTERN.exec(path);
  if (!match) return undefined;
  const [, tag, seq, dueAt] = match;
  if (tag === undefined || seq === undefined || dueAt === undefined) return undefined;
  return { tag, seq: Number(seq), dueAt: Number(dueAt) };
}
