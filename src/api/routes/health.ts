import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StoreHealth } from '../../domain/hook-store';
import { ApiError } from '../errors';
import { errorSchema } from '../schemas';

const statusSchema = z.object({ status: z.string() });

export const healthRoutes: FastifyPluginAsyncZod<{ health: StoreHealth }> = async (app, { health }) => {
  app.get(
    '/healthz',
    {
      schema: { summary: 'Liveness: the process answers', tags: ['health'], response: { 200: statusSchema } },
    },
    () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: Temporal is reachable',
        tags: ['health'],
        response: { 200: statusSchema, 503: errorSchema },
      },
    },
    async () => {
      if (!(await health.isReachable())) throw new ApiError(503, 'not_ready', 'Temporal is not reachable');
      return { status: 'ready' };
    },
  );
};
