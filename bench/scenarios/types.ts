import type { ClientProcess } from '../client/remote';
import type { ProcessProbe } from '../process-stats';
import type { DeliveryCheck, Receiver } from '../receiver';
import type { SuiteSettings } from '../settings';
import type { RunningSystem, SystemDefinition } from '../systems/types';

export const SCENARIO_NAMES = [
  'accept',
  'burst',
  'steady',
  'footprint',
  'idle',
  'startup',
  'dashboard',
  'ingest',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** One reported figure. Reports put the same key of different systems side by side and divide them. */
export interface Metric {
  key: string;
  label: string;
  unit: string;
  value: number | null;
  better: 'higher' | 'lower';
  /** The highest setting tried still passed: the real figure is at least this. */
  atLeast?: boolean;
}

/** Whether one batch of scheduled hooks arrived, each exactly once. */
export interface DeliveryReport {
  label: string;
  /** False when the hooks were due after the system was stopped (hooks accepted for later). */
  awaited: boolean;
  scheduleFailures: number;
  errors: string[];
  check: DeliveryCheck;
}

export interface ScenarioOutcome {
  metrics: Metric[];
  deliveries: DeliveryReport[];
  /** Conditions that make a figure less trustworthy, shown under the table. */
  warnings: string[];
  /** One line for the report on how the figures came about (rates tried, store growth). */
  summary?: string;
  details: Record<string, unknown>;
  /** Set when the scenario could not complete for this system. */
  error?: string;
}

/** A started system with its client process. */
export interface Stack {
  readonly system: SystemDefinition;
  readonly running: RunningSystem;
  readonly client: ClientProcess;
  /** The system's processes and the client. */
  readonly probes: readonly ProcessProbe[];
  /** A temporary folder of this stack's, removed when it stops. */
  readonly workDir: string;
  assertHealthy(): void;
}

export interface ScenarioContext {
  stack: Stack;
  receiver: Receiver;
  settings: SuiteSettings;
  /** This system's results from the scenarios already run. */
  earlier: Partial<Record<ScenarioName, ScenarioOutcome>>;
  /** Hooks per second the system accepted during the warm-up. */
  warmupRate: number;
  /** A receiver tag unique to this scenario, system and label. */
  tag(label: string): string;
  log(message: string): void;
}

export interface Scenario {
  name: ScenarioName;
  describe(settings: SuiteSettings): string;
  /** Systems the scenario measures (default: all); the others are not started for it. */
  appliesTo?(system: SystemDefinition): boolean;
  run(context: ScenarioContext): Promise<ScenarioOutcome>;
}
