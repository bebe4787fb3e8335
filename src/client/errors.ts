import type { ApiErrorBody } from './types';

type ErrorDetail = NonNullable<ApiErrorBody['error']['details']>[number];

/** An answer outside 2xx, with the API's error code and, for validation errors, what each field lacks. */
export class HookrelayApiError extends Error {
  override readonly name = 'HookrelayApiError';

  constructor(
    /** The HTTP status, e.g. 400, 401, 404, 409. */
    readonly status: number,
    /** The API's error code, e.g. `validation_failed`, `not_found`, `conflict`. */
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
  }

  /** Reads an error answer; a body that is not the API's error format (a proxy's page, say) still gives one. */
  static fromResponse(status: number, body: unknown, fallbackText: string): HookrelayApiError {
    const error = isApiErrorBody(body) ? body.error : undefined;
    if (!error)
      return new HookrelayApiError(status, 'http_error', fallbackText.slice(0, 500) || `HTTP ${status}`);
    return new HookrelayApiError(status, error.code, error.message, error.details ?? []);
  }
}

function isApiErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const { error } = body;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}
