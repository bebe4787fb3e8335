import { ProjectSettingsKeeper, type ProjectSettingsWorkflowInput } from './project-settings-keeper';

/** A project's API-set settings: one workflow per project, run after run (see ProjectSettingsKeeper). */
export async function projectSettingsWorkflow(input: ProjectSettingsWorkflowInput): Promise<never> {
  const keeper = new ProjectSettingsKeeper(input);
  keeper.registerHandlers();
  return keeper.run();
}
