import { readFile } from 'node:fs/promises';

/**
 * What Linux's /proc says about a process, for recognising one this process did not start. A process that
 * has exited, one we may not inspect, and every process on a system without /proc all answer undefined:
 * callers act only on a process they recognise, so what cannot be read is left alone. A zombie's command
 * line is empty, which reads as undefined too: it has exited and holds nothing any more.
 */
export async function commandLine(pid: number): Promise<string[] | undefined> {
  const raw = await readProcFile(pid, 'cmdline');
  if (raw === undefined || raw === '') return undefined;
  return raw.replace(/\0$/, '').split('\0');
}

/** The pid of the process's parent; a process whose parent died has been handed to an ancestor. */
export async function parentPid(pid: number): Promise<number | undefined> {
  const stat = await readProcFile(pid, 'stat');
  if (stat === undefined) return undefined;
  // "pid (comm) state ppid …", where comm may itself hold spaces and parentheses: count from the last ')'.
  const [, ppid] = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return ppid === undefined ? undefined : Number(ppid);
}

async function readProcFile(pid: number, name: string): Promise<string | undefined> {
  try {
    return await readFile(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return undefined;
  }
}
