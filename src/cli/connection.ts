import { InvalidArgumentError, type Command } from 'commander';
import { HookrelayApiError, HookrelayClient } from '../client';
import { parseRetryAfter } from '../domain/retry-after';
import { CliError, ExitCode, RateLimitedError } from './exit-codes';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** How long one request, its answer read to the end, may take before the API counts as unreachable. */
export const DEFAULT_TIMEOUT_SECS = 30;

export interface GlobalOptions {
  apiUrl: string;
  apiKey?: string;
  timeout: number;
  json?: true;
}

/** `--api-url` (or HOOKRELAY_URL): refused before any request unless it is an http(s) URL. */
export function parseApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('must be an absolute URL such as http://127.0.0.1:3000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('must be an http or https URL');
  }
  return text;
}

/** The typed client, acting with the key and at the URL of the command line or the environment. */
export function clientFor(command: Command): HookrelayClient {
  const { apiUrl, apiKey, timeout } = command.optsWithGlobals<GlobalOptions>();
  if (!apiKey) {
    throw new CliError(
      ExitCode.unauthorized,
      'missing_api_key',
      'no API key: set HOOKRELAY_API_KEY (or pass --api-key)',
    );
  }
  return new HookrelayClient({ baseUrl: apiUrl, apiKey, fetch: fetchReporting(apiUrl, timeout) });
}

/**
 * fetch, with one time limit for the whole exchange, whose failures to get a complete answer (refused,
 * unknown host, timeout, a connection dropped mid-body) become the "unreachable" exit code rather than a
 * generic error. The body is read here, inside that limit and that catch: left to the client, a stalled
 * body would be aborted outside them and end as an unexpected error. Answers are small JSON documents.
 */
function fetchReporting(apiUrl: string, timeoutSecs: number): typeof fetch {
  return async (input, init) => {
    let response: Response;
    let body: ArrayBuffer;
    try {
      response = await fetch(input, { ...init, signal: AbortSignal.timeout(timeoutSecs * 1000) });
      body = await response.arrayBuffer();
    } catch (error) {
      throw new CliError(
        ExitCode.unreachable,
        'unreachable',
        `could not reach the API at ${apiUrl}: ${reason(error, timeoutSecs)}`,
      );
    }
    if (response.status === 429) throw rateLimited(response, new TextDecoder().decode(body));
    const { status, statusText, headers } = response;
    return new Response(body.byteLength ? body : null, { status, statusText, headers });
  };
}

/**
 * The client would report a 429 as well, but without its Retry-After, which is what the person or script
 * needs in order to try again.
 */
function rateLimited(response: Response, text: string): RateLimitedError {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // A proxy's page rather than the API's error: its text becomes the message.
  }
  const waitMs = parseRetryAfter(response.headers.get('retry-after') ?? undefined, new Date());
  return new RateLimitedError(
    HookrelayApiError.fromResponse(response.status, body, text),
    waitMs === undefined ? undefined : Math.ceil(waitMs / 1000),
  );
}

function reason(error: unknown, timeoutSecs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no complete answer within ${timeoutSecs} s (--timeout)`;
  }
  // undici reports "fetch failed" and keeps the socket's error (ECONNREFUSED, ENOTFOUND…) as the cause.
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error)
    return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return error instanceof Error ? error.message : String(error);
}
