import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { countHookScheduled } from '../../metrics/hook-metrics';
import { type HookStore, InvalidCursorError } from '../../temporal/hook-store';
import { resolveDueTime } from '../due-time';
import { ApiError } from '../errors';
import { deliverySettings, resolveTarget } from '../hook-settings';
import {
  createHookBodySchema,
  errorSchema,
  hookEnvelopeSchema,
  hookPageSchema,
  hookParamsSchema,
  idempotencyHeadersSchema,
  listHooksQuerySchema,
  rescheduleBodySchema,
} from '../schemas';
import { knownHookId, security } from './route-helpers';

export interface HookRoutesOptions {
  store: HookStore;
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema };

export const hookRoutes: FastifyPluginAsyncZod<HookRoutesOptions> = async (app, { store }) => {
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
          ...deliverySettings(project, body),
        },
        idempotencyKey ? { key: idempotencyKey, request: body } : undefined,
      );
      if (created) countHookScheduled(project.id);
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

  app.get(
    '/v1/hooks',
    {
      schema: {
        summary: 'List hooks, newest first',
        description:
          'Backed by Temporal visibility, which is eventually consistent: a change made a moment ago may ' +
          'not show yet. Items carry no data and no attempt history; read one hook for those.',
        tags: ['hooks'],
        security,
        querystring: listHooksQuerySchema,
        response: { 200: hookPageSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const { status, limit, cursor, ...range } = request.query;
      try {
        const page = await store.list(request.project.id, { ...range, statuses: status }, { limit, cursor });
        return { data: page.hooks, nextCursor: page.nextCursor ?? null };
      } catch (error) {
        if (!(error instanceof InvalidCursorError)) throw error;
        throw new ApiError(400, 'validation_failed', 'invalid query', [
          { field: 'cursor', message: 'must be a nextCursor from an earlier page' },
        ]);
      }
    },
  );

  app.patch(
    '/v1/hooks/:id',
    {
      schema: {
        summary: 'Reschedule a hook that is still waiting for its first attempt',
        tags: ['hooks'],
        security,
        params: hookParamsSchema,
        body: rescheduleBodySchema,
        response: { 200: hookEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      const postAt = resolveDueTime(request.body, new Date()).toISOString();
      return { data: await store.reschedule(request.project.id, knownHookId(request.params.id), postAt) };
    },
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
