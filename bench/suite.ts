import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { obtainTemporalCli } from '../src/devserver/temporal-cli';
import { REPO_ROOT } from './child-process';
import { ClientProcess } from './client/remote';
import { currentCommit, type MachineFacts, machineFacts } from './machine';
import { Receiver } from './receiver';
import { SCENARIOS } from './scenarios';
import { acceptRate, runBatch } from './scenarios/phases';
import type { Scenario, ScenarioContext, ScenarioName, ScenarioOutcome, Stack } from './scenarios/types';
import { assertServicesReachable, type ServiceEndpoints, serviceEndpoints } from './services';
import type { SuiteSettings } from './settings';
import { loadSystem } from './systems';
import type { SystemDefinition, SystemName } from './systems/types';

export interface SuiteOptions {
  systems: readonly SystemName[];
  scenarios: readonly ScenarioName[];
  settings: SuiteSettings;
  log?: (line: string) => void;
}

export interface RunMeta {
  startedAt: string;
  finishedAt: string;
  mode: SuiteSettings['mode'];
  commit: string | undefined;
  machine: MachineFacts;
  versions: Record<string, string>;
  settings: SuiteSettings;
  systems: { name: SystemName; setup: string; store: string | undefined; workerRole: string }[];
  /** With the seconds spent in each, over all systems (starting and stopping systems not included). */
  scenarios: { name: ScenarioName; description: string; seconds: number }[];
}

export type SuiteResults = Partial<Record<ScenarioName, Partial<Record<SystemName, ScenarioOutcome>>>>;

export interface SuiteResult {
  meta: RunMeta;
  results: SuiteResults;
}

/** The client library versions in use, as installed. */
const PACKAGES = ['@temporalio/worker', 'fastify', 'undici', 'bullmq', 'ioredis', 'pg-boss'];

function packageVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      const file = path.join(REPO_ROOT, 'node_modules', name, 'package.json');
      versions[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      // Not installed: that system cannot run either, and says so itself.
    }
  }
  return versions;
}

