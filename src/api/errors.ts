import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  EndpointNotFoundError,
  EventNotFoundError,
  HookConflictError,
  HookNotFoundError,
  InboundEventError,
  IngestedEventNotFoundError,
  InvalidEndpointSettingsError,
  InvalidCursorError,
  ScheduleNotFoundError,
  SubscriptionLimitError,
  SubscriptionNotFoundError,
  TargetNotAllowedError,
} from '../domain/errors';

export interface FieldError {
  field: string;
  message: string;
}

/** An error the API answers with as `{"error": {"code", "message", "details"?}}`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: FieldError[],
  ) {
    super(message);
  }
}

/** Fastify's own request errors, by code, and what the API answers for each. */
const FASTIFY_ERRORS: Record<string, [number, string, string?]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'send the body as application/json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    400,
    'invalid_json',
    'the body is empty but the content type is application/json',
  ],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_request'],
  // The router's: a path parameter longer than maxParamLength, or a path that is not valid percent-encoding.
  FST_ERR_MAX_PARAM_LENGTH: [414, 'uri_too_long', 'a segment of the URL path is too long'],
  FST_ERR_BAD_URL: [400, 'invalid_request', 'the URL path is not valid percent-encoding'],
};

function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext;
    const details = error.validation.map((issue) => ({
      field: issue.instancePath.slice(1).replaceAll('/', '.') || (where ?? 'body'),
      message: issue.message ?? 'is invalid',
    }));
    return new ApiError(400, 'validation_failed', `invalid ${where ?? 'request'}`, details);
  }
  if (
    error instanceof HookNotFoundError ||
    error instanceof EndpointNotFoundError ||
    error instanceof SubscriptionNotFoundError ||
    error instanceof EventNotFoundError ||
    error instanceof IngestedEventNotFoundError ||
    error instanceof ScheduleNotFoundError
  ) {
    return new ApiError(404, 'not_found', error.message);
  }
  if (error instanceof SubscriptionLimitError) return new ApiError(409, 'subscription_limit', error.message);
  if (error instanceof InboundEventError) return new ApiError(400, error.code, error.message);
  if (error instanceof InvalidEndpointSettingsError)
    return new ApiError(400, 'validation_failed', error.message);
  if (error instanceof HookConflictError) return new ApiError(409, 'conflict', error.message);
  if (error instanceof TargetNotAllowedError) {
    // An internal address is a bad target in any project; the others are what this project forbids.
    const status = error.reason === 'address_not_allowed' ? 400 : 403;
    return new ApiError(status, error.reason, error.message);
  }
  if (error instanceof InvalidCursorError) {
    return new ApiError(400, 'validation_failed', 'invalid query', [
      { field: 'cursor', message: 'must be a nextCursor from an earlier page' },
    ]);
  }
  const known = 'code' in error ? FASTIFY_ERRORS[error.code] : undefined;
  if (known) return new ApiError(known[0], known[1], known[2] ?? error.message);
  // Fastify's JSON body parser reports a malformed body as a SyntaxError with status 400.
  if (error instanceof SyntaxError && (error as FastifyError).statusCode === 400) {
    return new ApiError(400, 'invalid_json', error.message);
  }
  if (isTemporalUnavailable(error)) {
    return new ApiError(
      503,
      'unavailable',
      'the workflow engine or its workers did not answer in time; retry',
    );
  }
  return new ApiError(500, 'internal', 'internal error');
}

export function errorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const apiError = toApiError(error);
  if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
  return reply.status(apiError.statusCode).send(errorBody(apiError));
}

/** The body of every error answer. */
export function errorBody({ code, message, details }: ApiError) {
  return { error: { code, message, details } };
}

/** gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4), as the Temporal client reports them. */
function isTemporalUnavailable(error: Error): boolean {
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return code === 14 || code === 4;
}
