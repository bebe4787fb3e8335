import { z } from 'zod';
import { CronSyntaxError, nextCronTimes, parseCron } from '../domain/cron';
import { MAX_POST_IN_MS, parseDuration } from '../domain/duration';
import { isValidTimeZone } from '../domain/local-time';
import { retryOverrideSchema } from '../domain/retry-schema';
import { OVERLAP_POLICIES, type ScheduleView } from '../domain/schedule';
import {
  atMostOneTarget,
  cursorSchema,
  exactlyOneTarget,
  isoTime,
  jsonData,
  MAX_DATA_DEPTH,
  nextCursorSchema,
  targetFields,
} from './schemas';

/** Schedules on the wire: these schemas validate, type the handlers and make the document. */

/** "Every 2 seconds" is the finest a schedule runs. */
const MIN_INTERVAL_MS = 1000;
/** A run spread over at most a day. */
const MAX_JITTER_MS = 86_400_000;

const cronSchema = z
  .string()
  .max(200)
  .superRefine((text, ctx) => {
    try {
      // An expression that names no day in years ("0 0 30 2 *") would never run.
      if (nextCronTimes(parseCron(text), 'UTC', new Date(), 1).length === 0) {
        ctx.addIssue({ code: 'custom', message: 'names no time that ever comes' });
      }
    } catch (error) {
      if (!(error instanceof CronSyntaxError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  })
  .describe(
    'Five fields, minute hour day-of-month month day-of-week ("30 2 * * *", "*/15 9-17 * * MON-FRI"), ' +
      'read as wall-clock times in `timezone`.',
  );

/** A compact duration ("2s", "15m", "1d") between the bounds given. */
function durationSchema(minMs: number, maxMs: number, description: string) {
  return z
    .string()
    .max(40)
    .refine(
      (text) => {
        const ms = parseDuration(text);
        return ms !== null && ms >= minMs && ms <= maxMs;
      },
      `must look like "30s", "15m" or "1d2h", from ${minMs / 1000}s to ${maxMs / 86_400_000} days`,
    )
    .describe(description);
}

const intervalSchema = durationSchema(
  MIN_INTERVAL_MS,
  MAX_POST_IN_MS,
  'A run every so long ("2s", "15m", "1d"), counted from the Unix epoch.',
);

const jitterSchema = durationSchema(
  0,
  MAX_JITTER_MS,
  'Each run is delayed by a random part of this, so that runs due together spread out.',
);

const timezoneSchema = z
  .string()
  .refine(isValidTimeZone, 'must be an IANA time zone such as "Europe/Paris"')
  .describe('Cron times are wall-clock times here. Default UTC.');

const overlapSchema = z
  .enum(OVERLAP_POLICIES)
  .describe(
    'What a run does while an earlier run has not started its hook yet (no worker, say): skip it, ' +
      'keep one or all to run next, or run them all at once.',
  );

const descriptionSchema = z.string().min(1).max(500);

const scheduleFields = {
  ...targetFields,
  description: descriptionSchema.optional(),
  cron: cronSchema.optional(),
  interval: intervalSchema.optional(),
  timezone: timezoneSchema.optional(),
  data: jsonData
    .optional()
    .describe(`Any JSON, nested at most ${MAX_DATA_DEPTH} levels deep; every run's hook delivers it.`),
  retryOverride: retryOverrideSchema.optional(),
  startAt: isoTime.optional().describe('No run before this time.'),
  endAt: isoTime.optional().describe('No run after this time.'),
  jitter: jitterSchema.optional(),
  overlap: overlapSchema.optional(),
};

type TimingFields = { cron?: string; interval?: string; startAt?: string | null; endAt?: string | null };

function atMostOneTiming(body: TimingFields, ctx: z.RefinementCtx): void {
  if (body.cron !== undefined && body.interval !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give at most one of "cron" and "interval"' });
  }
}

/** A range whose two ends are both given must not be empty. */
function checkRunRange(body: TimingFields, ctx: z.RefinementCtx): void {
  if (body.startAt && body.endAt && Date.parse(body.startAt) >= Date.parse(body.endAt)) {
    ctx.addIssue({ code: 'custom', path: ['endAt'], message: 'must be later than startAt' });
  }
}

export const createScheduleBodySchema = z
  .strictObject(scheduleFields)
  .superRefine(exactlyOneTarget)
  .superRefine((body, ctx) => {
    if (body.cron === undefined && body.interval === undefined) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give exactly one of "cron" and "interval"' });
    }
    atMostOneTiming(body, ctx);
    checkRunRange(body, ctx);
  })
  .meta({ id: 'CreateSchedule' });

export const updateScheduleBodySchema = z
  .strictObject({
    ...scheduleFields,
    description: descriptionSchema.nullable().optional().describe('null removes the description.'),
    retryOverride: retryOverrideSchema.nullable().optional().describe('null removes the override.'),
    startAt: isoTime.nullable().optional().describe('null removes the start.'),
    endAt: isoTime.nullable().optional().describe('null removes the end.'),
    jitter: jitterSchema.nullable().optional().describe('null removes the jitter.'),
  })
  .superRefine((body, ctx) => {
    atMostOneTarget(body, ctx);
    atMostOneTiming(body, ctx);
    checkRunRange(body, ctx);
    if (Object.keys(body).length === 0)
      ctx.addIssue({ code: 'custom', message: 'change at least one field' });
  })
  .meta({ id: 'UpdateSchedule' });

export const scheduleNoteBodySchema = z
  .strictObject({ note: z.string().min(1).max(500).optional().describe('Why; shown on the schedule.') })
  // Optional, and a request without a body arrives as null.
  .nullish();

/** The largest range a backfill covers: an every-second schedule makes that many runs at most. */
const MAX_BACKFILL_MS = 7 * 86_400_000;

export const backfillBodySchema = z
  .strictObject({
    from: isoTime.describe('The runs due from this time…'),
    to: isoTime.describe('…up to this time are made now.'),
    overlap: overlapSchema
      .default('allow_all')
      .describe('Default allow_all: every run of the range is made.'),
  })
  .superRefine((body, ctx) => {
    const span = Date.parse(body.to) - Date.parse(body.from);
    if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' });
    if (span > MAX_BACKFILL_MS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'at most 7 days after from' });
  })
  .meta({ id: 'ScheduleBackfill' });

// `satisfies` ties the wire schema to the domain type: a field that drifts fails to compile.
export const scheduleSchema = z
  .object({
    id: z.string(),
    description: z.string().optional(),
    path: z.string().optional(),
    url: z.string().optional(),
    cron: z.string().optional(),
    interval: z.string().optional(),
    timezone: z.string(),
    data: z.unknown(),
    retryOverride: retryOverrideSchema.optional(),
    startAt: z.string().optional(),
    endAt: z.string().optional(),
    jitter: z.string().optional(),
    overlap: z.enum(OVERLAP_POLICIES),
    paused: z.boolean(),
    note: z.string().optional().describe('The note of the latest pause or resume.'),
    nextRunTimes: z.array(z.string()).describe('The next (at most 5) run times, as Temporal computes them.'),
    recentRuns: z
      .array(z.object({ scheduledAt: z.string(), startedAt: z.string(), hookId: z.string() }))
      .describe('The latest runs, oldest first, each with the hook it made.'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Schedule' });

/** The wire shape of a schedule: its target and timing flat, as a request gives them. */
export type ScheduleWire = z.infer<typeof scheduleSchema>;

export function scheduleWire({ target, timing, ...view }: ScheduleView): ScheduleWire {
  return { ...view, ...target, ...timing };
}

export const scheduleEnvelopeSchema = z.object({ data: scheduleSchema });
export const scheduleParamsSchema = z.object({ id: z.string().min(1).max(100) });

export const listSchedulesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursorSchema,
});

export const schedulePageSchema = z.object({ data: z.array(scheduleSchema), nextCursor: nextCursorSchema });
