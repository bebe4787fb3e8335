import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { ProjectConfig } from '../config/schema';
import type { FanoutStore } from '../domain/fanout-store';
import type { ProjectSettingsStore } from '../domain/project-settings';
import type { HookStore } from '../domain/hook-store';
import type { IngestStore } from '../domain/ingest-store';
import type { ScheduleStore } from '../domain/schedule-store';
import type { TemporalWebUi } from '../temporal/web-ui-link';
import type { CallbackTokenVerifier } from '../security/server-secret';
import { VERSION } from '../version';
import { requireApiKey } from './auth';
import { answerClientError } from './client-errors';
import { ApiError, errorHandler } from './errors';
import { serializeRequest } from './request-log';
import { callbackRoutes } from './routes/callbacks';
import { endpointRoutes } from './routes/endpoints';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { hookRecoveryRoutes } from './routes/hook-recovery';
import { hookRoutes } from './routes/hooks';
import { ingestRoutes } from './routes/ingest';
import { ingestedEventRoutes } from './routes/ingested-events';
import { metricsRoutes } from './routes/metrics';
import { overviewRoutes } from './routes/overview';
import { projectRoutes } from './routes/project';
import { scheduleRoutes } from './routes/schedules';
import { subscriptionRoutes } from './routes/subscriptions';
import { uiRoutes } from './routes/ui';

export interface AppOptions {
  store: HookStore;
  /** Subscriptions and the events fanned out to them. */
  fanout: FanoutStore;
  /** What the API changes of a project's settings over its config file. */
  projectSettings: ProjectSettingsStore;
  /** Webhooks received from the projects' sources. */
  ingest: IngestStore;
  /** Recurring schedules, each run an ordinary hook. */
  schedules: ScheduleStore;
  projects: readonly ProjectConfig[];
  /** Checks the tokens of incoming acks and nacks. */
  callbackTokens: CallbackTokenVerifier;
  logger: FastifyBaseLogger | false;
  /** Where hooks link to their workflow history. */
  temporalWebUi?: TemporalWebUi;
  /** Sees every route as it is registered (the OpenAPI completeness test lists them this way). */
  onRoute?: (route: RouteOptions) => void;
}

/** Room for the envelope around the largest `data` a project accepts. */
const BODY_OVERHEAD_BYTES = 64 * 1024;

export async function buildApp({
  store,
  fanout,
  projectSettings,
  ingest,
  schedules,
  projects,
  callbackTokens,
  logger,
  onRoute,
  temporalWebUi,
}: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger
      ? { loggerInstance: logger.child({}, { serializers: { req: serializeRequest } }) }
      : { logger: false }),
    bodyLimit: Math.max(...projects.map((project) => project.maxDataBytes)) + BODY_OVERHEAD_BYTES,
    // Callback tokens travel in the path and are longer than Fastify's default 100 characters.
    routerOptions: { maxParamLength: 2048 },
    // What the router and Node's parser refuse is answered in the API's error format too.
    frameworkErrors: (error, request, reply) => {
      void errorHandler(error, request, reply);
    },
    clientErrorHandler: answerClientError,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  // JSON only: a text/plain body is refused with 415 instead of reaching validation as a string.
  app.removeContentTypeParser('text/plain');
  app.setNotFoundHandler((request) => {
    throw new ApiError(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`);
  });

  if (onRoute) app.addHook('onRoute', onRoute);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hookrelay',
        version: VERSION,
        description: 'Schedules webhooks and delivers them signed, retried and recorded attempt by attempt.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(healthRoutes, { health: store.health });
  await app.register(metricsRoutes, { health: store.health });
  // Every hook, endpoint and event route needs an API key: one parent plugin holds the check for all.
  await app.register(async (authenticated) => {
    requireApiKey(authenticated, projects);
    await authenticated.register(hookRoutes, {
      commands: store.commands,
      reads: store.reads,
      endpoints: store.endpoints,
      temporalWebUi,
    });
    await authenticated.register(endpointRoutes, { endpoints: store.endpoints });
    await authenticated.register(overviewRoutes, { reads: store.reads, endpoints: store.endpoints });
    await authenticated.register(hookRecoveryRoutes, { commands: store.commands, reads: store.reads });
    await authenticated.register(subscriptionRoutes, { subscriptions: fanout.subscriptions });
    await authenticated.register(eventRoutes, fanout);
    await authenticated.register(projectRoutes, { settings: projectSettings });
    await authenticated.register(ingestedEventRoutes, { ingest, reads: store.reads });
    await authenticated.register(scheduleRoutes, { schedules });
  });
  await app.register(ingestRoutes, { projects, ingest });
  await app.register(callbackRoutes, { callbacks: store.callbacks, tokens: callbackTokens });
  await app.register(uiRoutes);
  return app;
}
