import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { eventDeliveries } from '../../domain/event-deliveries';
import { newEventId } from '../../domain/event-ids';
import type { EventStore, SubscriptionStore } from '../../domain/fanout-store';
import {
  eventEnvelopeSchema,
  eventPageSchema,
  eventParamsSchema,
  listEventsQuerySchema,
  publishEventBodySchema,
} from '../fanout-schemas';
import { errorSchema } from '../schemas';
import { checkDataSize, knownEventId, security } from './route-helpers';

export interface EventRoutesOptions {
  subscriptions: SubscriptionStore;
  events: EventStore;
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };

/** Events: one published event becomes one ordinary hook per enabled subscription it matches. */
export const eventRoutes: FastifyPluginAsyncZod<EventRoutesOptions> = async (
  app,
  { subscriptions, events },
) => {
  app.post(
    '/v1/events',
    {
      schema: {
        summary: 'Publish an event: one hook per enabled subscription that matches it',
        description:
          'The answer names the hooks before they exist; they are scheduled, due now, a moment later. ' +
          'Each delivers `{"eventId", "eventType", "data"}` as its data.',
        tags: ['events'],
        security,
        body: publishEventBodySchema,
        response: { 200: eventEnvelopeSchema, 201: eventEnvelopeSchema, 413: errorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { project, body } = request;
      const data = body.data ?? null;
      checkDataSize(project, data);
      const eventId = body.id ?? newEventId();
      const deliveries = eventDeliveries(
        project,
        { id: eventId, type: body.type, data },
        await subscriptions.list(project.id),
      );
      const { event, created } = await events.publish(
        project.id,
        { id: eventId, type: body.type, data, createdAt: new Date().toISOString() },
        deliveries,
      );
      return reply.status(created ? 201 : 200).send({ data: event });
    },
  );

  app.get(
    '/v1/events',
    {
      schema: {
        summary: 'List events, newest first, with the hooks each became',
        description: 'Backed by Temporal visibility, eventually consistent. Items carry no data.',
        tags: ['events'],
        security,
        querystring: listEventsQuerySchema,
        response: { 200: eventPageSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const { type, limit, cursor } = request.query;
      const page = await events.list(request.project.id, { type }, { limit, cursor });
      return {
        data: page.events.map(({ data: _data, ...summary }) => summary),
        nextCursor: page.nextCursor ?? null,
      };
    },
  );

  app.get(
    '/v1/events/:id',
    {
      schema: {
        summary: 'Read an event with the ids of its hooks',
        tags: ['events'],
        security,
        params: eventParamsSchema,
        response: { 200: eventEnvelopeSchema, ...errors },
      },
    },
    async (request) => ({ data: await events.get(request.project.id, knownEventId(request.params.id)) }),
  );
};
