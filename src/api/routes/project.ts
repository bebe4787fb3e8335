import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { projectSettingsView, type ProjectSettingsStore } from '../../domain/project-settings';
import { changeProjectSettingsBodySchema, projectSettingsEnvelopeSchema } from '../project-schemas';
import { errorSchema } from '../schemas';
import { security } from './route-helpers';

export interface ProjectRoutesOptions {
  settings: ProjectSettingsStore;
}

/** The caller's project: the settings the API may change over its config file. */
export const projectRoutes: FastifyPluginAsyncZod<ProjectRoutesOptions> = async (app, { settings }) => {
  app.get(
    '/v1/project',
    {
      schema: {
        summary: "Read the project's settings: the limits every endpoint has unless it sets its own",
        tags: ['project'],
        security,
        response: { 200: projectSettingsEnvelopeSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const { project } = request;
      const set = await settings.get(project.id);
      return { data: projectSettingsView(project.id, project.endpoints.limits, set) };
    },
  );

  app.patch(
    '/v1/project',
    {
      schema: {
        summary: "Change the project's settings over its config file, with no restart",
        tags: ['project'],
        security,
        body: changeProjectSettingsBodySchema,
        response: { 200: projectSettingsEnvelopeSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const { project } = request;
      const set = await settings.change(project.id, request.body);
      return { data: projectSettingsView(project.id, project.endpoints.limits, set) };
    },
  );
};
