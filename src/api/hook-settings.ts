import type { ProjectConfig } from '../config/schema';
import type { HookState, RetryOverride } from '../domain/hook';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from '../domain/retry-policy';
import type { NewHook } from '../temporal/hook-store';

/** What a hook takes from its project: retry defaults under its own override, async default, timeout. */
export function deliverySettings(
  project: ProjectConfig,
  hook: { retryOverride?: RetryOverride; async?: boolean },
): Pick<NewHook, 'retry' | 'retryOverride' | 'async' | 'deliveryTimeoutMs'> {
  return {
    retry: resolveRetryPolicy(resolveRetryPolicy(DEFAULT_RETRY_POLICY, project.retry), hook.retryOverride),
    retryOverride: hook.retryOverride,
    async: hook.async ?? project.asyncHooks,
    deliveryTimeoutMs: project.deliveryTimeoutSecs * 1000,
  };
}

/**
 * An existing hook as a new delivery, due at `postAt`: same target, data, override and async mode, with
 * the project's settings as they are now. Used by retry (a new cycle) and replay (a new hook).
 */
export function redeliveryOf(project: ProjectConfig, hook: HookState, postAt: Date): NewHook {
  return {
    target: hook.url !== undefined ? { url: hook.url } : { path: hook.path ?? '/' },
    targetUrl: hook.targetUrl,
    data: hook.data,
    postAt: postAt.toISOString(),
    ...deliverySettings(project, hook),
  };
}
