import type { HookState, HookWorkflowInput } from './hook';

/** The state of a hook that has just been scheduled: pending, no attempts, due at postAt. */
export function initialHookState(input: HookWorkflowInput): HookState {
  return {
    id: input.hookId,
    ...input.target,
    targetUrl: input.targetUrl,
    data: input.data,
    postAt: input.postAt,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: input.postAt,
    createdAt: input.createdAt,
    updatedAt: input.createdAt,
    retryOverride: input.retryOverride,
    async: input.async,
    ...(input.batch ? { batch: { key: input.batch.key } } : {}),
    ...(input.schedule ? { schedule: input.schedule } : {}),
    attemptHistory: [],
  };
}
