import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';

/**
 * The pid file of a data folder's dev server: the server, and the process that started it (and is the only
 * one that stops it while it lives). It outlives that process only if the process dies without stopping
 * the server, which is what lets the next start find the server it left behind.
 */
export interface ServerPidRecord {
  pid: number;
  parentPid: number;
}

/** The record, or undefined when there is no file or it does not hold one. */
export async function readServerPidFile(file: string): Promise<ServerPidRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { pid, parentPid } = JSON.parse(text) as Partial<ServerPidRecord>;
    return isPid(pid) && isPid(parentPid) ? { pid, parentPid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the record unless the file exists; false when it does. Written aside, then linked into place:
 * the link is atomic and fails on an existing name, so a reader never sees half a record, and of two
 * starts racing on one folder only one gets the file.
 */
export async function claimServerPidFile(file: string, record: ServerPidRecord): Promise<boolean> {
  const partial = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  await writeFile(partial, `${JSON.stringify(record)}\n`);
  try {
    await link(partial, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(partial, { force: true });
  }
}

/** Removes the file if it still names `pid`: a file another start has claimed since is not ours. */
export async function releaseServerPidFile(file: string, pid: number): Promise<void> {
  if ((await readServerPidFile(file))?.pid === pid) await rm(file, { force: true });
}

function isPid(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}
