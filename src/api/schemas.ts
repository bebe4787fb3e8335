import { z } from 'zod';
import {
  type Attempt,
  ATTEMPT_OUTCOMES,
  HOOK_STATUSES,
  type HookDetailField,
  type HookState,
  type HookSummary,
} from '../domain/hook';
import { BATCH_KEY_PATTERN } from '../domain/batch';
import { batchSizingSchema } from '../domain/batch-schema';
import { ENDPOINT_STATES } from '../domain/endpoint';
import { type DueTimeFields, readDueTime, readPostIn } from '../domain/due-time';
import { isValidTimeZone, LOCAL_DATE_TIME_PATTERN } from '../domain/local-time';
import { retryOverrideSchema } from '../domain/retry-schema';
import { nestsDeeperThan } from '../lib/json-depth';

/**
 * The HTTP contract in one place: these schemas validate requests, type the handlers and generate the
 * OpenAPI document.
 */

/** When a hook is due: exactly one of postIn, postAt, postAtLocal (+ timezone). */
const dueTimeFields = {
  postIn: z
    .string()
    .transform((text, ctx) => {
      const delayMs = readPostIn(text);
      if (typeof delayMs === 'number') return delayMs;
      ctx.addIssue({ code: 'custom', message: delayMs.message });
      return z.NEVER;
    })
    .optional()
    .describe('Delay from now: "30s", "1h30m", "1d2h30m45s" (at most 365 days).'),
  postAt: z.iso
    .datetime({ offset: true, error: 'must be an RFC 3339 time with "Z" or an offset' })
    .optional()
    .describe('Absolute due time; a past time means now.'),
  postAtLocal: z
    .string()
    .regex(LOCAL_DATE_TIME_PATTERN, 'must look like YYYY-MM-DDTHH:MM:SS')
    .optional()
    .describe(
      'Wall-clock due time in `timezone`. In a DST gap it moves forward; in a fold it takes the earlier instant.',
    ),
  timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as "Europe/Paris"').optional(),
};

/**
 * Replaces the due-time fields of a valid body with the one `due` they describe, read once by the domain;
 * its problems become validation issues on the fields they concern.
 */
function withDueTime<Body extends DueTimeFields>(body: Body, ctx: z.RefinementCtx) {
  const due = readDueTime(body);
  if (Array.isArray(due)) {
    for (const problem of due)
      ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
    return z.NEVER;
  }
  const { postIn: _postIn, postAt: _postAt, postAtLocal: _postAtLocal, timezone: _timezone, ...rest } = body;
  return { ...rest, due };
}

/**
 * Control characters (C0 such as CR, LF and NUL, DEL, and C1): the URL parser drops some of them without a
 * word, so a hook would record a target other than the one it is delivered to, and a CR/LF could end up in
 * a request line.
 */
const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;
const CONTROL_CHARACTER_MESSAGE = 'must not contain control characters such as CR, LF or NUL';

/**
 * How deep `data` may nest. A body within the size limit can nest tens of thousands of levels, and checking
 * that it is JSON goes one call deeper per level: the depth is measured first, without recursion.
 */
export const MAX_DATA_DEPTH = 100;

export const jsonData = z
  .unknown()
  .refine((value) => !nestsDeeperThan(value, MAX_DATA_DEPTH), {
    message: `must nest at most ${MAX_DATA_DEPTH} levels deep`,
    abort: true,
  })
  .pipe(z.json());

/** Where a hook goes: a path on the project's baseUrl, or a free URL (exactly one; see exactlyOneTarget). */
export const targetFields = {
  path: z
    .string()
    .max(2048)
    .regex(/^\//, 'must start with "/"')
    .regex(NO_CONTROL_CHARACTERS, CONTROL_CHARACTER_MESSAGE)
    .refine((path) => !/(^|\/)\.{1,2}(\/|\?|#|$)/.test(path), 'must not contain "." or ".." segments')
    .optional()
    .describe("Appended to the project's baseUrl."),
  // Checked before the URL parser, which would drop CR, LF and tab without a word. The document shows
  // the input side of a pipe, so that side says it is a URI.
  url: z
    .string()
    .max(2048)
    .regex(NO_CONTROL_CHARACTERS, CONTROL_CHARACTER_MESSAGE)
    .meta({ format: 'uri' })
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute http or https URL' }))
    .optional()
    .describe('Absolute target URL; only for projects that allow free URLs.'),
};

/** Refines a body with targetFields: exactly one of them. */
export function exactlyOneTarget(body: { path?: string; url?: string }, ctx: z.RefinementCtx): void {
  if ((body.path === undefined) === (body.url === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['path'], message: 'give exactly one of "path" and "url"' });
  }
}

/** Refines a change with targetFields: at most one of them. */
export function atMostOneTarget(body: { path?: string; url?: string }, ctx: z.RefinementCtx): void {
  if (body.path !== undefined && body.url !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['path'], message: 'give at most one of "path" and "url"' });
  }
}

