import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { ProjectConfig } from '../config/schema';
import { TargetNotAllowedError } from '../domain/errors';
import { newHook } from '../domain/new-hook';
import { mapLimited } from '../lib/map-limited';
import { countHookScheduled } from '../metrics/hook-metrics';
import { newHookWorkflowInput, startDerivedHook } from '../temporal/hook-start';
import type { EventWorkflowInput } from '../workflows/event-record';

export interface FanoutDependencies {
  client: Client;
  projectOf(projectId: string): ProjectConfig | undefined;
  taskQueue: string;
  /** As for hooks the API schedules: how long a failed hook can still be retried. */
  retryWindowMs: number;
}

/** Hook starts in flight at once for one event: a project has at most 500 subscriptions. */
const STARTS_IN_FLIGHT = 16;

export function createFanoutActivities(deps: FanoutDependencies) {
  return {
    /**
     * Starts each delivery's hook exactly as `POST /v1/hooks` starts one, under its derived id, due now,
     * under the project's rules as they are now. A hook already started under its id counts as done, so
     * a retried activity starts only the hooks it missed.
     */
    async scheduleEventHooks({ projectId, event, deliveries }: EventWorkflowInput): Promise<void> {
      const project = deps.projectOf(projectId);
      if (!project) throw ApplicationFailure.nonRetryable(`project "${projectId}" is not configured`);
      await mapLimited(deliveries, STARTS_IN_FLIGHT, async ({ hookId, target }) => {
        const input = newHookWorkflowInput(hookFor(project, target, event), {
          hookId,
          projectId,
          retryWindowMs: deps.retryWindowMs,
        });
        // Counted where it is created: by the worker for fanned-out hooks, so /metrics of `npm run worker`.
        if (await startDerivedHook(deps.client, input, deps.taskQueue)) countHookScheduled(projectId);
      });
    },
  };
}

/** The hook of one delivery: the receiver gets the event's id and type beside its data. */
function hookFor(
  project: ProjectConfig,
  target: EventWorkflowInput['deliveries'][number]['target'],
  event: EventWorkflowInput['event'],
) {
  try {
    return newHook(
      project,
      { ...target, data: { eventId: event.id, eventType: event.type, data: event.data } },
      new Date(event.createdAt),
    );
  } catch (error) {
    // The project's rules changed since the subscription was made: no retry will change that.
    if (error instanceof TargetNotAllowedError) throw ApplicationFailure.nonRetryable(error.message);
    throw error;
  }
}
