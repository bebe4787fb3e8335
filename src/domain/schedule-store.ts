import type { OverlapPolicy, ScheduleDefinition, SchedulePatch, ScheduleView } from './schedule';

/**
 * What the API asks of the store that keeps schedules. Temporal is the only implementation
 * (src/temporal/schedule-store.ts), one Temporal Schedule per schedule. Failures are the domain errors of
 * ./errors.
 */
export interface ScheduleStore {
  create(
    projectId: string,
    scheduleId: string,
    definition: ScheduleDefinition,
    at: Date,
  ): Promise<ScheduleView>;
  get(projectId: string, scheduleId: string): Promise<ScheduleView>;
  /** One page of the project's schedules (eventually consistent, as hook listings are). */
  list(
    projectId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ schedules: ScheduleView[]; nextCursor?: string }>;
  update(projectId: string, scheduleId: string, patch: SchedulePatch, at: Date): Promise<ScheduleView>;
  pause(projectId: string, scheduleId: string, note: string | undefined): Promise<ScheduleView>;
  resume(projectId: string, scheduleId: string, note: string | undefined): Promise<ScheduleView>;
  /** One run now, whatever runs are in flight. */
  trigger(projectId: string, scheduleId: string): Promise<ScheduleView>;
  /** The runs the schedule would have made from `from` (inclusive) to `to` (exclusive), made now. */
  backfill(
    projectId: string,
    scheduleId: string,
    range: { from: Date; to: Date; overlap: OverlapPolicy },
  ): Promise<ScheduleView>;
  /** Answers with the schedule as it was. Hooks its runs made are not touched. */
  delete(projectId: string, scheduleId: string): Promise<ScheduleView>;
}
