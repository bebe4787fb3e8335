import { ApplicationFailure, setHandler, upsertMemo } from '@temporalio/workflow';
import { continueAfterChanges } from './keeper-runs';
import {
  changeProjectSettings,
  type ProjectSettings,
  type ProjectSettingsChange,
  projectSettingsProblem,
} from '../domain/project-settings';
import { INVALID_ENDPOINT_SETTINGS } from './endpoint-messages';
import { changeProjectSettingsUpdate } from './project-settings-messages';
import { projectSettingsMemo } from './project-settings-record';

export interface ProjectSettingsWorkflowInput {
  projectId: string;
  /** What the previous run handed over (continue-as-new); empty on the first run. */
  settings: ProjectSettings;
}

/** Changes one run takes before handing the settings to a new run, which keeps each history short. */
const MAX_CHANGES_PER_RUN = 200;

/**
 * A project's API-set settings, kept by one workflow: every change is an update, checked before it is
 * accepted, then written whole into the memo, where the API and the workers read it. The workflow waits
 * on nothing but updates: no timer while idle.
 */
export class ProjectSettingsKeeper {
  private settings: ProjectSettings;
  private changes = 0;

  constructor(private readonly input: ProjectSettingsWorkflowInput) {
    this.settings = input.settings;
  }

  registerHandlers(): void {
    setHandler(
      changeProjectSettingsUpdate,
      (change) => {
        this.settings = changeProjectSettings(this.settings, change, new Date(Date.now()).toISOString());
        this.changes += 1;
        upsertMemo(projectSettingsMemo(this.settings));
        return this.settings;
      },
      { validator: assertValidChange },
    );
  }

  run(): Promise<never> {
    return continueAfterChanges(
      () => this.changes,
      MAX_CHANGES_PER_RUN,
      () => ({
        memo: projectSettingsMemo(this.settings),
        input: {
          projectId: this.input.projectId,
          settings: this.settings,
        } satisfies ProjectSettingsWorkflowInput,
      }),
    );
  }
}

/** The API checks changes first; this keeps a bad value from ever reaching the settings (a 400, as for an endpoint's). */
function assertValidChange(change: ProjectSettingsChange): void {
  const problem = projectSettingsProblem(change);
  if (problem) {
    throw ApplicationFailure.create({
      type: INVALID_ENDPOINT_SETTINGS,
      message: problem,
      nonRetryable: true,
    });
  }
}
