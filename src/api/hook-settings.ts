import type { ProjectConfig } from '../config/schema';
import type { HookState, RetryOverride } from '../domain/hook';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from '../domain/retry-policy';
import type { NewHook } from '../temporal/hook-store';
import { ApiError } from './errors';

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
 * Where a hook goes under the project's rules: a free `url` only where the project allows them, a
 * `path` on the project's baseUrl.
 */
export function resolveTarget(
  project: ProjectConfig,
  hook: { path?: string; url?: string },
): Pick<NewHook, 'target' | 'targetUrl'> {
  if (hook.url !== undefined) {
    if (!project.allowUrlTargets) {
      throw new ApiError(
        403,
        'url_not_allowed',
        `project "${project.id}" delivers only to paths on its baseUrl`,
      );
    }
    return { target: { url: hook.url }, targetUrl: hook.url };
  }
  const path = hook.path ?? '/';
  if (!project.baseUrl) throw new ApiError(403, 'path_not_allowed', `project "${project.id}" has no baseUrl`);
  return { target: { path }, targetUrl: project.baseUrl.replace(/\/+$/, '') + path };
}

/**
 * A finished hook copied into a new one due at `postAt`: same target, data, override and async mode,
 * under the project's rules and settings as they are now.
 */
export function replayOf(project: ProjectConfig, hook: HookState, postAt: Date): NewHook {
  return {
    ...resolveTarget(project, hook),
    data: hook.data,
    postAt: postAt.toISOString(),
    ...deliverySettings(project, hook),
  };
}
