import { z } from 'zod';
import { isEventType } from '../domain/subscription';
import { retryOverrideSchema } from '../domain/retry-schema';
import { isValidSigningSecret } from '../security/signing';

/**
 * Inbound sources: senders whose webhooks a project receives at `POST /v1/ingest/:sourceId`, how their
 * signatures are checked, where the sender's event id, type and time are found, and where a verified event
 * goes next.
 */

export const SOURCE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Senders sign "now"; a request this many seconds away from our clock, either way, is refused. */
export const DEFAULT_TOLERANCE_SECS = 300;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_DEDUPE_WINDOW_SECS = 86_400;
const MAX_DEDUPE_WINDOW_SECS = 30 * 86_400;

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,100}$/, 'an HTTP header name')
  .transform((name) => name.toLowerCase());

const toleranceSecs = z
  .int()
  .min(1)
  .max(86_400)
  .default(DEFAULT_TOLERANCE_SECS)
  .describe('A signed timestamp further than this from now, in the past or the future, is refused.');

/** Several secrets verify side by side, so a sender's secret can rotate without a refused request. */
const hmacSecrets = z.array(z.string().min(8, 'at least 8 characters')).min(1).max(10);

const verificationSchema = z.discriminatedUnion('scheme', [
  z.strictObject({
    scheme: z.literal('standard-webhooks'),
    secrets: z
      .array(z.string().refine(isValidSigningSecret, 'must be "whsec_" + base64 of 24 to 64 bytes'))
      .min(1)
      .max(10),
    toleranceSecs,
  }),
  z.strictObject({
    scheme: z.literal('hmac-sha256'),
    secrets: hmacSecrets,
    header: headerName.default('x-signature'),
    encoding: z.enum(['hex', 'base64']).default('hex'),
    prefix: z.string().max(32).default('').describe('Before the digest in the header, e.g. "sha256=".'),
    timestampHeader: headerName
      .optional()
      .describe('When set, the signed content is "<timestamp>.<body>" and the timestamp must be recent.'),
    toleranceSecs,
  }),
  z.strictObject({
    scheme: z.literal('stripe'),
    secrets: hmacSecrets,
    header: headerName.default('stripe-signature'),
    toleranceSecs,
  }),
]);

const jsonPointer = z
  .string()
  .regex(/^(\/([^~]|~[01])*)+$/, 'a JSON pointer such as "/id" or "/data/object/id"');

/** Where a value of the request is: a header, or a JSON pointer into the body. */
const fieldLocationSchema = z.union([
  z.strictObject({ header: headerName }),
  z.strictObject({ pointer: jsonPointer }),
]);

const forwardTargetSchema = z.union([
  z.strictObject({ path: z.string().startsWith('/').max(2048) }),
  z.strictObject({ url: z.url({ protocol: /^https?$/ }) }),
]);

export const sourceConfigSchema = z.strictObject({
  id: z.string().regex(SOURCE_ID_PATTERN, 'lowercase letters, digits, "-" and "_", at most 63 characters'),
  verification: verificationSchema,
  maxBodyBytes: z.int().min(1).max(MAX_BODY_BYTES).default(DEFAULT_MAX_BODY_BYTES),
  dedupeWindowSecs: z
    .int()
    .min(1)
    .max(MAX_DEDUPE_WINDOW_SECS)
    .default(DEFAULT_DEDUPE_WINDOW_SECS)
    .describe('A sender event id seen again within this long after the first is a duplicate.'),
  eventId: fieldLocationSchema
    .optional()
    .describe('Default: webhook-id (Standard Webhooks), /id (Stripe), a hash of the body (hmac-sha256).'),
  eventType: z
    .union([fieldLocationSchema, z.strictObject({ value: z.string().refine(isEventType, 'an event type') })])
    .optional()
    .describe('Default: /type in the body, or the source id where the body has none.'),
  occurredAt: fieldLocationSchema
    .optional()
    .describe('Default: the signed timestamp, or /created (Stripe), or the time of receipt.'),
  forward: z
    .strictObject({
      targets: z.array(forwardTargetSchema).max(20).default([]),
      fanout: z
        .boolean()
        .default(false)
        .describe("Publish as an event to the project's subscriptions, of the envelope's event type."),
      delaySecs: z
        .int()
        .min(0)
        .max(365 * 86_400)
        .default(0),
      retry: retryOverrideSchema
        .optional()
        .describe("For the targets' hooks; fanned-out hooks follow the project's retry policy."),
    })
    .refine((forward) => forward.targets.length > 0 || forward.fanout, {
      message: 'needs targets, fanout, or both: a verified event must go somewhere',
    }),
});

export type SourceConfig = z.output<typeof sourceConfigSchema>;
export type SourceVerification = SourceConfig['verification'];
export type FieldLocation = z.output<typeof fieldLocationSchema>;
export type ForwardTarget = z.output<typeof forwardTargetSchema>;
