import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { BatchMember, BatchSettings } from '../domain/batch';
import { addToBatchSignal } from '../workflows/batch-messages';
import type { batchWorkflow } from '../workflows/batch.workflow';

export interface BatchJoinDependencies {
  client: Client;
  taskQueue: string;
}

/**
 * The workflow id of a batch: one per project, target URL and key, so that only hooks going to the same
 * place are ever sent together. The URL is hashed to keep the id short; the key is kept as it is, readable.
 */
export function batchWorkflowId(projectId: string, targetUrl: string, key: string): string {
  const target = createHash('sha256').update(targetUrl).digest('hex').slice(0, 16);
  return `batch:${projectId}:${target}:${key}`;
}

export function createBatchJoinActivities(deps: BatchJoinDependencies) {
  return {
    /**
     * Adds a member to its batch, starting the batch workflow if none gathers now, and answers with the
     * batch workflow's id. An activity because a workflow cannot signal-with-start; the signal is durable
     * once this returns, so the member may then wait for its batch's outcome.
     */
    async joinBatch(req: { batch: BatchSettings; member: BatchMember }): Promise<string> {
      const workflowId = batchWorkflowId(req.batch.projectId, req.batch.targetUrl, req.batch.key);
      await deps.client.workflow.signalWithStart<typeof batchWorkflow, [BatchMember]>('batchWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [req.batch],
        signal: addToBatchSignal,
        signalArgs: [req.member],
      });
      return workflowId;
    },
  };
}