/** A hook's request to be delivered together with the other hooks of its key (see src/domain/batch.ts). */
const batchRequestSchema = z
  .strictObject({
    key: z
      .string()
      .regex(BATCH_KEY_PATTERN, 'must be 1 to 100 characters of letters, digits, ".", "_", ":" and "-"')
      .describe('Hooks of the same project, target URL and key are delivered together.'),
    maxSize: batchSizingSchema.shape.maxSize.describe(
      "A request carries at most this many hooks; default from the project's `batching`.",
    ),
    windowSecs: batchSizingSchema.shape.windowSecs.describe(
      "A batch is sent at the latest this long after its first hook; default from the project's `batching`.",
    ),
  })
  .meta({ id: 'BatchRequest' });

/** A batch is answered as one request: the per-hook ack of an async hook has no place in it. */
function batchIsSync(body: { batch?: unknown; async?: boolean }, ctx: z.RefinementCtx): void {
  if (body.batch !== undefined && body.async === true) {
    ctx.addIssue({ code: 'custom', path: ['async'], message: 'an async hook cannot be batched' });
  }
}

export const createHookBodySchema = z
  .strictObject({
    ...targetFields,
    ...dueTimeFields,
    data: jsonData
      .optional()
      .describe(
        `Any JSON, nested at most ${MAX_DATA_DEPTH} levels deep; delivered as \`data\`. Defaults to null.`,
      ),
    retryOverride: retryOverrideSchema.optional(),
    async: z
      .boolean()
      .optional()
      .describe("Overrides the project's async-hooks setting; a batched hook is always sync."),
    batch: batchRequestSchema.optional(),
  })
  .superRefine(exactlyOneTarget)
  .superRefine(batchIsSync)
  .meta({ id: 'CreateHook' })
  .transform(withDueTime);

export const rescheduleBodySchema = z
  .strictObject(dueTimeFields)
  .meta({ id: 'Reschedule', description: 'The new due time of a hook still waiting for its first attempt.' })
  .transform(withDueTime);

// `satisfies` ties these wire schemas to the domain types: a field that drifts fails to compile.
export const attemptSchema = z
  .object({
    number: z.int(),
    startedAt: z.string(),
    finishedAt: z.string(),
    durationMs: z.number(),
    outcome: z.enum(ATTEMPT_OUTCOMES),
    statusCode: z.int().optional(),
    responseBody: z.string().optional().describe('First 4 KiB of the response body.'),
    error: z.string().optional(),
    ackDeadline: z.string().optional(),
    nackBody: z.string().optional(),
  })
  .meta({ id: 'Attempt' }) satisfies z.ZodType<Attempt>;

export const hookSchema = z
  .object({
    id: z.string(),
    path: z.string().optional(),
    url: z.string().optional(),
    targetUrl: z.string(),
    data: z.unknown(),
    postAt: z.string(),
    status: z.enum(HOOK_STATUSES),
    attempts: z.int(),
    nextAttemptAt: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().optional(),
    failureError: z.string().optional(),
    retryOverride: retryOverrideSchema.optional(),
    async: z.boolean(),
    batch: z
      .object({
        key: z.string(),
        batchId: z.string().optional().describe('The batch request this hook went out in, once sent.'),
      })
      .optional()
      .describe('Only on a batched hook.'),
    schedule: z
      .object({
        id: z.string(),
        scheduledAt: z.string().describe('The time the run that made the hook was due, before any jitter.'),
      })
      .optional()
      .describe('Only on a hook a schedule made; its delivery body carries it too.'),
    attemptHistory: z.array(attemptSchema),
    waiting: z
      .object({
        endpointId: z.string(),
        reason: z.enum(['paused', 'disabled', 'limited']),
        since: z.string(),
      })
      .optional()
      .describe(
        'Present while the hook waits for its endpoint: paused, disabled, or limited (at its rate or ' +
          'concurrency limit, or asked by the receiver to back off). The wait is not counted as lateness.',
      ),
  })
  .meta({ id: 'Hook' }) satisfies z.ZodType<HookState>;

export const hookEnvelopeSchema = z.object({ data: hookSchema });

