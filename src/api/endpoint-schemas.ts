import { z } from 'zod';
import { alertRulesSchema, autoDisableAfterSecsSchema, flowLimitsSchema } from '../config/schema';
import {
  ALERT_KINDS,
  type AlertView,
  ENDPOINT_STATES,
  type EndpointOverrides,
  type EndpointView,
} from '../domain/endpoint';
import { batchSizingSchema } from '../domain/batch-schema';
import { ENDPOINT_ID_PATTERN } from '../domain/endpoint-grouping';
import { ENDPOINT_ORDERS } from '../domain/endpoint-store';
import { commaSeparated, cursorSchema, nextCursorSchema } from './schemas';

// `satisfies` ties these wire schemas to the domain types: a field that drifts fails to compile.

const windowStatsSchema = z.object({
  attempts: z.int(),
  failures: z.int(),
  successRate: z.number().nullable().describe('0..1; null without attempts.'),
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
});

const failureRecordSchema = z.object({
  at: z.string(),
  hookId: z.string(),
  statusCode: z.int().optional(),
  error: z.string().optional(),
});

export const flowLimitsViewSchema = z.object({
  ratePerSecond: z.number().describe('At most this many requests in any second; 0: no limit.'),
  maxInFlight: z.int().describe('At most this many requests at once; 0: no limit.'),
});

const batchSizingViewSchema = z.object({ maxSize: z.int(), windowSecs: z.number() });

const alertRulesViewSchema = z.object({
  minSuccessRate: z.number(),
  windowMinutes: z.int(),
  minAttempts: z.int(),
  maxConsecutiveFailures: z.int(),
});

export const endpointSchema = z
  .object({
    id: z.string(),
    url: z.string().describe('What the endpoint stands for: origin and path (or path prefix), no query.'),
    projectId: z.string(),
    state: z.enum(ENDPOINT_STATES),
    stateChangedAt: z.string(),
    stateNote: z.string().optional().describe('Why it is paused (the note given) or disabled.'),
    health: z.enum(['healthy', 'failing']),
    healthReasons: z.array(z.string()),
    stats: z.object({
      lastHour: windowStatsSchema,
      lastDay: windowStatsSchema,
      hourly: z
        .array(z.object({ start: z.string(), attempts: z.int(), failures: z.int() }))
        .describe('The 24 hours up to the current one, oldest first, empty hours included.'),
      failureStreak: z.int().describe('Failures since the last success.'),
      lastSuccessAt: z.string().optional(),
      lastFailure: failureRecordSchema.optional(),
      failingSince: z.string().optional(),
    }),
    statsAt: z
      .string()
      .describe('The moment the stats were computed (they are refreshed every few seconds).'),
    heldHooks: z
      .int()
      .describe('Hooks waiting for the endpoint: to be active again, or for room within its limits.'),
    inFlight: z.int().describe('Hooks the endpoint let go whose attempt has not reported back yet.'),
    limits: flowLimitsViewSchema.describe("In force: the project's, with this endpoint's own over them."),
    throttledUntil: z
      .string()
      .optional()
      .describe('The receiver asked to back off (429 or 503 with Retry-After): nothing is sent before this.'),
    batch: batchSizingViewSchema
      .optional()
      .describe(
        "Set to batch: every sync hook to it goes in a batch request with the other hooks to its URL, sized by the project's `batching` with this endpoint's own over it. Absent: hooks go one by one.",
      ),
    alertRules: alertRulesViewSchema,
    autoDisableAfterSecs: z.int(),
    overrides: z.object({
      alertRules: alertRulesViewSchema.partial().optional(),
      autoDisableAfterSecs: z.int().optional(),
      limits: flowLimitsViewSchema.partial().optional(),
      batch: batchSizingViewSchema.partial().optional(),
    }),
    firstSeenAt: z.string(),
  })
  .meta({ id: 'Endpoint' }) satisfies z.ZodType<EndpointView>;

export const endpointEnvelopeSchema = z.object({ data: endpointSchema });

export const endpointParamsSchema = z.object({ id: z.string().min(1).max(100) });

export const listEndpointsQuerySchema = z.strictObject({
  state: commaSeparated(ENDPOINT_STATES).optional().describe('One state, or several separated by commas.'),
  health: z.enum(['healthy', 'failing']).optional(),
  sort: z
    .enum(ENDPOINT_ORDERS)
    .default('url')
    .describe('url: alphabetical; failureRate: the worst first (last hour, then last day).'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: cursorSchema,
});

export const endpointPageSchema = z.object({
  data: z.array(endpointSchema),
  nextCursor: nextCursorSchema,
});

export const stateChangeBodySchema = z
  .strictObject({ note: z.string().min(1).max(500).optional().describe('Why; shown on the endpoint.') })
  // Optional, and a request without a body arrives as null.
  .nullish();

export const configureEndpointBodySchema = z
  .strictObject({
    alertRules: alertRulesSchema
      .partial()
      .nullable()
      .optional()
      .describe("Rules over the project's, field by field; null removes this endpoint's own."),
    autoDisableAfterSecs: autoDisableAfterSecsSchema
      .nullable()
      .optional()
      .describe("null: follow the project's setting again."),
    limits: flowLimitsSchema
      .partial()
      .nullable()
      .optional()
      .describe(
        "Limits over the project's, field by field (0: no limit); null removes this endpoint's own. " +
          'They hold across every worker and apply within about a second.',
      ),
    batch: batchSizingSchema
      .nullable()
      .optional()
      .describe(
        "Any object (even {}) sets the endpoint to batch: every sync hook to it then goes in a batch request, sized by these fields over the project's `batching`; null stops it. Applies within about a second.",
      ),
  })
  .refine(
    (body) =>
      body.alertRules !== undefined ||
      body.autoDisableAfterSecs !== undefined ||
      body.limits !== undefined ||
      body.batch !== undefined,
    { message: 'set alertRules, autoDisableAfterSecs, limits or batch' },
  )
  .meta({ id: 'EndpointSettings' }) satisfies z.ZodType<EndpointOverrides>;

const alertDeliverySchema = z.object({
  channel: z.string().describe('The channel, without its secrets.'),
  status: z.enum(['sending', 'sent', 'failed']),
  sentAt: z.string().optional(),
  error: z.string().optional(),
});

export const alertSchema = z
  .object({
    id: z.string(),
    kind: z.enum(ALERT_KINDS),
    projectId: z.string(),
    endpoint: z.object({ id: z.string(), url: z.string() }),
    raisedAt: z.string(),
    reasons: z.array(z.string()),
    windowMinutes: z.int(),
    window: windowStatsSchema,
    failureStreak: z.int(),
    lastFailure: failureRecordSchema.optional(),
    deliveries: z.array(alertDeliverySchema),
  })
  .meta({ id: 'Alert' }) satisfies z.ZodType<AlertView>;

export const listAlertsQuerySchema = z.strictObject({
  endpointId: z.string().regex(ENDPOINT_ID_PATTERN, 'is not an endpoint id').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: cursorSchema,
});

export const alertPageSchema = z.object({
  data: z.array(alertSchema),
  nextCursor: nextCursorSchema,
});
