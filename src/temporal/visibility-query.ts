import type { HookFilter } from '../domain/hook-store';
import { SEARCH_ATTRIBUTE_NAMES as A } from '../workflows/hook-record';

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

/** Unfinished hooks whose next attempt was due before `now`. */
export function overdueHooksQuery(now: Date): string {
  return `${UNFINISHED_HOOKS_QUERY} AND ${A.nextAttemptAt} < ${literal(now.toISOString())}`;
}
