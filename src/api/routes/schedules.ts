import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  patchedDefinition,
  type ScheduleDefinition,
  type SchedulePatch,
  type ScheduleTiming,
} from '../../domain/schedule';
import { newScheduleId } from '../../domain/schedule-ids';
import type { ScheduleStore } from '../../domain/schedule-store';
import { ApiError } from '../errors';
import {
  backfillBodySchema,
  createScheduleBodySchema,
  listSchedulesQuerySchema,
  scheduleEnvelopeSchema,
  scheduleNoteBodySchema,
  schedulePageSchema,
  scheduleParamsSchema,
  scheduleWire,
  updateScheduleBodySchema,
} from '../schedule-schemas';
import { errorSchema } from '../schemas';
import { checkDataSize, checkedTarget, knownScheduleId, security } from './route-helpers';

export interface ScheduleRoutesOptions {
  schedules: ScheduleStore;
}

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };
const tags = ['schedules'];

/** The timing a body names, if it names one. */
function timingOf(body: { cron?: string; interval?: string }): ScheduleTiming | undefined {
  if (body.cron !== undefined) return { cron: body.cron };
  if (body.interval !== undefined) return { interval: body.interval };
  return undefined;
}

/** Schedules: hooks made again and again, each run an ordinary hook, on Temporal Schedules. */
export const scheduleRoutes: FastifyPluginAsyncZod<ScheduleRoutesOptions> = async (app, { schedules }) => {
  app.post(
    '/v1/schedules',
    {
      schema: {
        summary: 'Create a schedule: a hook made at every time a cron expression or an interval names',
        tags,
        security,
        body: createScheduleBodySchema,
        response: { 201: scheduleEnvelopeSchema, 403: errorSchema, 413: errorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { project, body } = request;
      const data = body.data ?? null;
      checkDataSize(project, data);
      const definition: ScheduleDefinition = {
        ...(body.description ? { description: body.description } : {}),
        target: checkedTarget(project, body),
        data,
        ...(body.retryOverride ? { retryOverride: body.retryOverride } : {}),
        timing: timingOf(body) as ScheduleTiming,
        timezone: body.timezone ?? 'UTC',
        ...(body.startAt ? { startAt: new Date(body.startAt).toISOString() } : {}),
        ...(body.endAt ? { endAt: new Date(body.endAt).toISOString() } : {}),
        ...(body.jitter ? { jitter: body.jitter } : {}),
        overlap: body.overlap ?? 'skip',
      };
      const created = await schedules.create(project.id, newScheduleId(), definition, new Date());
      return reply.status(201).send({ data: scheduleWire(created) });
    },
  );

  app.get(
    '/v1/schedules',
    {
      schema: {
        summary: "List the project's schedules",
        description: 'Backed by Temporal visibility, eventually consistent.',
        tags,
        security,
        querystring: listSchedulesQuerySchema,
        response: { 200: schedulePageSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const page = await schedules.list(request.project.id, request.query);
      return { data: page.schedules.map(scheduleWire), nextCursor: page.nextCursor ?? null };
    },
  );

  // Reading, deleting, triggering one schedule differ only in what the store does.
  const oneSchedule = {
    'GET /v1/schedules/:id': {
      summary: 'Read a schedule: its definition, state, next run times and recent runs with their hooks',
      act: schedules.get.bind(schedules),
    },
    'DELETE /v1/schedules/:id': {
      summary: 'Delete a schedule',
      description: 'Answers with the schedule as it was. Hooks its runs made are not touched.',
      act: schedules.delete.bind(schedules),
    },
    'POST /v1/schedules/:id/trigger': {
      summary: 'Run a schedule now, once, whether it is paused or not',
      description: "The run's hook is made a moment later; `recentRuns` names it once made.",
      act: schedules.trigger.bind(schedules),
    },
  } as const;
  for (const [route, { act, ...docs }] of Object.entries(oneSchedule)) {
    const [method = 'GET', url = ''] = route.split(' ');
    app.route({
      method,
      url,
      schema: {
        ...docs,
        tags,
        security,
        params: scheduleParamsSchema,
        response: { 200: scheduleEnvelopeSchema, ...errors },
      },
      handler: async (request) => ({
        data: scheduleWire(await act(request.project.id, knownScheduleId(request.params.id))),
      }),
    });
  }

  const pauseOrResume = {
    pause: { summary: 'Pause a schedule: no run until it is resumed', act: schedules.pause.bind(schedules) },
    resume: { summary: 'Resume a paused schedule', act: schedules.resume.bind(schedules) },
  } as const;
  for (const [action, { act, ...docs }] of Object.entries(pauseOrResume)) {
    app.post(
      `/v1/schedules/:id/${action}`,
      {
        schema: {
          ...docs,
          tags,
          security,
          params: scheduleParamsSchema,
          body: scheduleNoteBodySchema,
          response: { 200: scheduleEnvelopeSchema, ...errors },
        },
      },
      async (request) => {
        const id = knownScheduleId(request.params.id);
        return { data: scheduleWire(await act(request.project.id, id, request.body?.note)) };
      },
    );
  }

  app.post(
    '/v1/schedules/:id/backfill',
    {
      schema: {
        summary: 'Make now the runs a schedule would have made over a past time range',
        tags,
        security,
        params: scheduleParamsSchema,
        body: backfillBodySchema,
        response: { 200: scheduleEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      const { from, to, overlap } = request.body;
      const id = knownScheduleId(request.params.id);
      const range = { from: new Date(from), to: new Date(to), overlap };
      return { data: scheduleWire(await schedules.backfill(request.project.id, id, range)) };
    },
  );

  app.patch(
    '/v1/schedules/:id',
    {
      schema: {
        summary: 'Change some fields of a schedule',
        description: 'Runs from now on follow the change; hooks already made do not.',
        tags,
        security,
        params: scheduleParamsSchema,
        body: updateScheduleBodySchema,
        response: { 200: scheduleEnvelopeSchema, 403: errorSchema, 413: errorSchema, ...errors },
      },
    },
    async (request) => {
      const { project, body } = request;
      const id = knownScheduleId(request.params.id);
      const { path, url, cron: _cron, interval: _interval, startAt, endAt, ...fields } = body;
      if (body.data !== undefined) checkDataSize(project, body.data);
      const current = await schedules.get(project.id, id);
      const patch: SchedulePatch = {
        ...fields,
        ...(path !== undefined || url !== undefined ? { target: checkedTarget(project, body) } : {}),
        timing: timingOf(body),
        startAt: startAt && new Date(startAt).toISOString(),
        endAt: endAt && new Date(endAt).toISOString(),
      };
      const next = patchedDefinition(current, patch);
      if (next.startAt && next.endAt && next.startAt >= next.endAt) {
        throw new ApiError(400, 'validation_failed', 'invalid body', [
          { field: 'endAt', message: 'must be later than startAt' },
        ]);
      }
      return { data: scheduleWire(await schedules.update(project.id, id, patch, new Date())) };
    },
  );
};
