import type { BatchMember } from '../domain/batch';
import type { DeliveryResult, EndpointPassage, HeldByEndpoint } from '../domain/delivery';
import { signedBatchDelivery } from '../security/signed-delivery';
import { attemptResult, type DeliveryDependencies, post, signingSecretsOf } from './deliver';
import { leaveEndpoint, passEndpoint } from './endpoint-passage';

export interface BatchDeliveryDependencies extends Pick<
  DeliveryDependencies,
  'signingSecrets' | 'userAgent' | 'dispatcherFor' | 'endpoints'
> {
  /** Told of each batch request sent, for hookrelay_batches_sent_total. */
  countBatchSent(projectId: string, outcome: DeliveryResult['outcome']): void;
}

/** One attempt of a batch request: every member's envelope in one body (see the batch workflow). */
export interface BatchDeliveryRequest extends EndpointPassage {
  batchId: string;
  attempt: number;
  timeoutMs: number;
  members: BatchMember[];
}

export function createBatchDeliveryActivities(deps: BatchDeliveryDependencies) {
  return {
    /**
     * One HTTP attempt of a batch, signed and sent like a single hook's (same pool, same guard, same
     * judgement of the answer), as a sync delivery; none while its endpoint holds it (paused, disabled,
     * limited), as for a hook. HTTP failures are results: the workflow decides.
     */
    async deliverBatch(req: BatchDeliveryRequest): Promise<DeliveryResult | HeldByEndpoint> {
      const secrets = signingSecretsOf(deps, req.projectId);
      const heldBy = await passEndpoint(deps.endpoints, req);
      if (heldBy) return { heldBy };
      const startedAt = new Date();
      const { headers, body } = signedBatchDelivery(req, {
        secrets,
        userAgent: deps.userAgent,
        sentAt: startedAt,
      });
      const outcome = await post(
        deps.dispatcherFor(req.projectId),
        { targetUrl: req.targetUrl, timeoutMs: req.timeoutMs, async: false },
        headers,
        body,
      );
      const finishedAt = new Date();
      deps.countBatchSent(req.projectId, outcome.outcome);
      const reported = await leaveEndpoint(deps.endpoints, req, {
        id: req.batchId,
        number: req.attempt,
        outcome,
        startedAt,
        finishedAt,
      });
      return attemptResult(outcome, startedAt, finishedAt, reported);
    },
  };
}
