import { InvalidArgumentError, type Command } from 'commander';
import { HookrelayClient } from '../client';
import { CliError, ExitCode } from './exit-codes';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** How long one request may take before the API counts as unreachable. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface GlobalOptions {
  apiUrl: string;
  apiKey?: string;
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
  const { apiUrl, apiKey } = command.optsWithGlobals<GlobalOptions>();
  if (!apiKey) {
    throw new CliError(
      ExitCode.unauthorized,
      'missing_api_key',
      'no API key: set HOOKRELAY_API_KEY (or pass --api-key)',
    );
  }
  return new HookrelayClient({ baseUrl: apiUrl, apiKey, fetch: fetchReporting(apiUrl) });
}

/**
 * fetch, with a time limit, whose failures to get any answer (refused, unknown host, timeout) become the
 * "unreachable" exit code rather than a generic error.
 */
function fetchReporting(apiUrl: string): typeof fetch {
  return async (input, init) => {
    try {
      return await fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new CliError(
        ExitCode.unreachable,
        'unreachable',
        `could not reach the API at ${apiUrl}: ${reason(error)}`,
      );
    }
  };
}

function reason(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  // undici reports "fetch failed" and keeps the socket's error (ECONNREFUSED, ENOTFOUND…) as the cause.
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error)
    return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return error instanceof Error ? error.message : String(error);
}