/** A hook as one read shows it: with its endpoint, whose state says whether the hook is held. */
export const hookDetailEnvelopeSchema = z.object({
  data: hookSchema.extend({
    endpoint: z
      .object({ id: z.string(), url: z.string(), state: z.enum(ENDPOINT_STATES) })
      .optional()
      .describe('Absent when the project does not track endpoints. paused or disabled: the hook waits.'),
    request: z
      .object({
        method: z.literal('POST'),
        url: z.string(),
        attempt: z.int().describe('The attempt the request is for.'),
        sentAt: z.string().nullable().describe('When it was sent; null before the first attempt.'),
        headers: z.record(z.string(), z.string()),
        body: z.string(),
      })
      .describe(
        "The request the hook's latest attempt sent, rebuilt as the receiver got it and signed with the " +
          "project's current secrets; before any attempt, the one its first attempt sends, with the " +
          'headers issued at sending (webhook-timestamp, webhook-signature, hook-ack-url, hook-nack-url) ' +
          "as placeholders. For a batched hook, `body` is its own element of the batch request's array; " +
          "`webhook-id` is its batch's id, and the signature, made over the whole batch request, is not rebuilt.",
      ),
    links: z.object({
      temporalUi: z
        .string()
        .optional()
        .describe("The hook's workflow history in the Temporal Web UI, when one is configured."),
    }),
  }),
});

export const hookParamsSchema = z.object({ id: z.string().min(1).max(100) });

export const idempotencyHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('A repeated key returns the hook the first request created (200) instead of a new one.'),
});

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

/** A query parameter listing values of `values` separated by commas. */
export function commaSeparated<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .transform((text) => text.split(','))
    .pipe(z.array(z.enum(values)));
}

export const isoTime = z.iso.datetime({
  offset: true,
  error: 'must be an RFC 3339 time with "Z" or an offset',
});

/** Filters shared by listing and bulk operations. */
const hookFilterFields = {
  status: commaSeparated(HOOK_STATUSES).optional().describe('One status, or several separated by commas.'),
  pathPrefix: z
    .string()
    .min(1)
    .max(2048)
    .regex(NO_CONTROL_CHARACTERS, CONTROL_CHARACTER_MESSAGE)
    .optional()
    .describe('Hooks whose path (or url) starts with this.'),
  postAtAfter: isoTime.optional().describe('Due at or after this time.'),
  postAtBefore: isoTime.optional().describe('Due before this time.'),
  createdAfter: isoTime.optional().describe('Created at or after this time.'),
  createdBefore: isoTime.optional().describe('Created before this time.'),
};

type TimeRanges = { [K in 'postAtAfter' | 'postAtBefore' | 'createdAfter' | 'createdBefore']?: string };

function checkRanges(filter: TimeRanges, ctx: z.RefinementCtx): void {
  for (const [after, before] of [
    ['postAtAfter', 'postAtBefore'],
    ['createdAfter', 'createdBefore'],
  ] as const) {
    const [from, to] = [filter[after], filter[before]];
    if (from && to && Date.parse(from) >= Date.parse(to)) {
      ctx.addIssue({ code: 'custom', path: [before], message: `must be later than ${after}` });
    }
  }
}

const MAX_PAGE_SIZE = 1000;

/** A listing's `cursor`: a `nextCursor` an earlier page handed out (the store checks its seal). */
export const cursorSchema = z
  .string()
  .max(4096)
  .regex(/^[\w-]+\.[\w-]+$/, 'must be a nextCursor from an earlier page')
  .optional();

/** A listing's `nextCursor`. */
export const nextCursorSchema = z
  .string()
  .nullable()
  .describe('Pass as `cursor` for the next page; null on the last page.');

const hookFilterSchema = z.strictObject(hookFilterFields).superRefine(checkRanges).meta({ id: 'HookFilter' });

export const listHooksQuerySchema = z
  .strictObject({
    ...hookFilterFields,
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
    cursor: cursorSchema,
  })
  .superRefine(checkRanges);

export const hookSummarySchema = hookSchema
  .omit({
    data: true,
    attemptHistory: true,
    updatedAt: true,
    failureError: true,
    waiting: true,
  } satisfies Record<HookDetailField, true>)
  .meta({ id: 'HookSummary' }) satisfies z.ZodType<HookSummary>;

export const hookPageSchema = z.object({
  data: z.array(hookSummarySchema),
  nextCursor: nextCursorSchema,
});

export const bulkBodySchema = z
  .strictObject({
    hookIds: z.array(z.string().min(1).max(100)).min(1).max(MAX_PAGE_SIZE).optional(),
    filter: hookFilterSchema.optional(),
    limit: z
      .int()
      .min(1)
      .max(MAX_PAGE_SIZE)
      .default(MAX_PAGE_SIZE)
      .describe('With `filter`: at most this many.'),
  })
  .superRefine((body, ctx) => {
    if ((body.hookIds === undefined) === (body.filter === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['hookIds'],
        message: 'give exactly one of "hookIds" and "filter"',
      });
    }
  })
  .meta({ id: 'BulkOperation' });

export const bulkResultSchema = z.object({ affected: z.int().describe('Hooks the operation changed.') });
