import { allHandlersFinished, condition, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow';

/**
 * How a workflow that keeps a project's settings (subscriptions, limits) ends each run: once it has taken
 * `maxChanges` updates, or Temporal suggests it, it lets its handlers finish and continues as new with
 * what it keeps. The new run starts with the same memo, so that a read between the two runs sees it all.
 */
export async function continueAfterChanges(
  changes: () => number,
  maxChanges: number,
  handOver: () => { memo: Record<string, unknown>; input: unknown },
): Promise<never> {
  await condition(() => changes() >= maxChanges || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  const { memo, input } = handOver();
  return makeContinueAsNewFunc<(input: unknown) => Promise<never>>({ memo })(input);
}
