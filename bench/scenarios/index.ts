import { acceptScenario } from './accept';
import { burstScenario } from './burst';
import { dashboardScenario } from './dashboard';
import { footprintScenario } from './footprint';
import { idleScenario } from './idle';
import { ingestScenario } from './ingest';
import { startupScenario } from './startup';
import { steadyScenario } from './steady';
import { SCENARIO_NAMES, type Scenario, type ScenarioName } from './types';

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  accept: acceptScenario,
  burst: burstScenario,
  steady: steadyScenario,
  footprint: footprintScenario,
  idle: idleScenario,
  startup: startupScenario,
  dashboard: dashboardScenario,
  ingest: ingestScenario,
};

export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(value);
}
