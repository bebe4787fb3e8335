import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { REPO_ROOT } from './child-process';

/** The machine a run took place on, as its reports state it. */
export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
}

/** This machine, with the load average taken at the start of the run and the one now, at its end. */
export function machineFacts(loadAverageAtStart: number[]): MachineFacts {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverageAtStart,
    loadAverageAtEnd: os.loadavg(),
  };
}

/** The commit checked out, abbreviated; undefined outside a git checkout. */
export function currentCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
