import type { ProjectConfig } from '../config/schema';
import { TargetPolicy } from '../security/target-policy';
import { TargetNotAllowedError } from './errors';
import type { HookWorkflowInput, RetryOverride } from './hook';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from './retry-policy';

/**
 * A hook to schedule, as a request asks for it under its project's rules; the store adds its id, project,
 * creation time, retry window and the shape of its workflow.
 */
export type NewHook = Omit<
  HookWorkflowInput,
  'hookId' | 'projectId' | 'createdAt' | 'retryWindowMs' | 'publishesState' | 'leanHistory'
>;

/** How a hook asks to be batched: its key, the rest from its project's defaults where it says nothing. */
interface BatchRequest {
  key: string;
  maxSize?: number;
  windowSecs?: number;
}

/**
 * What a hook takes from its project: retry defaults under its own override, async default, timeout,
 * batch defaults. A batched hook is sync whatever the project's async default: its batch is answered as
 * one request.
 */
function deliverySettings(
  project: ProjectConfig,
  hook: { retryOverride?: RetryOverride; async?: boolean; batch?: BatchRequest },
): Pick<NewHook, 'retry' | 'retryOverride' | 'async' | 'deliveryTimeoutMs' | 'batch'> {
  const { batch } = hook;
  return {
    retry: resolveRetryPolicy(resolveRetryPolicy(DEFAULT_RETRY_POLICY, project.retry), hook.retryOverride),
    retryOverride: hook.retryOverride,
    async: batch ? false : (hook.async ?? project.asyncHooks),
    deliveryTimeoutMs: project.deliveryTimeoutSecs * 1000,
    ...(batch
      ? {
          batch: {
            key: batch.key,
            maxSize: batch.maxSize ?? project.batching.maxSize,
            windowSecs: batch.windowSecs ?? project.batching.windowSecs,
          },
        }
      : {}),
  };
}

/**
 * Where a hook goes under the project's rules: a free `url` only where the project allows them, a
 * `path` on the project's baseUrl, and never to an internal address the project has not allowed.
 */
export function resolveTarget(
  project: ProjectConfig,
  hook: { path?: string; url?: string },
): Pick<NewHook, 'target' | 'targetUrl'> {
  const resolved = chooseTarget(project, hook);
  // Only a literal address can be judged here; a name is judged by the worker as it connects.
  const refusal = TargetPolicy.of(project.allowInternalTargets).refusalForUrl(resolved.targetUrl);
  if (refusal) {
    throw new TargetNotAllowedError(
      'address_not_allowed',
      `${refusal}: project "${project.id}" does not deliver to internal addresses it has not listed in allowInternalTargets`,
    );
  }
  return resolved;
}

/** Why the project would not deliver to a target (a rule of the project, an address), if it would not. */
export function targetRefusal(
  project: ProjectConfig,
  target: { path?: string; url?: string },
): TargetNotAllowedError | undefined {
  try {
    resolveTarget(project, target);
    return undefined;
  } catch (error) {
    if (error instanceof TargetNotAllowedError) return error;
    throw error;
  }
}

function chooseTarget(
  project: ProjectConfig,
  hook: { path?: string; url?: string },
): Pick<NewHook, 'target' | 'targetUrl'> {
  if (hook.url !== undefined) {
    if (!project.allowUrlTargets) {
      throw new TargetNotAllowedError(
        'url_not_allowed',
        `project "${project.id}" delivers only to paths on its baseUrl`,
      );
    }
    return { target: { url: hook.url }, targetUrl: hook.url };
  }
  const path = hook.path ?? '/';
  if (!project.baseUrl) {
    throw new TargetNotAllowedError('path_not_allowed', `project "${project.id}" has no baseUrl`);
  }
  return { target: { path }, targetUrl: project.baseUrl.replace(/\/+$/, '') + path };
}

/**
 * A hook as a request describes it, due at `postAt`, under its project's rules and settings as they are
 * now. A replay passes the finished hook itself: same target, data, override and async mode.
 */
export function newHook(
  project: ProjectConfig,
  request: {
    path?: string;
    url?: string;
    data?: unknown;
    retryOverride?: RetryOverride;
    async?: boolean;
    batch?: BatchRequest;
  },
  postAt: Date,
): NewHook {
  return {
    ...resolveTarget(project, request),
    data: request.data ?? null,
    postAt: postAt.toISOString(),
    ...deliverySettings(project, request),
  };
}
