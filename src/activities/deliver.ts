import { Context } from '@temporalio/activity';
import { type Dispatcher, request } from 'undici';
import { asyncTimeoutSecs, callbackTokenExpiry } from '../domain/async-ack';
import type {
  AttemptTiming,
  BatchedByEndpoint,
  DeliveryRequest,
  DeliveryResult,
  HeldByEndpoint,
} from '../domain/delivery';
import type { EndpointTracking } from '../endpoints/endpoint-tracker';
import { leaveEndpoint, passEndpoint } from './endpoint-passage';
import { parseRetryAfter } from '../domain/retry-after';
import { readBodyPrefix } from '../lib/body-prefix';
import { callbackUrls } from '../security/callback-token';
import { targetRefusalIn } from '../security/guarded-dispatcher';
import type { CallbackTokenSigner } from '../security/server-secret';
import { signedDelivery } from '../security/signed-delivery';

/** How much of a response body is kept on the attempt record. */
const RESPONSE_BODY_LIMIT = 4096;

export interface DeliveryDependencies {
  /** The active signing secrets of a project, newest first; looked up per attempt so rotation applies at once. */
  signingSecrets(projectId: string): readonly string[] | undefined;
  userAgent: string;
  /**
   * The connection pool of a project's attempts, which connects only to addresses the project may reach
   * (see src/security/guarded-dispatcher.ts).
   */
  dispatcherFor(projectId: string): Dispatcher;
  /** Where receivers of async hooks send acks, and what signs the tokens in those URLs. */
  callbacks: { publicUrl: string; tokens: CallbackTokenSigner };
  /** Told how long each HTTP attempt took and when it started, for the latency and lateness metrics. */
  observeTiming(timing: AttemptTiming): void;
  /** Whether the hook's endpoint holds it, and where its outcome goes for the endpoint's health. */
  endpoints: EndpointTracking;
}

type Outcome = Pick<
  DeliveryResult,
  'outcome' | 'permanent' | 'statusCode' | 'responseBody' | 'error' | 'retryAfterMs' | 'asyncTimeoutSecs'
>;

export function createDeliveryActivities(deps: DeliveryDependencies) {
  return {
    /**
     * One HTTP attempt, unless the hook's endpoint holds it (paused, disabled or limited): then none, and
     * the workflow waits for the endpoint to let it go; or batches it: then none either, and the workflow
     * joins the endpoint's batch, which goes its own way through the endpoint. HTTP failures are results, not exceptions: the
     * workflow decides what comes next.
     */
    async deliverHook(req: DeliveryRequest): Promise<DeliveryResult | HeldByEndpoint | BatchedByEndpoint> {
      const secrets = signingSecretsOf(deps, req.projectId);
      const batchBy = req.batchable ? deps.endpoints.batchOf(req.projectId, req.targetUrl) : undefined;
      if (batchBy) return { batchBy };
      const heldBy = await passEndpoint(deps.endpoints, req);
      if (heldBy) {
        // The scheduler's part ends when the hook is handed to its endpoint (not when it misses a slot).
        if (!req.released) {
          deps.observeTiming({
            projectId: req.projectId,
            attempt: req.attempt,
            postAt: req.postAt,
            startedAt: new Date(),
          });
        }
        return { heldBy };
      }

      const startedAt = new Date();
      const delivery = signedDelivery(req, { secrets, userAgent: deps.userAgent, sentAt: startedAt });
      const headers = {
        ...delivery.headers,
        ...(req.async ? asyncHeaders(deps.callbacks, req, startedAt) : {}),
      };

      const outcome = await post(deps.dispatcherFor(req.projectId), req, headers, delivery.body);
      const finishedAt = new Date();
      deps.observeTiming({
        projectId: req.projectId,
        attempt: req.attempt,
        postAt: req.postAt,
        startedAt,
        finishedAt,
        ...(req.heldSince ? { heldSince: req.heldSince } : {}),
      });
      const reported = await leaveEndpoint(deps.endpoints, req, {
        id: req.hookId,
        number: req.attempt,
        outcome,
        startedAt,
        finishedAt,
        // A first attempt's lateness is the scheduler's; one released by its endpoint waited on purpose.
        ...(req.attempt === 1 && !req.released
          ? { latenessMs: startedAt.getTime() - Date.parse(req.postAt) }
          : {}),
      });
      return attemptResult(outcome, startedAt, finishedAt, reported);
    },
  };
}

