import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ProjectConfig } from '../../config/schema';
import { SOURCE_ID_PATTERN } from '../../config/source-schema';
import { EVENT_ID_PATTERN } from '../../domain/event-ids';
import { HookNotFoundError } from '../../domain/errors';
import type { HookState } from '../../domain/hook';
import type { HookReads } from '../../domain/hook-store';
import type { IngestStore } from '../../domain/ingest-store';
import { type IngestedEventRecord, outcomeOf, withOutcome } from '../../workflows/ingest-record';
import { ApiError } from '../errors';
import {
  ingestedEventEnvelopeSchema,
  ingestedEventPageSchema,
  ingestedEventParamsSchema,
  listIngestedEventsQuerySchema,
} from '../ingest-schemas';
import { errorSchema } from '../schemas';
import { security } from './route-helpers';

export interface IngestedEventRoutesOptions {
  ingest: IngestStore;
  reads: HookReads;
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };

/** The project's own source of that id, or 404: another project's source is not found either. */
function knownEvent(project: ProjectConfig, params: { sourceId: string; eventId: string }) {
  const known =
    SOURCE_ID_PATTERN.test(params.sourceId) &&
    EVENT_ID_PATTERN.test(params.eventId) &&
    project.sources.some((source) => source.id === params.sourceId);
  if (!known) throw new ApiError(404, 'not_found', 'ingested event not found');
  return params;
}

/** The record with how the hooks of its last forward ended: their own records are the truth of it. */
async function settled(reads: HookReads, record: IngestedEventRecord): Promise<IngestedEventRecord> {
  const hooks = await Promise.all(
    record.lastHookIds.map((hookId) =>
      reads.get(record.projectId, hookId).catch((error: unknown): HookState | undefined => {
        // A hook past its retention period says nothing any more.
        if (error instanceof HookNotFoundError) return undefined;
        throw error;
      }),
    ),
  );
  const outcome = outcomeOf(hooks.filter((hook) => hook !== undefined));
  return outcome ? withOutcome(record, outcome) : record;
}

function view({ envelope, log, hookIds, forwards, duplicates }: IngestedEventRecord) {
  return { envelope, log, hookIds, forwards, duplicates };
}

/** The admin side of ingestion: find an event by its sender's id, read its life, replay it. */
export const ingestedEventRoutes: FastifyPluginAsyncZod<IngestedEventRoutesOptions> = async (
  app,
  { ingest, reads },
) => {
  app.get(
    '/v1/ingested-events',
    {
      schema: {
        summary: 'List ingested events, newest first: by sender event id, source or type',
        description:
          'Backed by Temporal visibility, eventually consistent. Items carry no payload and no log; their ' +
          'status is received or forwarded: reading one event tells whether its hooks were delivered.',
        tags: ['ingestion'],
        security,
        querystring: listIngestedEventsQuerySchema,
        response: { 200: ingestedEventPageSchema, ...errors },
      },
    },
    async (request) => {
      const { project } = request;
      const { eventId, source, type, limit, cursor } = request.query;
      const sourceIds = project.sources
        .map(({ id }) => id)
        .filter((id) => source === undefined || id === source);
      if (sourceIds.length === 0) return { data: [], nextCursor: null };
      const page = await ingest.list(
        project.id,
        {
          ...(eventId ? { eventId: { id: eventId, sourceIds } } : {}),
          ...(source ? { sourceId: source } : {}),
          ...(type ? { eventType: type } : {}),
        },
        { limit, cursor },
      );
      return {
        data: page.events.map((record) => {
          const { payload: _payload, ...envelope } = record.envelope;
          const { log: _log, ...rest } = view(record);
          return { ...rest, envelope };
        }),
        nextCursor: page.nextCursor ?? null,
      };
    },
  );

  app.get(
    '/v1/ingested-events/:sourceId/:eventId',
    {
      schema: {
        summary: 'Read an ingested event: its envelope, lifecycle log and hooks',
        tags: ['ingestion'],
        security,
        params: ingestedEventParamsSchema,
        response: { 200: ingestedEventEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      const { sourceId, eventId } = knownEvent(request.project, request.params);
      const record = await ingest.get(request.project.id, sourceId, eventId);
      return { data: view(await settled(reads, record)) };
    },
  );

  app.post(
    '/v1/ingested-events/:sourceId/:eventId/replay',
    {
      schema: {
        summary: "Forward an ingested event again, as new hooks, under its source's settings as they are now",
        description: 'Answers once the new hooks are started (without the source delay).',
        tags: ['ingestion'],
        security,
        params: ingestedEventParamsSchema,
        response: { 200: ingestedEventEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      const { sourceId, eventId } = knownEvent(request.project, request.params);
      const record = await ingest.replay(request.project.id, sourceId, eventId);
      request.log.info(
        { step: 'replayed', source: sourceId, eventId, hookIds: record.lastHookIds },
        'ingested event replayed',
      );
      return { data: view(record) };
    },
  );
};
