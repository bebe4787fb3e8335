import {
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  ScheduleNotFoundError as TemporalScheduleNotFoundError,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import { ScheduleNotFoundError } from '../domain/errors';
import {
  type OverlapPolicy,
  patchedDefinition,
  type ScheduleDefinition,
  type SchedulePatch,
  type ScheduleView,
} from '../domain/schedule';
import { scheduledHookId } from '../domain/schedule-ids';
import type { ScheduleStore } from '../domain/schedule-store';
import { mapLimited } from '../lib/map-limited';
import type { CursorSeal } from '../security/server-secret';
import {
  scheduleIdOf,
  scheduleRunWorkflowIdPrefix,
  type ScheduleRunInput,
  scheduleSearchAttributes,
  scheduleTemporalId,
} from '../workflows/schedule-record';
import type { scheduleRunWorkflow } from '../workflows/schedule-run.workflow';
import { withWorkerDeadline } from './hook-handles';
import { scheduleSpecOf, temporalOverlap } from './schedule-spec';
import { openedCursor } from './visibility-page';
import { scheduleListQuery } from './visibility-query';

/** The run times a read shows. */
const NEXT_RUN_TIMES = 5;
/** Schedules described at once for one list page. */
const DESCRIBES_IN_FLIGHT = 8;

/**
 * Schedules as Temporal Schedules: one per schedule, whose action starts a `scheduleRunWorkflow` with the
 * whole schedule as its argument. Reads describe the Schedule, so they need no worker.
 */
class TemporalScheduleStore implements ScheduleStore {
  constructor(
    private readonly client: Client,
    private readonly options: { taskQueue: string; cursors: CursorSeal },
  ) {}

  async create(
    projectId: string,
    scheduleId: string,
    definition: ScheduleDefinition,
    at: Date,
  ): Promise<ScheduleView> {
    const input: ScheduleRunInput = {
      projectId,
      scheduleId,
      definition,
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    };
    const handle = await this.client.schedule.create<typeof scheduleRunWorkflow>({
      scheduleId: scheduleTemporalId(projectId, scheduleId),
      spec: scheduleSpecOf(definition, at),
      action: this.action(input),
      policies: { overlap: temporalOverlap(definition.overlap) },
      typedSearchAttributes: scheduleSearchAttributes(projectId),
    });
    return viewOf(projectId, await handle.describe());
  }

  get(projectId: string, scheduleId: string): Promise<ScheduleView> {
    return this.act(projectId, scheduleId, () => Promise.resolve());
  }

  async list(
    projectId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ schedules: ScheduleView[]; nextCursor?: string }> {
    const query = scheduleListQuery(projectId);
    const nextPageToken = openedCursor(this.options.cursors, query, page.cursor);
    const response = await withWorkerDeadline(this.client, () =>
      this.client.workflowService.listSchedules({
        namespace: this.client.options.namespace,
        maximumPageSize: page.limit,
        query,
        nextPageToken,
      }),
    );
    const ids = response.schedules
      .map((entry) => scheduleIdOf(entry.scheduleId ?? '', projectId))
      .filter((id): id is string => id !== undefined);
    const views = await mapLimited(ids, DESCRIBES_IN_FLIGHT, (id) =>
      // Visibility lags behind: a schedule deleted a moment ago may still be listed.
      this.get(projectId, id).catch((error: unknown) => {
        if (error instanceof ScheduleNotFoundError) return undefined;
        throw error;
      }),
    );
    const token = response.nextPageToken;
    return {
      schedules: views.filter((view): view is ScheduleView => view !== undefined),
      nextCursor: token.length ? this.options.cursors.sealCursor(token, query) : undefined,
    };
  }

  update(projectId: string, scheduleId: string, patch: SchedulePatch, at: Date): Promise<ScheduleView> {
    return this.act(projectId, scheduleId, (handle) =>
      handle.update<typeof scheduleRunWorkflow>((previous) => {
        const input = runInputOf(previous);
        const definition = patchedDefinition(input.definition, patch);
        return {
          ...previous,
          spec: scheduleSpecOf(definition, at),
          action: this.action({ ...input, definition, updatedAt: at.toISOString() }),
          policies: { ...previous.policies, overlap: temporalOverlap(definition.overlap) },
        };
      }),
    );
  }

  pause(projectId: string, scheduleId: string, note: string | undefined): Promise<ScheduleView> {
    return this.act(projectId, scheduleId, (handle) => handle.pause(note ?? ''));
  }

  resume(projectId: string, scheduleId: string, note: string | undefined): Promise<ScheduleView> {
    return this.act(projectId, scheduleId, (handle) => handle.unpause(note ?? ''));
  }

  trigger(projectId: string, scheduleId: string): Promise<ScheduleView> {
    return this.act(projectId, scheduleId, (handle) => handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL));
  }

  backfill(
    projectId: string,
    scheduleId: string,
    range: { from: Date; to: Date; overlap: OverlapPolicy },
  ): Promise<ScheduleView> {
    return this.act(projectId, scheduleId, (handle) =>
      handle.backfill({ start: range.from, end: range.to, overlap: temporalOverlap(range.overlap) }),
    );
  }

  async delete(projectId: string, scheduleId: string): Promise<ScheduleView> {
    const view = await this.get(projectId, scheduleId);
    await orScheduleNotFound(() => this.handle(projectId, scheduleId).delete());
    return view;
  }

  /** What each run starts: the run workflow, with the whole schedule as its argument. */
  private action(input: ScheduleRunInput) {
    return {
      type: 'startWorkflow' as const,
      workflowType: 'scheduleRunWorkflow',
      workflowId: scheduleRunWorkflowIdPrefix(input.projectId, input.scheduleId),
      taskQueue: this.options.taskQueue,
      args: [input] as [ScheduleRunInput],
    };
  }

  private handle(projectId: string, scheduleId: string): ScheduleHandle {
    return this.client.schedule.getHandle(scheduleTemporalId(projectId, scheduleId));
  }

  /** Runs `change` on the project's schedule, then reads it back. */
  private act(
    projectId: string,
    scheduleId: string,
    change: (handle: ScheduleHandle) => Promise<unknown>,
  ): Promise<ScheduleView> {
    const handle = this.handle(projectId, scheduleId);
    return orScheduleNotFound(async () => {
      await change(handle);
      return viewOf(projectId, await handle.describe());
    });
  }
}

