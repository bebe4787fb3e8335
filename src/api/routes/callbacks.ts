import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { HookNotFoundError } from '../../domain/errors';
import { z } from 'zod';
import { judgeCallback, MAX_NACK_BODY_BYTES } from '../../domain/async-ack';
import type { HookCallbacks } from '../../domain/hook-store';
import { utf8Prefix } from '../../lib/utf8';
import type { CallbackTokenVerifier } from '../../security/server-secret';
import { ApiError } from '../errors';
import { errorSchema } from '../schemas';

export interface CallbackRoutesOptions {
  callbacks: HookCallbacks;
  tokens: CallbackTokenVerifier;
}

const callbackParamsSchema = z.object({
  // Any token shape is the verifier's call, so that every bad token gets the same 401.
  token: z.string(),
  kind: z.enum(['ack', 'nack']),
});

const callbackResultSchema = z.object({
  data: z.object({
    hookId: z.string(),
    attempt: z.int(),
    result: z.enum(['applied', 'already_resolved']),
  }),
});

/** Callbacks may arrive in any content type; a nack's body is kept as text, whatever it is. */
const CALLBACK_BODY_LIMIT = 64 * 1024;

export const callbackRoutes: FastifyPluginAsyncZod<CallbackRoutesOptions> = async (
  app,
  { callbacks, tokens },
) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });

  app.post(
    '/v1/callbacks/:token/:kind',
    {
      bodyLimit: CALLBACK_BODY_LIMIT,
      schema: {
        summary: 'Acknowledge (ack) or reject (nack) an async hook delivery',
        description:
          'The URL arrives in the hook-ack-url / hook-nack-url headers of a delivery; its token is the only ' +
          'credential. A nack body (first 8 KiB) is kept on the attempt.',
        tags: ['callbacks'],
        params: callbackParamsSchema,
        response: {
          200: callbackResultSchema,
          401: errorSchema,
          404: errorSchema,
          409: errorSchema,
          410: errorSchema,
        },
      },
    },
    async (request) => {
      const receivedAt = new Date();
      const { token, kind } = request.params;
      const claims = tokens.verifyCallbackToken(token);
      if (!claims) throw new ApiError(401, 'invalid_token', 'this callback URL is not valid');

      const hook = await callbacks.callbackView(claims.projectId, claims.hookId);
      const verdict = judgeCallback(hook, claims, receivedAt);
      const answer = { hookId: claims.hookId, attempt: claims.attempt };
      switch (verdict) {
        case 'apply':
          try {
            await callbacks.sendCallback(claims.projectId, claims.hookId, {
              attempt: claims.attempt,
              kind,
              receivedAt: receivedAt.toISOString(),
              ...(kind === 'nack'
                ? { nackBody: utf8Prefix(Buffer.from(bodyText(request.body), 'utf8'), MAX_NACK_BODY_BYTES) }
                : {}),
            });
          } catch (error) {
            // Another callback completed the hook between our read and this signal, and its workflow
            // closed: a second ack is answered as already resolved, as it would have been a moment later.
            if (!(error instanceof HookNotFoundError)) throw error;
            const now = await callbacks.callbackView(claims.projectId, claims.hookId);
            if (judgeCallback(now, claims, receivedAt) !== 'already_resolved') throw error;
            return { data: { ...answer, result: 'already_resolved' as const } };
          }
          return { data: { ...answer, result: 'applied' as const } };
        case 'already_resolved':
          return { data: { ...answer, result: 'already_resolved' as const } };
        case 'unknown_hook':
          throw new ApiError(404, 'not_found', 'hook not found or cancelled');
        case 'moved_on':
          throw new ApiError(409, 'superseded', 'the hook has moved on to a newer attempt');
        case 'not_awaiting':
          throw new ApiError(409, 'not_awaiting', 'this attempt is not waiting for an acknowledgement');
        case 'deadline_passed':
          throw new ApiError(
            410,
            'deadline_passed',
            'the acknowledgement deadline of this attempt has passed',
          );
      }
    },
  );
};

function bodyText(body: unknown): string {
  return typeof body === 'string' ? body : '';
}