/** The secrets an attempt signs with; a project without any is a configuration error, not an outcome. */
export function signingSecretsOf(
  deps: Pick<DeliveryDependencies, 'signingSecrets'>,
  projectId: string,
): readonly string[] {
  const secrets = deps.signingSecrets(projectId);
  if (!secrets?.length) throw new Error(`project "${projectId}" has no signing secret configured`);
  return secrets;
}

/** An attempt's outcome with its timing, as the workflow records it. */
export function attemptResult(
  outcome: Outcome,
  startedAt: Date,
  finishedAt: Date,
  reported: boolean,
): DeliveryResult {
  return {
    ...outcome,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    ...(reported ? { reported: true as const } : {}),
  };
}

/** One signed POST and how it went; a batch request goes out through here too (see deliver-batch.ts). */
export async function post(
  dispatcher: Dispatcher,
  req: Pick<DeliveryRequest, 'targetUrl' | 'timeoutMs' | 'async'>,
  headers: Record<string, string>,
  body: string,
): Promise<Outcome> {
  // Temporal cancels the activity only when this worker shuts down past its grace time; the attempt
  // then has no outcome to report, and the workflow records it as lost rather than as a timeout.
  const cancelled = Context.current().cancellationSignal;
  // A timer of our own, not AbortSignal.timeout(): AbortSignal.any() holds its sources weakly, and on
  // Node 20 a garbage collection can take a timeout signal nothing else refers to, so it never fires
  // (nodejs/node#57736). The pending timer keeps this controller alive until it fires or is cleared.
  const timeout = new AbortController();
  const timer = setTimeout(() => {
    timeout.abort();
  }, req.timeoutMs);
  const signal = AbortSignal.any([timeout.signal, cancelled]);
  try {
    const response = await request(req.targetUrl, { method: 'POST', headers, body, dispatcher, signal });
    const { text: responseBody } = await readBodyPrefix(
      response.body as AsyncIterable<Buffer>,
      RESPONSE_BODY_LIMIT,
    );
    return { ...classify(response.statusCode, response.headers, req.async), responseBody };
  } catch (error) {
    if (cancelled.aborted) throw error;
    // Trying again would reach the same refused address: the hook fails now, saying why.
    const refusal = targetRefusalIn(error);
    if (refusal) return { outcome: 'failure', permanent: true, error: refusal.message };
    if (timeout.signal.aborted) {
      return { outcome: 'timeout', permanent: false, error: `no response within ${req.timeoutMs / 1000} s` };
    }
    return { outcome: 'failure', permanent: false, error: describeNetworkError(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** The ack/nack URLs; their token outlives the longest wait the receiver may ask for. */
function asyncHeaders(
  callbacks: DeliveryDependencies['callbacks'],
  req: DeliveryRequest,
  startedAt: Date,
): Record<string, string> {
  const token = callbacks.tokens.signCallbackToken({
    hookId: req.hookId,
    projectId: req.projectId,
    attempt: req.attempt,
    expiresAt: callbackTokenExpiry(startedAt, req.timeoutMs),
  });
  const urls = callbackUrls(callbacks.publicUrl, token);
  return { 'hook-ack-url': urls.ack, 'hook-nack-url': urls.nack };
}

function classify(statusCode: number, headers: Dispatcher.ResponseData['headers'], async: boolean): Outcome {
  if (async && statusCode === 202) {
    const asyncTimeout = asyncTimeoutSecs(header(headers, 'hook-async-timeout'));
    return { outcome: 'async_pending', permanent: false, statusCode, asyncTimeoutSecs: asyncTimeout };
  }
  if (statusCode >= 200 && statusCode < 300) return { outcome: 'success', permanent: false, statusCode };
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

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${code ? `${code} ` : ''}${error.message}${cause}`;
  }
  return String(error);
}
