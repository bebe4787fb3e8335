import { CommanderError } from 'commander';
import { HookrelayApiError } from '../client';

/** What the process's exit status tells a script; `hookrelay --help` lists them. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  refused: 3,
  notFound: 4,
  unauthorized: 5,
  unreachable: 6,
  rateLimited: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  unexpected error (including the API's own 5xx failures)
  2  usage error: bad flags or arguments, invalid JSON in --data; nothing was sent
  3  the API refused the input (400 validation, 403, 409 conflict, 413…); details name each field
  4  not found (unknown hook or endpoint id)
  5  unauthorized: no API key, or the API refused it
  6  could not reach the API (connection refused, DNS, no complete answer within --timeout)
  7  rate limited (HTTP 429): retry later, after the Retry-After the error shows when there is one`;

/** A failure the CLI recognises itself, with the exit code and error code it reports. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Input the CLI can tell is wrong before sending anything. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(ExitCode.usage, 'usage_error', message);
  }
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliError || error instanceof FailuresReported) return error.exitCode;
  // Commander's own failures are all about the command line (unknown option, missing argument…).
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  if (error instanceof HookrelayApiError) {
    if (error.status === 401) return ExitCode.unauthorized;
    if (error.status === 404) return ExitCode.notFound;
    // Not "refused input": the same request is worth sending again later.
    if (error.status === 429) return ExitCode.rateLimited;
    if (error.status >= 400 && error.status < 500) return ExitCode.refused;
  }
  return ExitCode.unexpected;
}

/** A 429, with how long the API (or a proxy in front of it) asked to wait, when its Retry-After says. */
export class RateLimitedError extends HookrelayApiError {
  constructor(
    error: HookrelayApiError,
    readonly retryAfterSecs: number | undefined,
  ) {
    super(error.status, error.code, error.message, error.details);
  }
}

/** Thrown by a command that has already printed its failures: only the exit code is left to give. */
export class FailuresReported extends Error {
  constructor(readonly exitCode: ExitCode) {
    super('failures were reported');
  }
}
