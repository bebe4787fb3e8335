import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosSettings } from './settings';
import { type ChaosStack, PROCESS_ROLES, type StackPart } from './stack';

/** A kill the run has planned: which part, and when. */
export interface PlannedKill {
  at: number;
  part: StackPart;
}

/** A part of the stack down and back up again. */
export interface Disruption {
  part: StackPart;
  /** `killed` by the run, or `crashed`: found dead (and started again) without having been killed. */
  cause: 'killed' | 'crashed';
  /** When the SIGKILL was sent, or when the crash was noticed. */
  downAt: number;
  /** When the part was ready again. */
  readyAt: number;
  /** How a crashed process ended, with the end of its output. */
  crash?: string;
}

/**
 * Whether the disruption can take an attempt's result with it: a worker's, or the Temporal server's, which
 * had not yet written it. An API process makes no attempts.
 */
export function cutsAttempts(disruption: Disruption): boolean {
  return disruption.part !== 'api';
}

/** How often dead processes are looked for: a crash is noticed at most this late. */
const WATCH_INTERVAL_MS = 250;

/**
 * The kills of a run: the worker every `workerKillIntervalMs` while hooks come due, and the API and the
 * Temporal server once each, half-way between two worker kills so that each is over before the next.
 */
export function planKills(settings: ChaosSettings, dueStart: number): PlannedKill[] {
  const interval = settings.workerKillIntervalMs;
  const dueEnd = dueStart + settings.dueSpanMs;
  const kills: PlannedKill[] = [];
  for (let at = dueStart + interval; at < dueEnd; at += interval) kills.push({ at, part: 'worker' });
  const betweenWorkerKills = (fraction: number) =>
    dueStart + (Math.floor((fraction * settings.dueSpanMs) / interval) + 0.5) * interval;
  kills.push(
    { at: betweenWorkerKills(settings.apiKillAt), part: 'api' },
    { at: betweenWorkerKills(settings.temporalKillAt), part: 'temporal' },
  );
  return kills.sort((a, b) => a.at - b.at);
}

/**
 * Carries out the kills, one at a time: each part is killed, started again, and awaited until ready before
 * the next kill, so that every disruption has one start and one end to measure from. A worker or API
 * process that dies by itself in between is started again too, and reported as a crash.
 */
export class Disruptor {
  readonly disruptions: Disruption[] = [];

  constructor(
    private readonly stack: ChaosStack,
    private readonly log: (line: string) => void,
  ) {}

  async carryOut(kills: readonly PlannedKill[]): Promise<void> {
    for (const kill of kills) {
      await this.watchUntil(kill.at);
      const downAt = Date.now();
      await this.stack.kill(kill.part);
      await this.bringBack(kill.part, 'killed', downAt);
    }
  }

  /** Starts again every process found dead. */
  async reviveCrashed(): Promise<void> {
    for (const role of PROCESS_ROLES) {
      const crash = this.stack.crashReport(role);
      if (crash === undefined) continue;
      this.log(`the ${role} crashed: ${crash.split('\n')[0] ?? ''}`);
      await this.bringBack(role, 'crashed', Date.now(), crash);
    }
  }

  /** When the last kill that could cut an attempt short was sent (or its crash noticed). */
  lastAttemptCutAt(): number | undefined {
    return this.disruptions.filter(cutsAttempts).at(-1)?.downAt;
  }

  private async watchUntil(time: number): Promise<void> {
    while (Date.now() < time) {
      await this.reviveCrashed();
      await sleep(Math.max(0, Math.min(WATCH_INTERVAL_MS, time - Date.now())));
    }
  }

  private async bringBack(part: StackPart, cause: Disruption['cause'], downAt: number, crash?: string) {
    await this.stack.restart(part);
    const disruption: Disruption = { part, cause, downAt, readyAt: Date.now(), crash };
    this.disruptions.push(disruption);
    this.log(`${part} ${cause}, ready again after ${((disruption.readyAt - downAt) / 1000).toFixed(1)} s`);
  }
}
