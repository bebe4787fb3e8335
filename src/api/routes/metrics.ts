import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { refreshBacklogGauges } from '../../metrics/backlog-gauges';
import { METRICS_CONTENT_TYPE, renderMetrics } from '../../metrics/exposition';
import type { StoreHealth } from '../../domain/hook-store';

/** How long a scrape waits for Temporal visibility before serving the backlog gauges as they were. */
const BACKLOG_TIMEOUT_MS = 2_000;

export const metricsRoutes: FastifyPluginAsyncZod<{ health: StoreHealth }> = async (app, { health }) => {
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics of this process, the hook backlog and the Temporal SDK',
        description:
          'No API key: scrape it from your monitoring network. Counters count what this process saw; ' +
          'the backlog gauges come from Temporal visibility and cover the whole namespace.',
        tags: ['health'],
        response: { 200: { content: { [METRICS_CONTENT_TYPE]: { schema: z.string() } } } },
      },
    },
    async (request, reply) => {
      await refreshBacklogGauges(
        (deadline) => health.backlog(deadline),
        BACKLOG_TIMEOUT_MS,
        (error) => {
          request.log.warn({ err: error }, 'hook backlog not refreshed; the gauges keep their last values');
        },
      );
      return reply.type(METRICS_CONTENT_TYPE).send(await renderMetrics());
    },
  );
};
