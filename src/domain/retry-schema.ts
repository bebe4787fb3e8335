import { z } from 'zod';
import { RETRY_STRATEGIES } from './hook';

/**
 * A retry policy as users write it, in the config file (project defaults) and in `retryOverride`.
 * Every field is optional: what is left out comes from the level below (hook → project → built-in).
 */
export const retryOverrideSchema = z
  .strictObject({
    strategy: z.enum(RETRY_STRATEGIES),
    maxAttempts: z.int().min(1).max(100).describe('Total attempts, the first one included.'),
    delaySecs: z.number().min(0).max(86_400).describe('Fixed delay, or the first exponential delay.'),
    backoffFactor: z.number().min(1).max(10),
    maxDelaySecs: z
      .number()
      .min(0)
      .max(7 * 86_400),
    jitter: z.number().min(0).max(1).describe('Each delay is spread uniformly over ±jitter of itself.'),
    scheduleSecs: z
      .array(
        z
          .number()
          .min(0)
          .max(7 * 86_400),
      )
      .min(1)
      .max(100)
      .describe('Delays after attempt 1, 2, …; the last one repeats.'),
  })
  .partial()
  .meta({ id: 'RetryOverride' });
