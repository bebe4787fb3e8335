import type { BatchMember } from '../domain/batch';
import type { DeliveryResult } from '../domain/delivery';
import { signedBatchDelivery } from '../security/signed-delivery';
import { type DeliveryDependencies, post } from './deliver';

export interface BatchDeliveryDependencies extends Pick<
  DeliveryDependencies,
  'signingSecrets' | 'userAgent' | 'dispatcherFor'
> {
  /** Told of each batch request sent, for hookrelay_batches_sent_total. */
  countBatchSent(projectId: string, outcome: DeliveryResult['outcome']): void;
}

/** One attempt of a batch request: every member's envelope in one body (see the batch workflow). */
export interface BatchDeliveryRequest {
  batchId: string;
  projectId: string;
  targetUrl: string;
  attempt: number;
  timeoutMs: number;
  members: BatchMember[];
}

export function createBatchDeliveryActivities(deps: BatchDeliveryDependencies) {
  return {
    /**
     * One HTTP attempt of a batch, signed and sent like a single hook's (same pool, same guard, same
     * judgement of the answer), as a sync delivery. HTTP failures are results: the workflow decides.
     */
    async deliverBatch(req: BatchDeliveryRequest): Promise<DeliveryResult> {
      const secrets = deps.signingSecrets(req.projectId);
      if (!secrets?.length) throw new Error(`project "${req.projectId}" has no signing secret configured`);
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
      return {
        ...outcome,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: finishedAt.getTime() - startedAt.getTime(),
      };
    },
  };
}
