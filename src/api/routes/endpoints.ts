import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { EndpointStore } from '../../domain/endpoint-store';
import {
  alertPageSchema,
  configureEndpointBodySchema,
  endpointEnvelopeSchema,
  endpointPageSchema,
  endpointParamsSchema,
  listAlertsQuerySchema,
  listEndpointsQuerySchema,
  stateChangeBodySchema,
} from '../endpoint-schemas';
import { errorSchema } from '../schemas';
import { knownEndpointId, security } from './route-helpers';

export interface EndpointRoutesOptions {
  endpoints: EndpointStore;
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };

/**
 * Endpoints (where a project's hooks go, one per receiver) with their health, pause and resume, their
 * own alert settings; and the alerts they raised.
 */
export const endpointRoutes: FastifyPluginAsyncZod<EndpointRoutesOptions> = async (app, { endpoints }) => {
  app.get(
    '/v1/endpoints',
    {
      schema: {
        summary: "List the project's endpoints with their health",
        description: 'An endpoint appears once a hook has been attempted there.',
        tags: ['endpoints'],
        security,
        querystring: listEndpointsQuerySchema,
        response: { 200: endpointPageSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const { state, health, sort, limit, cursor } = request.query;
      const page = await endpoints.list(
        request.project.id,
        { states: state, health },
        { limit, cursor, order: sort },
      );
      return { data: page.endpoints, nextCursor: page.nextCursor ?? null };
    },
  );

  app.get(
    '/v1/endpoints/:id',
    {
      schema: {
        summary:
          'Read an endpoint: state, health, attempts, success rate and latency over the last hour and day',
        tags: ['endpoints'],
        security,
        params: endpointParamsSchema,
        response: { 200: endpointEnvelopeSchema, ...errors },
      },
    },
    async (request) => ({
      data: await endpoints.get(request.project.id, knownEndpointId(request.params.id)),
    }),
  );

  const stateChanges = {
    pause: {
      summary: 'Pause an endpoint: its hooks wait, in due order, without spending attempts',
      description:
        'Workers see the pause within about a second; an attempt already under way finishes. ' +
        'Cancel still works on waiting hooks.',
    },
    resume: {
      summary: 'Resume a paused or disabled endpoint: its held hooks go, one at a time, in due order',
      description: 'A disabled endpoint gets a whole auto-disable window again from now.',
    },
  } as const;
  for (const [change, docs] of Object.entries(stateChanges) as [
    keyof typeof stateChanges,
    (typeof stateChanges)[keyof typeof stateChanges],
  ][]) {
    app.post(
      `/v1/endpoints/:id/${change}`,
      {
        schema: {
          ...docs,
          tags: ['endpoints'],
          security,
          params: endpointParamsSchema,
          body: stateChangeBodySchema,
          response: { 200: endpointEnvelopeSchema, ...errors },
        },
      },
      async (request) => ({
        data: await endpoints[change](
          request.project.id,
          knownEndpointId(request.params.id),
          request.body?.note,
        ),
      }),
    );
  }

  app.patch(
    '/v1/endpoints/:id',
    {
      schema: {
        summary: "Set an endpoint's own alert rules and auto-disable window",
        tags: ['endpoints'],
        security,
        params: endpointParamsSchema,
        body: configureEndpointBodySchema,
        response: { 200: endpointEnvelopeSchema, ...errors },
      },
    },
    async (request) => ({
      data: await endpoints.configure(request.project.id, knownEndpointId(request.params.id), request.body),
    }),
  );

  app.get(
    '/v1/alerts',
    {
      schema: {
        summary: 'List alerts raised by endpoints, newest first, with where each was sent',
        tags: ['endpoints'],
        security,
        querystring: listAlertsQuerySchema,
        response: { 200: alertPageSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const { endpointId, limit, cursor } = request.query;
      const page = await endpoints.alerts(request.project.id, { endpointId }, { limit, cursor });
      return { data: page.alerts, nextCursor: page.nextCursor ?? null };
    },
  );
};
