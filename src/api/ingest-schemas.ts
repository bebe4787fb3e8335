import { z } from 'zod';
import { EVENT_ID_PATTERN } from '../domain/event-ids';
import { eventTypeSchema } from './fanout-schemas';
import { cursorSchema, nextCursorSchema } from './schemas';

/** Ingestion on the wire: these schemas validate, type the handlers and make the document. */

export const ingestParamsSchema = z.object({ sourceId: z.string().min(1).max(100) });

export const ingestAnswerSchema = z.object({
  data: z.object({
    eventId: z.string(),
    eventType: z.string(),
    source: z.string(),
    receivedAt: z.iso.datetime(),
    duplicate: z
      .boolean()
      .describe('True when the event id was seen within the dedupe window: nothing is forwarded.'),
  }),
});

const statusSchema = z
  .enum(['received', 'forwarded', 'delivered', 'failed'])
  .describe('delivered: every hook of the last forward completed; failed: one of them failed.');

const envelopeSchema = z.object({
  eventId: z.string(),
  eventType: z.string(),
  source: z.string(),
  occurredAt: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
  payload: z.unknown().describe('The body as the sender sent it, parsed as JSON.'),
  processing: z.object({ status: statusSchema, attempts: z.int().describe('Forwards so far.') }),
});

const lifecycleEntrySchema = z.object({
  step: z.enum(['received', 'verified', 'duplicate', 'forwarded', 'delivered', 'failed']),
  at: z.iso.datetime(),
  hookIds: z.array(z.string()).optional(),
  fanoutEventId: z.string().optional(),
  replay: z.boolean().optional(),
});

const ingestedEventSchema = z.object({
  envelope: envelopeSchema,
  log: z.array(lifecycleEntrySchema),
  hookIds: z.array(z.string()).describe('Every hook a forward started, oldest first.'),
  forwards: z.int(),
  duplicates: z.int(),
});

export const ingestedEventEnvelopeSchema = z.object({ data: ingestedEventSchema });

export const ingestedEventPageSchema = z.object({
  data: z.array(
    ingestedEventSchema.extend({ envelope: envelopeSchema.omit({ payload: true }) }).omit({ log: true }),
  ),
  nextCursor: nextCursorSchema,
});

export const ingestedEventParamsSchema = z.object({
  sourceId: z.string().min(1).max(100),
  eventId: z.string().min(1).max(100),
});

export const listIngestedEventsQuerySchema = z.strictObject({
  eventId: z.string().regex(EVENT_ID_PATTERN, 'must be 1 to 100 of A-Z a-z 0-9 _ . : -').optional(),
  source: z.string().min(1).max(100).optional(),
  type: eventTypeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: cursorSchema,
});
