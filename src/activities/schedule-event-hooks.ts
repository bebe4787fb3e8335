import type { ProjectConfig } from '../config/schema';
import { newHook } from '../domain/new-hook';
import { mapLimited } from '../lib/map-limited';
import { newHookWorkflowInput } from '../temporal/hook-start';
import type { EventWorkflowInput } from '../workflows/event-record';
import {
  configuredProject,
  type HookStartDependencies,
  hookUnderCurrentRules,
  startHookOnce,
} from './start-hook';

/** Hook starts in flight at once for one event: a project has at most 500 subscriptions. */
const STARTS_IN_FLIGHT = 16;

export function createFanoutActivities(deps: HookStartDependencies) {
  return {
    /**
     * Starts each delivery's hook exactly as `POST /v1/hooks` starts one, under its derived id, due now,
     * under the project's rules as they are now. A hook already started under its id counts as done, so
     * a retried activity starts only the hooks it missed.
     */
    async scheduleEventHooks({ projectId, event, deliveries }: EventWorkflowInput): Promise<void> {
      const project = configuredProject(deps, projectId);
      await mapLimited(deliveries, STARTS_IN_FLIGHT, async ({ hookId, target }) => {
        const input = newHookWorkflowInput(hookFor(project, target, event), {
          hookId,
          projectId,
          retryWindowMs: deps.retryWindowMs,
        });
        await startHookOnce(deps, input);
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
  return hookUnderCurrentRules(() =>
    newHook(
      project,
      { ...target, data: { eventId: event.id, eventType: event.type, data: event.data } },
      new Date(event.createdAt),
    ),
  );
}
