import { z } from 'zod';
import { flowLimitsSchema } from '../config/schema';
import type { ProjectSettingsChange, ProjectSettingsView } from '../domain/project-settings';
import { flowLimitsViewSchema } from './endpoint-schemas';

// `satisfies` ties these wire schemas to the domain types: a field that drifts fails to compile.

export const projectSettingsSchema = z
  .object({
    projectId: z.string(),
    endpointLimits: flowLimitsViewSchema.describe(
      "In force for every endpoint of the project that sets no limits of its own: the config file's, with what the API set over them.",
    ),
    overrides: z
      .object({ endpointLimits: flowLimitsViewSchema.partial().optional() })
      .describe('What the API set over the config file.'),
    changedAt: z.string().optional().describe('When the API last changed them.'),
  })
  .meta({ id: 'ProjectSettings' }) satisfies z.ZodType<ProjectSettingsView>;

export const projectSettingsEnvelopeSchema = z.object({ data: projectSettingsSchema });

export const changeProjectSettingsBodySchema = z
  .strictObject({
    endpointLimits: flowLimitsSchema
      .partial()
      .nullable()
      .describe(
        "Limits for every endpoint of the project, over the config file's, field by field (0: no limit); " +
          "null goes back to the config file's. An endpoint's own limits still win. They hold across every " +
          'worker and apply within a few seconds, with no restart.',
      ),
  })
  .meta({ id: 'ProjectSettingsChange' }) satisfies z.ZodType<ProjectSettingsChange>;
