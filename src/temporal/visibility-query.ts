import type { HookStatus } from '../domain/hook';

/** What `GET /v1/hooks` can filter on; every bound is optional. */
export interface HookFilter {
  statuses?: readonly HookStatus[];
  pathPrefix?: string;
  postAtAfter?: string;
  postAtBefore?: string;
  createdAfter?: string;
  createdBefore?: string;
}

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
  const clauses = [`HookProject = ${literal(projectId)}`];
  if (filter.statuses?.length) clauses.push(`HookStatus IN (${filter.statuses.map(literal).join(', ')})`);
  if (filter.pathPrefix) clauses.push(`HookPath STARTS_WITH ${literal(filter.pathPrefix)}`);
  if (filter.postAtAfter) clauses.push(`HookPostAt >= ${literal(filter.postAtAfter)}`);
  if (filter.postAtBefore) clauses.push(`HookPostAt < ${literal(filter.postAtBefore)}`);
  if (filter.createdAfter) clauses.push(`HookCreatedAt >= ${literal(filter.createdAfter)}`);
  if (filter.createdBefore) clauses.push(`HookCreatedAt < ${literal(filter.createdBefore)}`);
  return clauses.join(' AND ');
}
