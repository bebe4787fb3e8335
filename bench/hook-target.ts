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

/**
 * Where an ingested event's forwarded hook goes (the Ingest scenario): one fixed path, since a source's
 * targets are fixed, so its address travels in the sender's payload, inside the forwarded envelope.
 */
export const INGEST_FORWARD_PATH = '/ingested';

/** A sender's payload in the Ingest scenario: its address, `dueAt` being when it was sent. */
export type IngestPayload = HookAddress;

/** The address in a forwarded envelope's payload: `{"data": {"payload": {"tag", "seq", "dueAt"}}}`. */
export function parseForwardedEvent(body: string): HookAddress | undefined {
  try {
    const payload = (JSON.parse(body) as { data?: { payload?: Partial<IngestPayload> } }).data?.payload;
    const { tag, seq, dueAt } = payload ?? {};
    if (typeof tag !== 'string' || !TAG_PATTERN.test(tag)) return undefined;
    if (typeof seq !== 'number' || typeof dueAt !== 'number') return undefined;
    return { tag, seq, dueAt };
  } catch {
    return undefined;
  }
}
