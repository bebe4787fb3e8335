import {
  ApplicationFailure,
  type Client,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { InvalidEndpointSettingsError } from '../domain/errors';
import type { ProjectConfig } from '../config/schema';
import {
  projectEndpointLimits,
  type ProjectSettings,
  type ProjectSettingsChange,
  type ProjectSettingsStore,
} from '../domain/project-settings';
import { endpointDefaults } from '../endpoints/endpoint-defaults';
import { mapLimited } from '../lib/map-limited';
import { endpointReportsSignal, INVALID_ENDPOINT_SETTINGS } from '../workflows/endpoint-messages';
import { changeProjectSettingsUpdate } from '../workflows/project-settings-messages';
import {
  PROJECT_SETTINGS_WORKFLOW_TYPE,
  projectSettingsOfMemo,
  projectSettingsWorkflowId,
} from '../workflows/project-settings-record';
import type { projectSettingsWorkflow } from '../workflows/project-settings.workflow';
import { withWorkerDeadline } from './hook-handles';
import { endpointListQuery } from './visibility-query';

/** How many endpoints are told of a change at once. */
const TELL_CONCURRENCY = 16;

/**
 * A project's API-set settings as its workflow keeps them: reads from its memo, changes as updates. A
 * change of endpoint limits is passed on to the project's endpoints at once, as a worker's report would
 * pass it with their next outcomes: an endpoint with no traffic learns it too, and workers hold its
 * hooks from the first one after the change.
 */
export function temporalProjectSettingsStore(
  client: Client,
  options: { taskQueue: string; projectOf: (projectId: string) => ProjectConfig | undefined },
): ProjectSettingsStore {
  /** Best effort: an endpoint not told now learns the limits with the next report of its outcomes. */
  const tellEndpoints = async (projectId: string, settings: ProjectSettings) => {
    const project = options.projectOf(projectId);
    if (!project?.endpoints.tracking) return;
    const limits = projectEndpointLimits(project.endpoints.limits, settings);
    const defaults = endpointDefaults(project, limits, settings.changedAt);
    const workflowIds: string[] = [];
    for await (const execution of client.workflow.list({ query: endpointListQuery(projectId, {}) })) {
      workflowIds.push(execution.workflowId);
    }
    await mapLimited(workflowIds, TELL_CONCURRENCY, (workflowId) =>
      client.workflow
        .getHandle(workflowId)
        .signal(endpointReportsSignal, { reports: [], defaults })
        .catch(() => undefined),
    );
  };

  return {
    async get(projectId) {
      try {
        const description = await client.workflow.getHandle(projectSettingsWorkflowId(projectId)).describe();
        return projectSettingsOfMemo(description.memo);
      } catch (error) {
        // A project whose settings were never changed through the API has no workflow yet.
        if (error instanceof WorkflowNotFoundError) return {};
        throw error;
      }
    },

    /** The first change starts the project's workflow: update-with-start, in one call. */
    async change(projectId: string, change: ProjectSettingsChange): Promise<ProjectSettings> {
      let settings: ProjectSettings;
      try {
        settings = await withWorkerDeadline(client, () =>
          client.workflow.executeUpdateWithStart(changeProjectSettingsUpdate, {
            args: [change],
            startWorkflowOperation: new WithStartWorkflowOperation<typeof projectSettingsWorkflow>(
              PROJECT_SETTINGS_WORKFLOW_TYPE,
              {
                workflowId: projectSettingsWorkflowId(projectId),
                taskQueue: options.taskQueue,
                args: [{ projectId, settings: {} }],
                workflowIdConflictPolicy: 'USE_EXISTING',
              },
            ),
          }),
        );
      } catch (error) {
        if (
          error instanceof WorkflowUpdateFailedError &&
          error.cause instanceof ApplicationFailure &&
          error.cause.type === INVALID_ENDPOINT_SETTINGS
        ) {
          throw new InvalidEndpointSettingsError(error.cause.message);
        }
        throw error;
      }
      if (change.endpointLimits !== undefined) await tellEndpoints(projectId, settings);
      return settings;
    },
  };
}
