import type { HookState, HookWorkflowInput } from './hook';

/** The state of a hook that has just been scheduled (or retried): pending, due at postAt. */
export function initialHookState(input: HookWorkflowInput): HookState {
  return {
    id: input.hookId,
    ...input.target,
    targetUrl: input.targetUrl,
    data: input.data,
    postAt: input.postAt,
    status: 'pending',
    attempts: input.earlierAttempts?.length ?? 0,
    nextAttemptAt: input.postAt,
    createdAt: input.createdAt,
    updatedAt: input.createdAt,
    retryOverride: input.retryOverride,
    async: input.async,
    attemptHistory: [...(input.earlierAttempts ?? [])],
  };
}
