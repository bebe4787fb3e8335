import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ProjectConfig } from '../../config/schema';
import { HookConflictError, HookNotFoundError, TargetNotAllowedError } from '../../domain/errors';
import {
  ACTION_STATUSES,
  actionApplies,
  BULK_ACTIONS,
  type BulkAction,
  type HookState,
} from '../../domain/hook';
import { HOOK_ID_PATTERN } from '../../domain/hook-ids';
import type { HookCommands, HookFilter, HookReads } from '../../domain/hook-store';
import { newHook } from '../../domain/new-hook';
import { mapLimited } from '../../lib/map-limited';
import { countHookScheduled } from '../../metrics/hook-metrics';
import {
  bulkBodySchema,
  bulkResultSchema,
  errorSchema,
  hookEnvelopeSchema,
  hookParamsSchema,
} from '../schemas';
import { knownHookId, security } from './route-helpers';

export interface HookRecoveryRoutesOptions {
  commands: HookCommands;
  reads: HookReads;
}

/** Bulk operations work through hooks a few at a time, to keep Temporal and the workers responsive. */
const BULK_CONCURRENCY = 8;

const errors = { 401: errorSchema, 404: errorSchema, 409: errorSchema };

/**
 * Recovery: failed hooks are the dead-letter queue. Retry gives a failed hook a new delivery cycle under
 * the same id; replay copies a finished hook into a new one due now; bulk does either, or cancels, for
 * up to 1000 hooks chosen by id or by filter.
 */
export const hookRecoveryRoutes: FastifyPluginAsyncZod<HookRecoveryRoutesOptions> = async (
  app,
  { commands, reads },
) => {
  const actions: Record<BulkAction, (project: ProjectConfig, hookId: string) => Promise<HookState>> = {
    retry: (project, hookId) => commands.retry(project.id, hookId),
    replay: async (project, hookId) => {
      const hook = await reads.get(project.id, hookId);
      if (!actionApplies('replay', hook.status)) {
        throw new HookConflictError(`only finished hooks can be replayed; this one is ${hook.status}`);
      }
      const { hook: copy } = await commands.schedule(project.id, newHook(project, hook, new Date()));
      countHookScheduled(project.id);
      return copy;
    },
    cancel: (project, hookId) => commands.cancel(project.id, hookId),
  };

  app.post(
    '/v1/hooks/:id/retry',
    {
      schema: {
        summary: 'Give a failed hook a new delivery cycle under the same id',
        tags: ['recovery'],
        security,
        params: hookParamsSchema,
        response: { 200: hookEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      return { data: await actions.retry(request.project, knownHookId(request.params.id)) };
    },
  );

  app.post(
    '/v1/hooks/:id/replay',
    {
      schema: {
        summary: 'Copy a finished hook into a new hook due now',
        tags: ['recovery'],
        security,
        params: hookParamsSchema,
        response: { 201: hookEnvelopeSchema, ...errors },
      },
    },
    async (request, reply) => {
      return reply
        .status(201)
        .send({ data: await actions.replay(request.project, knownHookId(request.params.id)) });
    },
  );

  app.post(
    '/v1/hooks/bulk/:action',
    {
      schema: {
        summary: 'Retry, replay or cancel up to 1000 hooks by id or by filter',
        tags: ['recovery'],
        security,
        params: z.object({ action: z.enum(BULK_ACTIONS) }),
        body: bulkBodySchema,
        response: { 200: bulkResultSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const { project } = request;
      const { action } = request.params;
      const { hookIds, filter, limit } = request.body;
      const { status, ...ranges } = filter ?? {};
      const ids = hookIds
        ? hookIds.filter((id) => HOOK_ID_PATTERN.test(id))
        : await matchingIds(
            reads,
            project.id,
            { ...ranges, statuses: status ?? ACTION_STATUSES[action] },
            limit,
          );
      const changed = await mapLimited([...new Set(ids)], BULK_CONCURRENCY, async (hookId) => {
        try {
          await actions[action](project, hookId);
          return true;
        } catch (error) {
          // A hook that is not in a state this action applies to, or that the project's rules no
          // longer let through (a replay to a forbidden url), is simply not affected.
          if (
            error instanceof HookConflictError ||
            error instanceof HookNotFoundError ||
            error instanceof TargetNotAllowedError
          ) {
            return false;
          }
          throw error;
        }
      });
      return { affected: changed.filter(Boolean).length };
    },
  );
};

/** Ids of up to `limit` hooks matching the filter, read page by page from visibility. */
async function matchingIds(
  reads: HookReads,
  projectId: string,
  filter: HookFilter,
  limit: number,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await reads.list(projectId, filter, { limit: limit - ids.length, cursor });
    ids.push(...page.hooks.map((hook) => hook.id));
    cursor = page.nextCursor;
  } while (cursor && ids.length < limit);
  return ids;
}
