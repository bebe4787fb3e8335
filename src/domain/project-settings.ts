/**
 * A project's settings changed through the API, over those of its config file: today the limits every
 * endpoint of the project has unless it sets its own. Pure: workflow code imports this module.
 */
import { type FlowLimits, flowLimitsProblem } from './flow-limits';

/** What the API has set; a field left out follows the config file. */
export interface ProjectSettings {
  endpointLimits?: Partial<FlowLimits>;
  /**
   * When they last changed (ISO): endpoints keep the newest settings they were told, whichever comes
   * first, the API's word or a worker's report made before the worker saw the change.
   */
  changedAt?: string;
}

/** One change: fields left out stay as they are, null goes back to the config file's. */
export interface ProjectSettingsChange {
  endpointLimits?: Partial<FlowLimits> | null;
}

/** A project's settings as the API shows them: in force, and what the API set over the config file. */
export interface ProjectSettingsView {
  projectId: string;
  endpointLimits: FlowLimits;
  overrides: Pick<ProjectSettings, 'endpointLimits'>;
  changedAt?: string;
}

export function changeProjectSettings(
  settings: ProjectSettings,
  change: ProjectSettingsChange,
  at: string,
): ProjectSettings {
  const next = { ...settings, changedAt: at };
  if (change.endpointLimits === null) delete next.endpointLimits;
  else if (change.endpointLimits) next.endpointLimits = { ...next.endpointLimits, ...change.endpointLimits };
  return next;
}

/** Why a change is out of range, or undefined; the API checks first, the workflow again. */
export function projectSettingsProblem(change: ProjectSettingsChange): string | undefined {
  return change.endpointLimits ? flowLimitsProblem(change.endpointLimits) : undefined;
}

/** The limits in force for a project's endpoints: its config file's, with what the API set over them. */
export function projectEndpointLimits(
  configured: FlowLimits,
  settings: ProjectSettings | undefined,
): FlowLimits {
  return { ...configured, ...settings?.endpointLimits };
}

export function projectSettingsView(
  projectId: string,
  configured: FlowLimits,
  settings: ProjectSettings,
): ProjectSettingsView {
  const { changedAt, ...overrides } = settings;
  return {
    projectId,
    endpointLimits: projectEndpointLimits(configured, settings),
    overrides,
    ...(changedAt ? { changedAt } : {}),
  };
}

/** Where a project's API-set settings are kept (src/temporal/project-settings-store.ts). */
export interface ProjectSettingsStore {
  get(projectId: string): Promise<ProjectSettings>;
  change(projectId: string, change: ProjectSettingsChange): Promise<ProjectSettings>;
}
