import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ProjectConfig } from '../../config/schema';
import { DEFAULT_MAX_BODY_BYTES, type SourceConfig } from '../../config/source-schema';
import { bodyHash, buildEnvelope, parsePayload } from '../../domain/inbound-event';
import type { IngestStore } from '../../domain/ingest-store';
import { verifyInboundSignature } from '../../security/inbound-signatures';
import { ApiError } from '../errors';
import { ingestAnswerSchema, ingestParamsSchema } from '../ingest-schemas';
import { errorSchema } from '../schemas';

export interface IngestRoutesOptions {
  projects: readonly ProjectConfig[];
  ingest: IngestStore;
}

/**
 * Where senders deliver their webhooks. No API key: the sender's signature over the raw body is the
 * credential, checked before anything else. A verified event is kept (its workflow started) and answered;
 * forwarding happens later, in the workflow.
 */
export const ingestRoutes: FastifyPluginAsyncZod<IngestRoutesOptions> = async (app, { projects, ingest }) => {
  const sources = new Map<string, { project: ProjectConfig; source: SourceConfig }>(
    projects.flatMap((project) => project.sources.map((source) => [source.id, { project, source }])),
  );
  const sourceOf = (sourceId: string) => {
    const found = sources.get(sourceId);
    if (!found) throw new ApiError(404, 'source_not_found', `no source "${sourceId}" is configured`);
    return found;
  };

  // Signatures are over the bytes as sent: this plugin alone takes every body raw, whatever its type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });

  app.post(
    '/v1/ingest/:sourceId',
    {
      // Fastify stops reading past the largest source's limit; each source's own is checked below.
      bodyLimit: Math.max(
        DEFAULT_MAX_BODY_BYTES,
        ...[...sources.values()].map(({ source }) => source.maxBodyBytes),
      ),
      // An unknown source is refused before its body is read.
      onRequest: async (request) => {
        sourceOf(request.params.sourceId);
      },
      schema: {
        summary: "Receive a sender's webhook: verified, deduplicated, kept, answered, forwarded later",
        description:
          "Authenticated by the sender's signature under the source's verification scheme, not by an API key. " +
          '401: missing, invalid or stale signature; 404: unknown source; 413: body over the source limit; ' +
          '400: not JSON, or no usable event id or type. A repeat of an event id within the dedupe window ' +
          'is answered 200 with `duplicate: true` and forwarded no more.',
        tags: ['ingestion'],
        params: ingestParamsSchema,
        response: {
          200: ingestAnswerSchema,
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
          413: errorSchema,
        },
      },
    },
    async (request) => {
      const receivedAt = new Date();
      const { project, source } = sourceOf(request.params.sourceId);
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const log = request.log.child({ source: source.id });
      log.info({ step: 'received', bytes: body.length }, 'inbound webhook received');
      if (body.length > source.maxBodyBytes) {
        throw new ApiError(
          413,
          'payload_too_large',
          `the body is ${body.length} bytes; source "${source.id}" accepts at most ${source.maxBodyBytes}`,
        );
      }
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value.join(',') : value;
      };
      const verification = verifyInboundSignature(source.verification, { header, body }, receivedAt);
      if (!verification.ok) {
        log.warn({ step: 'refused', reason: verification.reason }, 'inbound webhook refused');
        throw new ApiError(401, verification.reason, verification.message);
      }
      const envelope = buildEnvelope(
        source,
        { header, payload: parsePayload(body), bodyHash: bodyHash(body), signedAt: verification.timestamp },
        receivedAt,
      );
      const { eventId, eventType } = envelope;
      log.info({ step: 'verified', eventId, eventType }, 'inbound webhook verified');
      const { duplicate } = await ingest.accept(project.id, source, envelope);
      log.info({ step: duplicate ? 'duplicate' : 'kept', eventId, eventType }, 'inbound webhook kept');
      return { data: { eventId, eventType, source: source.id, receivedAt: envelope.receivedAt, duplicate } };
    },
  );
};
