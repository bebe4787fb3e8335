import { z } from 'zod';
import { EVENT_ID_PATTERN } from '../domain/event-ids';
import {
  type EventView,
  isEventType,
  isEventTypePattern,
  isFilterPath,
  MAX_EVENT_TYPE_LENGTH,
  MAX_EVENT_TYPES_PER_SUBSCRIPTION,
  MAX_FILTER_DEPTH,
  MAX_FILTER_ENTRIES,
} from '../domain/subscription';
import {
  atMostOneTarget,
  cursorSchema,
  exactlyOneTarget,
  jsonData,
  nextCursorSchema,
  targetFields,
} from './schemas';

/** Subscriptions and events on the wire: these schemas validate, type the handlers and make the document. */

export const eventTypeSchema = z
  .string()
  .refine(
    isEventType,
    `must be dot-separated segments of letters, digits, "_" and "-", at most ${MAX_EVENT_TYPE_LENGTH} characters`,
  )
  .describe('Such as "order.created".');

const eventTypePatternsSchema = z
  .array(
    z
      .string()
      .refine(
        isEventTypePattern,
        'must be an event type whose segments may be "*" (one segment) and whose last may be "**" (the rest)',
      ),
  )
  .min(1)
  .max(MAX_EVENT_TYPES_PER_SUBSCRIPTION)
  .describe(
    'Event types the subscription receives: "order.created", "order.*", "order.**", or "**" for all.',
  );

const filterSchema = z
  .record(
    z.string().refine(isFilterPath, `must be a dotted path of at most ${MAX_FILTER_DEPTH} segments`),
    z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]),
  )
  .refine(
    (filter) => Object.keys(filter).length <= MAX_FILTER_ENTRIES,
    `at most ${MAX_FILTER_ENTRIES} fields`,
  )
  .describe('Fields of the event\'s data, by dotted path ("customer.tier"), and the value each must equal.');

const descriptionSchema = z.string().min(1).max(500);

export const createSubscriptionBodySchema = z
  .strictObject({
    ...targetFields,
    eventTypes: eventTypePatternsSchema,
    filter: filterSchema.optional(),
    description: descriptionSchema.optional(),
    enabled: z.boolean().default(true),
  })
  .superRefine(exactlyOneTarget)
  .meta({ id: 'CreateSubscription' });

export const updateSubscriptionBodySchema = z
  .strictObject({
    ...targetFields,
    eventTypes: eventTypePatternsSchema.optional(),
    filter: filterSchema.nullable().optional().describe('null removes the filter.'),
    description: descriptionSchema.nullable().optional().describe('null removes the description.'),
    enabled: z.boolean().optional(),
  })
  .superRefine((body, ctx) => {
    atMostOneTarget(body, ctx);
    if (Object.keys(body).length === 0)
      ctx.addIssue({ code: 'custom', message: 'change at least one field' });
  })
  .meta({ id: 'UpdateSubscription' });

export const subscriptionSchema = z
  .object({
    id: z.string(),
    description: z.string().optional(),
    path: z.string().optional(),
    url: z.string().optional(),
    eventTypes: z.array(z.string()),
    filter: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Subscription' });

export const subscriptionEnvelopeSchema = z.object({ data: subscriptionSchema });
export const subscriptionListSchema = z.object({ data: z.array(subscriptionSchema) });
export const subscriptionParamsSchema = z.object({ id: z.string().min(1).max(100) });

export const publishEventBodySchema = z
  .strictObject({
    type: eventTypeSchema,
    data: jsonData.optional().describe('Any JSON; each hook delivers it as `data.data`. Defaults to null.'),
    id: z
      .string()
      .regex(EVENT_ID_PATTERN, 'must be 1 to 100 letters, digits, "_", ".", ":" or "-"')
      .optional()
      .describe(
        "The sender's id of the event: a repeat answers with the first event (200) and delivers nothing.",
      ),
  })
  .meta({ id: 'PublishEvent' });

// `satisfies` ties the wire schema to the domain type: a field that drifts fails to compile.
export const eventSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    data: z.unknown(),
    hookIds: z
      .array(z.string())
      .describe('One hook per matching subscription, in the order of subscriptionIds.'),
    subscriptionIds: z.array(z.string()),
    createdAt: z.string(),
  })
  .meta({ id: 'Event' }) satisfies z.ZodType<EventView>;

export const eventEnvelopeSchema = z.object({ data: eventSchema });
export const eventParamsSchema = z.object({ id: z.string().min(1).max(100) });

export const listEventsQuerySchema = z.strictObject({
  type: eventTypeSchema.optional().describe('Events of exactly this type.'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: cursorSchema,
});

export const eventPageSchema = z.object({
  data: z.array(eventSchema.omit({ data: true })),
  nextCursor: nextCursorSchema,
});