/** Starts a system and its client process. */
async function startStack(
  system: SystemDefinition,
  receiver: Receiver,
  services: ServiceEndpoints,
  workDir: string,
  instanceId: string,
): Promise<Stack & { stop(): Promise<void>; versions: Readonly<Record<string, string>> }> {
  await mkdir(workDir, { recursive: true });
  const running = await system.start({ receiverUrl: receiver.url, instanceId, workDir, services });
  let client: ClientProcess;
  try {
    client = await ClientProcess.start(system.name, running.clientConfig);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return {
    system,
    running,
    client,
    probes: [...running.probes, client.probe],
    workDir,
    versions: running.versions,
    assertHealthy() {
      running.assertHealthy();
      client.assertRunning();
    },
    async stop() {
      await client.stop();
      await running.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

function appliesTo(scenario: Scenario, system: SystemDefinition): boolean {
  return scenario.appliesTo?.(system) ?? true;
}

function failed(error: unknown): ScenarioOutcome {
  return {
    metrics: [],
    deliveries: [],
    warnings: [],
    details: {},
    error: error instanceof Error ? error.message : String(error),
  };
}

/**
 * Runs the chosen scenarios against the chosen systems, one at a time on this machine. With fresh systems
 * (full runs) the order is scenario by scenario, so that the figures compared in one table were taken
 * close together in time; otherwise each system is started once and runs every scenario.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const { settings } = options;
  const startedAt = new Date();
  const write = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (line: string) => {
    const seconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
    write(
      `[${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}] ${line}`,
    );
  };
  const loadAverageAtStart = os.loadavg();
  const services = serviceEndpoints();
  const systems = await Promise.all(options.systems.map(loadSystem));
  const scenarios = options.scenarios.map((name) => SCENARIOS[name]);
  await assertServicesReachable(new Set(systems.flatMap((system) => system.needs)), services);
  // Builds the Temporal CLI now if it has to, rather than inside a timed step.
  if (systems.some((system) => system.usesTemporalCli)) await obtainTemporalCli();
  for (const system of systems) await system.prepare?.();

  const runId = randomBytes(3).toString('hex');
  const workRoot = await mkdtemp(path.join(os.tmpdir(), 'hookrelay-bench-'));
  const receiver = await Receiver.start();
  const results: SuiteResults = {};
  const versions: Record<string, string> = packageVersions();
  const secondsIn: Partial<Record<ScenarioName, number>> = {};
  let instances = 0;

  const runScenario = async (scenario: Scenario, stack: Stack) => {
    const name = stack.system.name;
    const earlier = Object.fromEntries(
      Object.entries(results).flatMap(([scenarioName, bySystem]) => {
        const outcome = bySystem[name];
        return outcome ? [[scenarioName, outcome]] : [];
      }),
    );
    let tags = 0;
    const context: ScenarioContext = {
      stack,
      receiver,
      settings,
      earlier,
      warmupRate: 0,
      tag: (label) => `${scenario.name}-${name}-${instances}-${++tags}-${label}`,
      log: (message) => {
        log(`[${scenario.name}] ${name}: ${message}`);
      },
    };
    let outcome: ScenarioOutcome;
    const began = Date.now();
    try {
      const warmup = await runBatch(
        context,
        {
          kind: 'closed',
          tag: context.tag('warmup'),
          count: settings.warmupHooks,
          concurrency: Math.min(settings.clientConcurrency, settings.warmupHooks),
          timeLimitMs: 60_000,
          due: { inMs: 0 },
        },
        { label: 'warm-up', awaitDelivery: true },
      );
      context.warmupRate = acceptRate(warmup.outcome);
      outcome = await scenario.run(context);
      outcome.deliveries.unshift(warmup.delivery);
    } catch (error) {
      outcome = failed(error);
      context.log(`failed: ${outcome.error ?? ''}`);
    }
    (results[scenario.name] ??= {})[name] = outcome;
    secondsIn[scenario.name] = (secondsIn[scenario.name] ?? 0) + (Date.now() - began) / 1000;
  };

  const withStack = async (system: SystemDefinition, use: (stack: Stack) => Promise<void>) => {
    const instanceId = `${runId}x${++instances}`;
    log(`starting ${system.name}`);
    const stack = await startStack(system, receiver, services, path.join(workRoot, instanceId), instanceId);
    Object.assign(versions, stack.versions);
    try {
      await use(stack);
    } finally {
      await stack.stop();
    }
  };

  /** A system that cannot start fails the scenarios it was to run, not the whole suite. */
  const attempt = async (
    system: SystemDefinition,
    forScenarios: Scenario[],
    use: (stack: Stack) => Promise<void>,
  ) => {
    try {
      await withStack(system, use);
    } catch (error) {
      log(`${system.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      for (const scenario of forScenarios) (results[scenario.name] ??= {})[system.name] ??= failed(error);
    }
  };

  try {
    if (settings.freshSystemPerScenario) {
      for (const scenario of scenarios) {
        log(`== ${scenario.describe(settings)}`);
        for (const system of systems.filter((candidate) => appliesTo(scenario, candidate)))
          await attempt(system, [scenario], (stack) => runScenario(scenario, stack));
      }
    } else {
      for (const system of systems) {
        const own = scenarios.filter((scenario) => appliesTo(scenario, system));
        await attempt(system, own, async (stack) => {
          for (const scenario of own) await runScenario(scenario, stack);
        });
      }
    }
  } finally {
    await receiver.close();
    await rm(workRoot, { recursive: true, force: true });
  }

  return {
    meta: {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      mode: settings.mode,
      commit: currentCommit(),
      machine: machineFacts(loadAverageAtStart),
      versions,
      settings,
      systems: systems.map((system) => ({
        name: system.name,
        setup: system.setup,
        store: system.store,
        workerRole: system.workerRole,
      })),
      scenarios: scenarios.map((scenario) => ({
        name: scenario.name,
        description: scenario.describe(settings),
        seconds: Math.round(secondsIn[scenario.name] ?? 0),
      })),
    },
    results,
  };
}

/**
 * What went wrong with delivery in a run: errors, and for every batch that was awaited, hooks that did
 * not arrive, arrived twice, or could not be scheduled. A smoke run must have none.
 */
export function deliveryProblems(result: SuiteResult): string[] {
  const problems: string[] = [];
  for (const [scenario, bySystem] of Object.entries(result.results)) {
    for (const [system, outcome] of Object.entries(bySystem)) {
      const where = `${scenario} / ${system}`;
      if (outcome.error !== undefined) problems.push(`${where}: ${outcome.error}`);
      for (const report of outcome.deliveries) {
        const { check } = report;
        const what = `${where} / ${report.label}`;
        if (report.scheduleFailures > 0) {
          problems.push(
            `${what}: ${report.scheduleFailures} schedule calls failed (${report.errors.join('; ')})`,
          );
        }
        if (!report.awaited) continue;
        if (check.missing > 0)
          problems.push(`${what}: ${check.missing} of ${check.expected} hooks never arrived`);
        if (check.duplicates > 0) problems.push(`${what}: ${check.duplicates} duplicate deliveries`);
        if (check.unexpected > 0) problems.push(`${what}: ${check.unexpected} unexpected deliveries`);
      }
    }
  }
  return problems;
}
