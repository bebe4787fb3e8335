import { z } from 'zod';
import { HOOK_STATUSES, type HookStatus } from '../domain/hook';
import type { ProjectOverview } from '../domain/project-overview';
import { endpointSchema } from './endpoint-schemas';
import { hookSummarySchema } from './schemas';

const countsSchema = z.object(
  Object.fromEntries(HOOK_STATUSES.map((status) => [status, z.int()])) as Record<HookStatus, z.ZodInt>,
);

const minuteActivitySchema = z.object({
  start: z.string().describe("The minute's first instant."),
  attempts: z.int(),
  failures: z.int(),
  firstAttempts: z.int().describe('First attempts, whose lateness the next two fields describe.'),
  latenessAvgMs: z.number().nullable().describe('How late first attempts started after their due time.'),
  latenessMaxMs: z.number().nullable(),
});

// `satisfies` ties the wire schema to the domain type: a field that drifts fails to compile.
export const overviewSchema = z
  .object({
    at: z.string(),
    counts: countsSchema.describe('Hooks per status (visibility trails the workflows by a moment).'),
    overdue: z.object({
      count: z.int().describe('Unfinished hooks whose next attempt is due in the past.'),
      oldest: hookSummarySchema.nullable().describe('The one due longest ago.'),
    }),
    perMinute: z
      .array(minuteActivitySchema)
      .describe('The last 60 minutes, oldest first, over all endpoints; empty without endpoint tracking.'),
    endpointsInTrouble: z.array(endpointSchema).describe('Failing, paused or disabled; the worst first.'),
    endpointTracking: z.boolean(),
  })
  .meta({ id: 'Overview' }) satisfies z.ZodType<ProjectOverview>;

export const overviewEnvelopeSchema = z.object({ data: overviewSchema });
