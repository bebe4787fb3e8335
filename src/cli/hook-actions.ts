import type { Hook, HookrelayClient, HookStatus } from '../client';
import { HookrelayApiError } from '../client';
import { ACTION_STATUSES, type BulkAction } from '../domain/hook';
import { mapLimited } from '../lib/map-limited';
import { CliError } from './exit-codes';
import type { Tally } from './progress';

/** The operations that act on existing hooks one id at a time, shared by `hooks <action>` and bulk. */
export const HOOK_ACTIONS = ['cancel', 'retry', 'replay'] as const satisfies readonly BulkAction[];
export type HookAction = (typeof HOOK_ACTIONS)[number];

interface ActionSpec {
  run: (client: HookrelayClient, hookId: string) => Promise<Hook>;
  summary: string;
  done: string;
  /** The statuses the action can change: a filter without --status takes these, as the API's bulk does. */
  eligible: readonly HookStatus[];
}

export const ACTIONS: Record<HookAction, ActionSpec> = {
  cancel: {
    run: (client, hookId) => client.hooks.cancel(hookId),
    summary: 'cancel pending or retrying hooks',
    done: 'Cancelled',
    eligible: ACTION_STATUSES.cancel,
  },
  retry: {
    run: (client, hookId) => client.hooks.retry(hookId),
    summary: 'give failed hooks a new delivery cycle under the same id',
    done: 'Retried',
    eligible: ACTION_STATUSES.retry,
  },
  replay: {
    run: (client, hookId) => client.hooks.replay(hookId),
    summary: 'copy finished hooks into new hooks due now',
    done: 'Replayed',
    eligible: ACTION_STATUSES.replay,
  },
};

/** As many requests at once as the API's own bulk operations make. */
const CONCURRENCY = 8;

export type ActionResult = { hookId: string; hook: Hook } | { hookId: string; error: unknown };

/**
 * Runs the action on every id with bounded concurrency; results keep the order of `hookIds`. A failure that
 * every other request would share (the API unreachable, the key refused) stops the run and is thrown.
 */
export async function actOnHooks(
  client: HookrelayClient,
  action: HookAction,
  hookIds: readonly string[],
  onResult: (result: ActionResult) => void = () => undefined,
): Promise<ActionResult[]> {
  let fatal: { error: unknown } | undefined;
  const results = await mapLimited(hookIds, CONCURRENCY, async (hookId): Promise<ActionResult> => {
    if (fatal) return { hookId, error: fatal.error };
    let result: ActionResult;
    try {
      result = { hookId, hook: await ACTIONS[action].run(client, hookId) };
    } catch (error) {
      if (sharedByEveryRequest(error)) fatal ??= { error };
      result = { hookId, error };
    }
    onResult(result);
    return result;
  });
  if (fatal) throw fatal.error;
  return results;
}

function sharedByEveryRequest(error: unknown): boolean {
  return error instanceof CliError || (error instanceof HookrelayApiError && error.status === 401);
}

/**
 * In a bulk operation a hook the action does not apply to (already finished, not failed, gone) is left
 * alone and counted as skipped, as the API's bulk operations do; anything else is a failure.
 */
export function tallyOf(result: ActionResult): Tally {
  if ('hook' in result) return 'affected';
  const { error } = result;
  return error instanceof HookrelayApiError && (error.status === 404 || error.status === 409)
    ? 'skipped'
    : 'failed';
}
