import { newHook } from '../domain/new-hook';
import { scheduledHookId } from '../domain/schedule-ids';
import { newHookWorkflowInput } from '../temporal/hook-start';
import type { ScheduleRunInput } from '../workflows/schedule-record';
import {
  configuredProject,
  type HookStartDependencies,
  hookUnderCurrentRules,
  startHookOnce,
} from './start-hook';

/** One run of a schedule, as its workflow hands it over. */
export interface ScheduledHookRequest extends ScheduleRunInput {
  runWorkflowId: string;
  /** When the run was due (ISO). */
  scheduledAt: string;
}

export function createScheduleActivities(deps: HookStartDependencies) {
  return {
    /**
     * Starts the run's hook as `POST /v1/hooks` starts one, due now, under the project's rules as they
     * are now, and records in it which schedule made it for which time. Its id comes from the run, so a
     * retry finds the hook it already started. Answers the hook's id.
     */
    async startScheduledHook(run: ScheduledHookRequest): Promise<string> {
      const project = configuredProject(deps, run.projectId);
      const { target, data, retryOverride } = run.definition;
      const hook = hookUnderCurrentRules(() =>
        newHook(project, { ...target, data, ...(retryOverride ? { retryOverride } : {}) }, new Date()),
      );
      const hookId = scheduledHookId(run.projectId, run.runWorkflowId);
      const input = newHookWorkflowInput(
        { ...hook, schedule: { id: run.scheduleId, scheduledAt: run.scheduledAt } },
        { hookId, projectId: run.projectId, retryWindowMs: deps.retryWindowMs },
      );
      await startHookOnce(deps, input);
      return hookId;
    },
  };
}
