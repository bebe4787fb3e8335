import { Context } from '@temporalio/activity';
import { type Dispatcher, request } from 'undici';
import type { DeliveryRequest, DeliveryResult } from '../domain/delivery';
import { parseRetryAfter } from '../domain/retry-after';
import { signPayload } from './signing';

/** How much of a response body is kept on the attempt record. */
export const RESPONSE_BODY_LIMIT = 4096;

export interface DeliveryDependencies {
  /** The active signing secrets of a project, newest first; looked up per attempt so rotation applies at once. */
  signingSecrets(projectId: string): readonly string[] | undefined;
  userAgent: string;
  /** Connection pool shared by all attempts of this worker. */
  dispatcher: Dispatcher;
}

type Outcome = Pick<
  DeliveryResult,
  'outcome' | 'permanent' | 'statusCode' | 'responseBody' | 'error' | 'retryAfterMs'
>;

export function createDeliveryActivities(deps: DeliveryDependencies) {
  return {
    /** One HTTP attempt. HTTP failures are results, not exceptions: the workflow decides what comes next. */
    async deliverHook(req: DeliveryRequest): Promise<DeliveryResult> {
      const secrets = deps.signingSecrets(req.projectId);
      if (!secrets?.length) throw new Error(`project "${req.projectId}" has no signing secret configured`);

      const startedAt = new Date();
      const body = JSON.stringify({
        id: req.hookId,
        path: req.path ?? null,
        postAt: req.postAt,
        postedAt: startedAt.toISOString(),
        attempt: req.attempt,
        data: req.data,
        createdAt: req.createdAt,
      });
      const timestamp = Math.floor(startedAt.getTime() / 1000);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': deps.userAgent,
        'webhook-id': req.hookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signPayload({ secrets, msgId: req.hookId, timestamp, body }),
        'hook-attempt': String(req.attempt),
      };

      const outcome = await post(deps.dispatcher, req, headers, body);
      const finishedAt = new Date();
      return {
        ...outcome,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: finishedAt.getTime() - startedAt.getTime(),
      };
    },
  };
}

async function post(
  dispatcher: Dispatcher,
  req: DeliveryRequest,
  headers: Record<string, string>,
  body: string,
): Promise<Outcome> {
  // Aborts on our own timeout, and when Temporal cancels the activity (the hook was cancelled).
  const signal = AbortSignal.any([AbortSignal.timeout(req.timeoutMs), Context.current().cancellationSignal]);
  try {
    const response = await request(req.targetUrl, { method: 'POST', headers, body, dispatcher, signal });
    const responseBody = await readPrefix(response.body, RESPONSE_BODY_LIMIT);
    return { ...classify(response.statusCode, response.headers, req.async), responseBody };
  } catch (error) {
    if (signal.aborted) {
      return { outcome: 'timeout', permanent: false, error: `no response within ${req.timeoutMs / 1000} s` };
    }
    return { outcome: 'failure', permanent: false, error: describeNetworkError(error) };
  }
}

function classify(statusCode: number, headers: Dispatcher.ResponseData['headers'], async: boolean): Outcome {
  if (statusCode >= 200 && statusCode < 300) {
    return {
      outcome: async && statusCode === 202 ? 'async_pending' : 'success',
      permanent: false,
      statusCode,
    };
  }
  if (statusCode === 410) return { outcome: 'failure', permanent: true, statusCode };
  if (statusCode >= 300 && statusCode < 400) {
    const location = header(headers, 'location');
    const error = `redirect to ${location ?? '(no Location)'} not followed: deliveries go only to the configured URL`;
    return { outcome: 'failure', permanent: false, statusCode, error };
  }
  const retryAfterMs =
    statusCode === 429 || statusCode === 503
      ? parseRetryAfter(header(headers, 'retry-after'), new Date())
      : undefined;
  return { outcome: 'failure', permanent: false, statusCode, retryAfterMs };
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Keeps the first `limit` bytes and stops reading, so a huge response cannot exhaust the worker. */
async function readPrefix(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    // Leaving the loop destroys the stream: the rest of the body is never read.
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${code ? `${code} ` : ''}${error.message}${cause}`;
  }
  return String(error);
}
