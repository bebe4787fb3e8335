import type { ProjectSettings } from '../domain/project-settings';

/**
 * The record Temporal keeps of a project's API-set settings: the workflow id, and the memo that holds
 * them, read by the API and by every worker without a worker's help. The only encoder and decoder of that
 * record. Pure: workflow code imports it.
 */

export const PROJECT_SETTINGS_WORKFLOW_TYPE = 'projectSettingsWorkflow';

const WORKFLOW_ID_PREFIX = 'project-settings:';

export function projectSettingsWorkflowId(projectId: string): string {
  return `${WORKFLOW_ID_PREFIX}${projectId}`;
}

/** The project whose settings workflow has this id. */
export function projectOfSettingsWorkflow(workflowId: string): string {
  return workflowId.slice(WORKFLOW_ID_PREFIX.length);
}

const MEMO_KEY = 'settings';

export function projectSettingsMemo(settings: ProjectSettings): Record<string, unknown> {
  return { [MEMO_KEY]: settings };
}

/** The settings a memo holds; none before the workflow wrote its first change. */
export function projectSettingsOfMemo(memo: Record<string, unknown> | undefined): ProjectSettings {
  return (memo?.[MEMO_KEY] as ProjectSettings | undefined) ?? {};
}
