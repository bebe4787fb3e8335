import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { EndpointStore } from '../../domain/endpoint-store';
import type { HookReads } from '../../domain/hook-store';
import type { ProjectOverview } from '../../domain/project-overview';
import { overviewEnvelopeSchema } from '../overview-schemas';
import { errorSchema } from '../schemas';
import { security } from './route-helpers';

export interface OverviewRoutesOptions {
  reads: HookReads;
  endpoints: EndpointStore;
}

/** One read for a project's dashboard: where its hooks stand and how its last hour went. */
export const overviewRoutes: FastifyPluginAsyncZod<OverviewRoutesOptions> = async (
  app,
  { reads, endpoints },
) => {
  app.get(
    '/v1/overview',
    {
      schema: {
        summary: "The project's hooks per status, overdue hooks, and the last hour minute by minute",
        description:
          'Per-minute attempts, failures and first-attempt lateness come from endpoint health, so they ' +
          'need endpoint tracking (on by default).',
        tags: ['overview'],
        security,
        response: { 200: overviewEnvelopeSchema, 401: errorSchema },
      },
    },
    async (request): Promise<{ data: ProjectOverview }> => {
      const { project } = request;
      const now = new Date();
      const tracking = project.endpoints.tracking;
      const [standing, activity] = await Promise.all([
        reads.standing(project.id, now),
        tracking ? endpoints.activity(project.id, now) : { perMinute: [], endpointsInTrouble: [] },
      ]);
      return { data: { at: now.toISOString(), ...standing, ...activity, endpointTracking: tracking } };
    },
  );
};
