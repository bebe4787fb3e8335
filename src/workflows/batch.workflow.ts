import { BatchGatherer, type BatchWorkflowInput } from './batch-gatherer';

/** The batch workflow: one per project, target and batch key while hooks gather (see BatchGatherer). */
export async function batchWorkflow(input: BatchWorkflowInput): Promise<void> {
  const gatherer = new BatchGatherer(input);
  gatherer.registerHandlers();
  return gatherer.run();
}
