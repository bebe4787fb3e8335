import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { dueAt } from '../../domain/due-time';
import type { EndpointStore } from '../../domain/endpoint-store';
import type { HookCommands, HookReads } from '../../domain/hook-store';
import { newHook } from '../../domain/new-hook';
import { countHookScheduled } from '../../metrics/hook-metrics';
import { deliveryOfRecord } from '../../security/signed-delivery';
import { hookHistoryLink, type TemporalWebUi } from '../../temporal/web-ui-link';
import { USER_AGENT } from '../../version';
import { ApiError } from '../errors';
import {
  createHookBodySchema,
  errorSchema,
  hookDetailEnvelopeSchema,
  hookEnvelopeSchema,
  hookPageSchema,
  hookParamsSchema,
  idempotencyHeadersSchema,
  listHooksQuerySchema,
  rescheduleBodySchema,
} from '../schemas';
import { checkDataSize, knownHookId, security } from './route-helpers';

export interface HookRoutesOptions {
  commands: HookCommands;
  reads: HookReads;
  endpoints: EndpointStore;
  temporalWebUi?: TemporalWebUi;
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema };

export const hookRoutes: FastifyPluginAsyncZod<HookRoutesOptions> = async (
  app,
  { commands, reads, endpoints, temporalWebUi },
) => {
  /**
   * Each request's body as the client sent it, before validation reads it into domain values: an
   * Idempotency-Key's repeat is recognised by what was sent (`postIn: "1h"` is the same request an hour
   * later, though it names another instant).
   */
  const sentBodies = new WeakMap<FastifyRequest, unknown>();

  app.post(
    '/v1/hooks',
    {
      preValidation: async (request) => {
        sentBodies.set(request, request.body);
      },
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
      const hook = newHook(project, body, dueAt(body.due, new Date()));
      checkDataSize(project, hook.data);
      const idempotencyKey = request.headers['idempotency-key'];
      if (Array.isArray(idempotencyKey)) {
        throw new ApiError(400, 'validation_failed', 'send one Idempotency-Key header', [
          { field: 'idempotency-key', message: 'must appear once' },
        ]);
      }
      const { hook: scheduled, created } = await commands.schedule(
        project.id,
        hook,
        idempotencyKey ? { key: idempotencyKey, request: sentBodies.get(request) } : undefined,
      );
      if (created) countHookScheduled(project.id);
      return reply.status(created ? 201 : 200).send({ data: scheduled });
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
        response: { 200: hookDetailEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      const { project } = request;
      const hook = await reads.get(project.id, knownHookId(request.params.id));
      const endpoint = await endpoints.endpointOfTarget(project.id, hook.targetUrl);
      const delivery = deliveryOfRecord(hook, { secrets: project.signingSecrets, userAgent: USER_AGENT });
      return {
        data: {
          ...hook,
          ...(endpoint ? { endpoint } : {}),
          request: { method: 'POST' as const, ...delivery },
          links: temporalWebUi ? { temporalUi: hookHistoryLink(temporalWebUi, project.id, hook.id) } : {},
        },
      };
    },
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
      const page = await reads.list(request.project.id, { ...range, statuses: status }, { limit, cursor });
      return { data: page.hooks, nextCursor: page.nextCursor ?? null };
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
      const postAt = dueAt(request.body.due, new Date());
      return { data: await commands.reschedule(request.project.id, knownHookId(request.params.id), postAt) };
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
    async (request) => ({ data: await commands.cancel(request.project.id, knownHookId(request.params.id)) }),
  );
};
