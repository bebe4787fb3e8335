import type { HookFilter } from '../domain/hook-store';
import type { IngestedEventFilter } from '../domain/ingest-store';
import type { EndpointHealthStatus, EndpointState } from '../domain/endpoint';
import { ENDPOINT_ATTRIBUTE_NAMES as E } from '../workflows/endpoint-record';
import { EVENT_ATTRIBUTE_NAMES as V } from '../workflows/event-record';
import { SEARCH_ATTRIBUTE_NAMES as A } from '../workflows/hook-record';
import { ingestWorkflowId } from '../workflows/ingest-record';
import { PROJECT_SETTINGS_WORKFLOW_TYPE } from '../workflows/project-settings-record';

/**
 * Temporal visibility queries over hooks. Every query hookrelay sends to visibility is built here, from
 * the attribute names the hook record defines.
 */

/** A string literal of Temporal's visibility query language. */
function literal(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * The visibility query for one project's hooks. The project clause always comes first and is not
 * optional, so no filter and no cursor can reach another project's hooks. Lower bounds are inclusive,
 * upper bounds exclusive.
 */
export function hookListQuery(projectId: string, filter: HookFilter): string {
  const clauses = [`${A.project} = ${literal(projectId)}`];
  if (filter.statuses?.length) clauses.push(`${A.status} IN (${filter.statuses.map(literal).join(', ')})`);
  if (filter.pathPrefix) clauses.push(`${A.path} STARTS_WITH ${literal(filter.pathPrefix)}`);
  if (filter.postAtAfter) clauses.push(`${A.postAt} >= ${literal(filter.postAtAfter)}`);
  if (filter.postAtBefore) clauses.push(`${A.postAt} < ${literal(filter.postAtBefore)}`);
  if (filter.createdAfter) clauses.push(`${A.createdAt} >= ${literal(filter.createdAfter)}`);
  if (filter.createdBefore) clauses.push(`${A.createdAt} < ${literal(filter.createdBefore)}`);
  return clauses.join(' AND ');
}

/** Hooks not finished yet, in every project: due later, being delivered, awaiting an ack, or retrying. */
export const UNFINISHED_HOOKS_QUERY = `${A.status} IN ('pending', 'retry') AND ExecutionStatus = 'Running'`;

/** Unfinished hooks whose next attempt was due before `now`, in every project or in one. */
export function overdueHooksQuery(now: Date, projectId?: string): string {
  const project = projectId === undefined ? '' : `${A.project} = ${literal(projectId)} AND `;
  return `${project}${UNFINISHED_HOOKS_QUERY} AND ${A.nextAttemptAt} < ${literal(now.toISOString())}`;
}

/**
 * What each worker's endpoint gate reads once a second, in one query: the current run of every endpoint
 * that holds its hooks (paused, disabled, limited) or batches them, in every project, and in projects
 * whose endpoints are limited by default the open ones too; and every project's settings workflow.
 */
export function endpointGateQuery(projectsWithLimits: readonly string[] = []): string {
  const gated = [`${E.state} IN ('paused', 'disabled')`, `${E.flow} = 'limited'`, `${E.batch} = true`];
  // In a project whose endpoints are limited by default, the few that are not must be known too.
  if (projectsWithLimits.length > 0) {
    gated.push(`(${E.flow} = 'open' AND ${E.project} IN (${projectsWithLimits.map(literal).join(', ')}))`);
  }
  const endpoints = `WorkflowType = 'endpointWorkflow' AND (${gated.join(' OR ')})`;
  return `ExecutionStatus = 'Running' AND ((${endpoints}) OR WorkflowType = '${PROJECT_SETTINGS_WORKFLOW_TYPE}')`;
}

/** One project's endpoints (the current run of each), optionally in some states or health only. */
export function endpointListQuery(
  projectId: string,
  filter: { states?: readonly EndpointState[]; health?: EndpointHealthStatus },
): string {
  const clauses = [
    `${E.project} = ${literal(projectId)}`,
    `WorkflowType = 'endpointWorkflow'`,
    `ExecutionStatus = 'Running'`,
  ];
  if (filter.states?.length) clauses.push(`${E.state} IN (${filter.states.map(literal).join(', ')})`);
  if (filter.health) clauses.push(`${E.health} = ${literal(filter.health)}`);
  return clauses.join(' AND ');
}

/** One project's alerts, optionally of one endpoint only. */
export function alertListQuery(projectId: string, filter: { endpointId?: string }): string {
  const clauses = [`${E.project} = ${literal(projectId)}`, `WorkflowType = 'alertWorkflow'`];
  if (filter.endpointId) clauses.push(`${E.endpointId} = ${literal(filter.endpointId)}`);
  return clauses.join(' AND ');
}

/** One project's events, optionally of one type only. */
export function eventListQuery(projectId: string, filter: { type?: string }): string {
  const clauses = [`${V.project} = ${literal(projectId)}`, `WorkflowType = 'eventWorkflow'`];
  if (filter.type) clauses.push(`${V.type} = ${literal(filter.type)}`);
  return clauses.join(' AND ');
}

/**
 * One project's ingested events: of one source, one sender event id (its workflow id in each source
 * named, at least one), one type, as asked.
 */
export function ingestListQuery(projectId: string, filter: IngestedEventFilter): string {
  const clauses = [`${V.project} = ${literal(projectId)}`, `WorkflowType = 'ingestWorkflow'`];
  if (filter.sourceId)
    clauses.push(`WorkflowId STARTS_WITH ${literal(ingestWorkflowId(projectId, filter.sourceId, ''))}`);
  if (filter.eventId) {
    const { id, sourceIds } = filter.eventId;
    const workflowIds = sourceIds.map((sourceId) => literal(ingestWorkflowId(projectId, sourceId, id)));
    clauses.push(`WorkflowId IN (${workflowIds.join(', ')})`);
  }
  if (filter.eventType) clauses.push(`${V.type} = ${literal(filter.eventType)}`);
  return clauses.join(' AND ');
}

/** One project's schedules: Temporal lists Schedules apart from workflows, under the same project attribute. */
export function scheduleListQuery(projectId: string): string {
  return `${A.project} = ${literal(projectId)}`;
}
