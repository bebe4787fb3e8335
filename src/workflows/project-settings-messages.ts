import { defineUpdate } from '@temporalio/workflow';
import type { ProjectSettings, ProjectSettingsChange } from '../domain/project-settings';

/** Changes a project's API-set settings; answers with them as they now stand. */
export const changeProjectSettingsUpdate = defineUpdate<ProjectSettings, [ProjectSettingsChange]>(
  'changeProjectSettings',
);
