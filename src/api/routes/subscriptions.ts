import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { newSubscriptionId } from '../../domain/event-ids';
import type { SubscriptionStore } from '../../domain/fanout-store';
import type { Subscription } from '../../domain/subscription';
import {
  createSubscriptionBodySchema,
  subscriptionEnvelopeSchema,
  subscriptionListSchema,
  subscriptionParamsSchema,
  updateSubscriptionBodySchema,
} from '../fanout-schemas';
import { errorSchema } from '../schemas';
import { checkedTarget, knownSubscriptionId, security } from './route-helpers';

export interface SubscriptionRoutesOptions {
  subscriptions: SubscriptionStore;
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };

/** A subscription as the API shows it: its target as a hook's, `path` or `url`. */
function subscriptionView({ projectId: _projectId, target, ...subscription }: Subscription) {
  return { ...subscription, ...target };
}

/** Subscriptions: which events a project's receivers get, each event becoming one hook per match. */
export const subscriptionRoutes: FastifyPluginAsyncZod<SubscriptionRoutesOptions> = async (
  app,
  { subscriptions },
) => {
  app.get(
    '/v1/subscriptions',
    {
      schema: {
        summary: "List the project's subscriptions, oldest first",
        tags: ['events'],
        security,
        response: { 200: subscriptionListSchema, 401: errorSchema },
      },
    },
    async (request) => ({ data: (await subscriptions.list(request.project.id)).map(subscriptionView) }),
  );

  app.post(
    '/v1/subscriptions',
    {
      schema: {
        summary: 'Subscribe a target to event types',
        tags: ['events'],
        security,
        body: createSubscriptionBodySchema,
        response: { 201: subscriptionEnvelopeSchema, 403: errorSchema, 409: errorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { project, body } = request;
      const { path: _path, url: _url, ...fields } = body;
      const now = new Date().toISOString();
      const created = await subscriptions.create({
        ...fields,
        id: newSubscriptionId(),
        projectId: project.id,
        target: checkedTarget(project, body),
        createdAt: now,
        updatedAt: now,
      });
      return reply.status(201).send({ data: subscriptionView(created) });
    },
  );

  // Reading and deleting one subscription differ only in what the store does.
  const oneSubscription = {
    GET: { summary: 'Read a subscription', act: subscriptions.get.bind(subscriptions) },
    DELETE: {
      summary: 'Delete a subscription',
      description: 'Answers with the subscription as it was. Hooks it already received are not touched.',
      act: subscriptions.delete.bind(subscriptions),
    },
  } as const;
  for (const [method, { act, ...docs }] of Object.entries(oneSubscription)) {
    app.route({
      method,
      url: '/v1/subscriptions/:id',
      schema: {
        ...docs,
        tags: ['events'],
        security,
        params: subscriptionParamsSchema,
        response: { 200: subscriptionEnvelopeSchema, ...errors },
      },
      handler: async (request) => ({
        data: subscriptionView(await act(request.project.id, knownSubscriptionId(request.params.id))),
      }),
    });
  }

  app.patch(
    '/v1/subscriptions/:id',
    {
      schema: {
        summary: 'Change some fields of a subscription (enable or disable it, say)',
        description: 'Events published afterwards follow the change; hooks already scheduled do not.',
        tags: ['events'],
        security,
        params: subscriptionParamsSchema,
        body: updateSubscriptionBodySchema,
        response: { 200: subscriptionEnvelopeSchema, 403: errorSchema, 409: errorSchema, ...errors },
      },
    },
    async (request) => {
      const { project, body } = request;
      const { path, url, ...patch } = body;
      const id = knownSubscriptionId(request.params.id);
      const movesTarget = path !== undefined || url !== undefined;
      // An unknown subscription is a 404 whatever target the change names.
      if (movesTarget) await subscriptions.get(project.id, id);
      const target = movesTarget ? checkedTarget(project, body) : undefined;
      const updated = await subscriptions.update(project.id, id, { ...patch, target }, new Date());
      return { data: subscriptionView(updated) };
    },
  );
};
