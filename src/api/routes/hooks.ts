import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ProjectConfig } from '../../config/schema';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from '../../domain/retry-policy';
import type { HookStore } from '../../temporal/hook-store';
import { HOOK_ID_PATTERN } from '../../temporal/workflow-ids';
import { requireApiKey } from '../auth';
import { resolveDueTime } from '../due-time';
import { ApiError } from '../errors';
import {
  createHookBodySchema,
  type CreateHookBody,
  errorSchema,
  hookEnvelopeSchema,
  hookParamsSchema,
  idempotencyHeadersSchema,
} from '../schemas';

export interface HookRoutesOptions {
  store: HookStore;
  projects: readonly ProjectConfig[];
}

const security: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];
const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema };

export const hookRoutes: FastifyPluginAsyncZod<HookRoutesOptions> = async (app, { store, projects }) => {
  requireApiKey(app, projects);

  app.post(
    '/v1/hooks',
    {
      schema: {
        summary: 'Schedule a hook',
        tags: ['hooks'],
        security,
        headers: idempotencyHeadersSchema,
        body: createHookBodySchema,
        response: {
          200: hookEnvelopeSchema,
          201: hookEnvelopeSchema,
          403: errorSchema,
          413: errorSchema,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { project, body } = request;
      const target = resolveTarget(project, body);
      const data = body.data ?? null;
      const dataBytes = Buffer.byteLength(JSON.stringify(data), 'utf8');
      if (dataBytes > project.maxDataBytes) {
        throw new ApiError(
          413,
          'payload_too_large',
          `data is ${dataBytes} bytes; the limit is ${project.maxDataBytes}`,
        );
      }
      const idempotencyKey = request.headers['idempotency-key'];
      if (Array.isArray(idempotencyKey)) {
        throw new ApiError(400, 'validation_failed', 'send one Idempotency-Key header', [
          { field: 'idempotency-key', message: 'must appear once' },
        ]);
      }
      const { hook, created } = await store.schedule(
        project.id,
        {
          ...target,
          data,
          postAt: resolveDueTime(body, new Date()).toISOString(),
          retry: resolveRetryPolicy(
            resolveRetryPolicy(DEFAULT_RETRY_POLICY, project.retry),
            body.retryOverride,
          ),
          retryOverride: body.retryOverride,
          async: body.async ?? project.asyncHooks,
          deliveryTimeoutMs: project.deliveryTimeoutSecs * 1000,
        },
        idempotencyKey ? { key: idempotencyKey, request: body } : undefined,
      );
      return reply.status(created ? 201 : 200).send({ data: hook });
    },
  );

  app.get(
    '/v1/hooks/:id',
    {
      schema: {
        summary: 'Read a hook with its attempt history',
        tags: ['hooks'],
        security,
        params: hookParamsSchema,
        response: { 200: hookEnvelopeSchema, ...errors },
      },
    },
    async (request) => ({ data: await store.get(request.project.id, knownHookId(request.params.id)) }),
  );

  app.delete(
    '/v1/hooks/:id',
    {
      schema: {
        summary: 'Cancel a pending or retrying hook',
        tags: ['hooks'],
        security,
        params: hookParamsSchema,
        response: { 200: hookEnvelopeSchema, ...errors },
      },
    },
    async (request) => ({ data: await store.cancel(request.project.id, knownHookId(request.params.id)) }),
  );
};

function resolveTarget(project: ProjectConfig, body: CreateHookBody) {
  if (body.url !== undefined) {
    if (!project.allowUrlTargets) {
      throw new ApiError(
        403,
        'url_not_allowed',
        `project "${project.id}" delivers only to paths on its baseUrl`,
      );
    }
    return { target: { url: body.url }, targetUrl: body.url };
  }
  const path = body.path ?? '/';
  if (!project.baseUrl) throw new ApiError(403, 'path_not_allowed', `project "${project.id}" has no baseUrl`);
  return { target: { path }, targetUrl: project.baseUrl.replace(/\/+$/, '') + path };
}

/** Ids that cannot exist are answered like unknown ones, without a round trip to Temporal. */
function knownHookId(id: string): string {
  if (!HOOK_ID_PATTERN.test(id)) throw new ApiError(404, 'not_found', 'hook not found');
  return id;
}
