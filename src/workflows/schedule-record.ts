import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { projectSearchAttribute } from './hook-record';
import type { ScheduleDefinition } from '../domain/schedule';

/**
 * The records Temporal keeps of a schedule: the Temporal Schedule's id, the search attribute that lists a
 * project's schedules, and the arguments of its action, which hold the whole definition (what each run's
 * hook is). The only encoder and decoder of those records. Pure: workflow code imports it.
 */

/** The project is part of the id, so one project can never reach another's schedule. */
export function scheduleTemporalId(projectId: string, scheduleId: string): string {
  return `schedule:${projectId}:${scheduleId}`;
}

/** The workflow id each run starts under; Temporal appends the run's scheduled time to it. */
export function scheduleRunWorkflowIdPrefix(projectId: string, scheduleId: string): string {
  return `schedule-run:${projectId}:${scheduleId}`;
}

/** The schedule's id from its Temporal Schedule's id, or undefined for another kind of Schedule. */
export function scheduleIdOf(temporalId: string, projectId: string): string | undefined {
  const prefix = scheduleTemporalId(projectId, '');
  return temporalId.startsWith(prefix) ? temporalId.slice(prefix.length) : undefined;
}

/** What every run of a schedule is given: the schedule as it stood when its action was last written. */
export interface ScheduleRunInput {
  projectId: string;
  scheduleId: string;
  definition: ScheduleDefinition;
  createdAt: string;
  updatedAt: string;
}

/**
 * A Schedule carries its project in the attribute hooks carry theirs in: Temporal lists Schedules apart
 * from workflows, so hook listings never see one, and a Schedule costs the namespace no attribute of its
 * own (a namespace has room for few).
 */
export function scheduleSearchAttributes(projectId: string): SearchAttributePair[] {
  return [projectSearchAttribute(projectId)];
}

/**
 * Set by Temporal on every workflow a Schedule starts: the time the run was due, before any jitter. A
 * run started by a trigger has the moment of the trigger.
 */
export const ScheduledStartTime = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);
