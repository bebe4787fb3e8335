import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and memory of the processes a system runs, read from /proc, so that every process is measured
 * the same way whether it is Node, Go (the Temporal dev server) or C (Redis, PostgreSQL), and without the
 * measured process having to report anything itself.
 */
export interface ProcessProbe {
  /** What the process does for the system: api, worker, dev-server, redis, postgres, client. */
  readonly role: string;
  /** User plus system CPU seconds since the process started (all its threads). */
  cpuSeconds(): number;
  /** Resident set size in bytes, or undefined where one number would mislead. */
  rssBytes(): number | undefined;
}

let clockTicks: number | undefined;

/** Kernel clock ticks per second, the unit of the CPU times in /proc/<pid>/stat. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

interface ProcStat {
  ppid: number;
  /** utime + stime, in ticks. */
  own: number;
  /** cutime + cstime: the CPU of children this process has reaped, in ticks. */
  reapedChildren: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may contain spaces; the numeric fields follow the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Numbering from field 3 (state) = index 0: ppid is field 4, utime..cstime are fields 14..17.
  const field = (n: number) => Number(fields[n - 3]);
  return { ppid: field(4), own: field(14) + field(15), reapedChildren: field(16) + field(17) };
}

function readRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

function readComm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** One process by pid. After it exits, its last reading is kept, so a delta never goes negative. */
export function pidProbe(role: string, pid: number): ProcessProbe {
  let lastCpu = 0;
  let lastRss: number | undefined;
  return {
    role,
    cpuSeconds() {
      const stat = readStat(pid);
      if (stat) lastCpu = stat.own / ticksPerSecond();
      return lastCpu;
    },
    rssBytes() {
      const rss = readRss(pid);
      if (rss !== undefined) lastRss = rss;
      return lastRss;
    },
  };
}

/**
 * Every PostgreSQL process together: the postmaster, its background processes and one backend per
 * connection. Backends come and go with connections; the postmaster's reaped-children time keeps the CPU
 * of those that have exited. RSS is left out: summing backends would count shared buffers many times.
 */
export function processTreeProbe(role: string, command: string): ProcessProbe {
  return {
    role,
    cpuSeconds() {
      const stats = new Map<number, ProcStat>();
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const pid = Number(entry);
        if (readComm(pid) !== command) continue;
        const stat = readStat(pid);
        if (stat) stats.set(pid, stat);
      }
      let ticks = 0;
      for (const stat of stats.values()) {
        ticks += stat.own;
        // The root of the tree (its parent is not one of ours) has reaped the backends that exited.
        if (!stats.has(stat.ppid)) ticks += stat.reapedChildren;
      }
      return ticks / ticksPerSecond();
    },
    rssBytes: () => undefined,
  };
}

/** CPU seconds per role at one instant. */
export type CpuSnapshot = Record<string, number>;

export function snapshotCpu(probes: readonly ProcessProbe[]): CpuSnapshot {
  return Object.fromEntries(probes.map((probe) => [probe.role, probe.cpuSeconds()]));
}

export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  return Object.fromEntries(
    Object.entries(after).map(([role, seconds]) => [role, seconds - (before[role] ?? 0)]),
  );
}
