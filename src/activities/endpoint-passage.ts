import { Context } from '@temporalio/activity';
import type { DeliveryResult, EndpointPassage, HeldByEndpoint } from '../domain/delivery';
import { SEND_WINDOW_MS } from '../domain/flow-limits';
import type { EndpointTracking } from '../endpoints/endpoint-tracker';

/**
 * Whether the attempt may go now: undefined when it may (after waiting for its slot), or the endpoint
 * that holds it, which has been told so when it could be.
 */
export async function passEndpoint(
  endpoints: EndpointTracking,
  passage: EndpointPassage,
): Promise<HeldByEndpoint['heldBy'] | undefined> {
  const heldBy = passage.released ? undefined : await endpoints.holdOf(passage.projectId, passage.targetUrl);
  if (heldBy) return handOver(endpoints, passage, heldBy);
  if (!passage.notBefore) return undefined;
  const missedSlot = await waitForSlot(Date.parse(passage.notBefore));
  const limitedBy = missedSlot ? endpoints.limitedBy(passage.projectId, passage.targetUrl) : undefined;
  return limitedBy && handOver(endpoints, passage, limitedBy);
}

/**
 * Reports the attempt's outcome for its endpoint's health (and a receiver's Retry-After), and tells the
 * endpoint that released it that it is made, so the next one may go; whether that was told.
 */
export async function leaveEndpoint(
  endpoints: EndpointTracking,
  passage: EndpointPassage,
  attempt: {
    /** What the endpoint's failure records name: a hook id, or a batch id. */
    id: string;
    number: number;
    outcome: Pick<DeliveryResult, 'outcome' | 'statusCode' | 'error' | 'retryAfterMs'>;
    startedAt: Date;
    finishedAt: Date;
    latenessMs?: number;
  },
): Promise<boolean> {
  const { outcome } = attempt;
  const ok = outcome.outcome === 'success' || outcome.outcome === 'async_pending';
  endpoints.report(passage.projectId, passage.targetUrl, {
    hookId: attempt.id,
    attempt: attempt.number,
    at: attempt.finishedAt.toISOString(),
    ok,
    durationMs: attempt.finishedAt.getTime() - attempt.startedAt.getTime(),
    statusCode: outcome.statusCode,
    error: ok ? undefined : (outcome.error ?? `the receiver answered ${outcome.statusCode}`),
    ...(attempt.latenessMs === undefined ? {} : { latenessMs: attempt.latenessMs }),
    ...(outcome.retryAfterMs ? { retryAfterMs: outcome.retryAfterMs } : {}),
  });
  if (!passage.releasedBy || !passage.workflowId) return false;
  return endpoints.tell(passage.releasedBy, { kind: 'attempted', workflowId: passage.workflowId });
}

/**
 * Tells the endpoint to hold the attempt's workflow, which saves that workflow a signal and a task; when
 * that fails (or the workflow predates it and sent no id), the workflow signals the endpoint itself.
 */
async function handOver(
  endpoints: EndpointTracking,
  passage: EndpointPassage,
  heldBy: HeldByEndpoint['heldBy'],
): Promise<HeldByEndpoint['heldBy']> {
  if (!passage.workflowId || !passage.dueAt) return heldBy;
  const hook = { workflowId: passage.workflowId, dueAt: passage.dueAt, backOffUntil: heldBy.backOffUntil };
  const told = await endpoints.tell(heldBy.endpointWorkflowId, { kind: 'hold', hook });
  return told ? { ...heldBy, told: true } : heldBy;
}

/**
 * Waits for the start of the attempt's slot; whether the slot was missed (this worker came to it too
 * late to send within SEND_WINDOW_MS), in which case the attempt must not go: it would crowd the next
 * second beyond the endpoint's rate.
 */
async function waitForSlot(notBefore: number): Promise<boolean> {
  const waitMs = notBefore - Date.now();
  if (waitMs > 0) await Context.current().sleep(waitMs);
  return Date.now() > notBefore + SEND_WINDOW_MS;
}