/** Temporal's "no such schedule" in the domain's words. */
async function orScheduleNotFound<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TemporalScheduleNotFoundError) throw new ScheduleNotFoundError('schedule not found');
    throw error;
  }
}

/** The schedule a Schedule's action carries: it is the argument of every run. */
function runInputOf(description: ScheduleDescription): ScheduleRunInput {
  return description.action.args?.[0] as ScheduleRunInput;
}

function viewOf(projectId: string, description: ScheduleDescription): ScheduleView {
  const { scheduleId, definition, createdAt, updatedAt } = runInputOf(description);
  return {
    id: scheduleId,
    ...definition,
    paused: description.state.paused,
    ...(description.state.note ? { note: description.state.note } : {}),
    nextRunTimes: description.info.nextActionTimes.slice(0, NEXT_RUN_TIMES).map((time) => time.toISOString()),
    recentRuns: description.info.recentActions.map((run) => ({
      scheduledAt: run.scheduledAt.toISOString(),
      startedAt: run.takenAt.toISOString(),
      hookId: scheduledHookId(projectId, run.action.workflow.workflowId),
    })),
    createdAt,
    updatedAt,
  };
}

export function temporalScheduleStore(
  client: Client,
  options: { taskQueue: string; cursors: CursorSeal },
): ScheduleStore {
  return new TemporalScheduleStore(client, options);
}
