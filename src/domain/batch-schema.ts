import { z } from 'zod';
import { MAX_BATCH_SIZE, MAX_BATCH_WINDOW_SECS } from './batch';

/**
 * Batch sizing as users write it: a project's defaults in the config file, a hook's own in its `batch`,
 * an endpoint's own when it is set to batch. Every field is optional: what is left out comes from the
 * project (and the project's from the built-in defaults).
 */
export const batchSizingSchema = z.strictObject({
  maxSize: z
    .int()
    .min(1)
    .max(MAX_BATCH_SIZE)
    .optional()
    .describe('A request carries at most this many hooks.'),
  windowSecs: z
    .number()
    .positive()
    .max(MAX_BATCH_WINDOW_SECS)
    .optional()
    .describe('A batch is sent at the latest this long after its first hook.'),
});
