import { ApplicationFailure } from '@temporalio/activity';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ProjectConfig } from '../config/schema';
import { TargetNotAllowedError } from '../domain/errors';
import type { HookWorkflowInput } from '../domain/hook';
import type { NewHook } from '../domain/new-hook';
import { countHookScheduled } from '../metrics/hook-metrics';
import { hookWorkflowStartOptions } from '../temporal/hook-start';
import type { hookWorkflow } from '../workflows/hook.workflow';

/** What an activity needs to start hooks as `POST /v1/hooks` starts them. */
export interface HookStartDependencies {
  client: Client;
  projectOf(projectId: string): ProjectConfig | undefined;
  taskQueue: string;
  /** As for hooks the API schedules: how long a failed hook can still be retried. */
  retryWindowMs: number;
}

/** The project a hook is made for; one this worker does not know is not going to appear on a retry. */
export function configuredProject(deps: HookStartDependencies, projectId: string): ProjectConfig {
  const project = deps.projectOf(projectId);
  if (!project) throw ApplicationFailure.nonRetryable(`project "${projectId}" is not configured`);
  return project;
}

/**
 * A hook made under its project's rules as they are now. Rules that changed since the hook was asked for
 * (free URLs turned off, say) refuse it for good: no retry will change that.
 */
export function hookUnderCurrentRules(make: () => NewHook): NewHook {
  try {
    return make();
  } catch (error) {
    if (error instanceof TargetNotAllowedError) throw ApplicationFailure.nonRetryable(error.message);
    throw error;
  }
}

/**
 * Starts a hook's workflow exactly as the API does, under its id; a hook already started under that id
 * counts as done, so a retried activity starts only what it missed.
 */
export async function startHookOnce(deps: HookStartDependencies, input: HookWorkflowInput): Promise<void> {
  try {
    await deps.client.workflow.start<typeof hookWorkflow>(
      'hookWorkflow',
      hookWorkflowStartOptions(input, { taskQueue: deps.taskQueue }),
    );
    // Counted where it is created: by the worker for hooks it makes, so /metrics of `npm run worker`.
    countHookScheduled(input.projectId);
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
