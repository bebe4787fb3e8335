import type { Hook, HookrelayClient, HookStatus } from '../client';
import { HookrelayApiError } from '../client';
import { ACTION_STATUSES, type BulkAction } from '../domain/hook';
import { mapLimited } from '../lib/map-limited';
import { CliError, exitCodeFor, FailuresReported } from './exit-codes';
import type { Output } from './output';
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

export interface ActionRun {
  /** An answer for each id the run got to, in the order of the ids. */
  results: ActionResult[];
  /**
   * A failure every other request would share (the API unreachable, the key refused, rate limited): it
   * stopped the run, and `notDone` are the ids with no answer, not sent or cut off by it.
   */
  fatal?: { error: unknown; notDone: string[] };
}

/**
 * Runs the action on every id with bounded concurrency. A failure every request would share stops the run,
 * yet what was done before it is still returned: the caller reports it, then the failure.
 */
export async function actOnHooks(
  client: HookrelayClient,
  action: HookAction,
  hookIds: readonly string[],
  onResult: (result: ActionResult) => void = () => undefined,
): Promise<ActionRun> {
  let fatal: { error: unknown } | undefined;
  const answers = await mapLimited(
    hookIds,
    CONCURRENCY,
    async (hookId): Promise<ActionResult | undefined> => {
      if (fatal) return undefined;
      let result: ActionResult;
      try {
        result = { hookId, hook: await ACTIONS[action].run(client, hookId) };
      } catch (error) {
        if (sharedByEveryRequest(error)) {
          fatal ??= { error };
          return undefined;
        }
        result = { hookId, error };
      }
      onResult(result);
      return result;
    },
  );
  const results = answers.filter((answer) => answer !== undefined);
  if (!fatal) return { results };
  const notDone = hookIds.filter((_, index) => answers[index] === undefined);
  return { results, fatal: { error: fatal.error, notDone } };
}

/**
 * Ends a command that acted on hooks, once it has printed what was done and each hook's failure: with the
 * failure that stopped the run and the ids it left undone, or else with the first failed hook's exit code.
 */
export function finishRun(out: Output, fatal: ActionRun['fatal'], failures: readonly ActionResult[]): void {
  if (fatal) {
    out.error(fatal.error, { notDone: fatal.notDone });
    throw new FailuresReported(exitCodeFor(fatal.error));
  }
  const [first] = failures;
  if (first && 'error' in first) throw new FailuresReported(exitCodeFor(first.error));
}

/** Sending the rest would fail the same way, or, rate limited, make the API's refusals last longer. */
function sharedByEveryRequest(error: unknown): boolean {
  return (
    error instanceof CliError ||
    (error instanceof HookrelayApiError && (error.status === 401 || error.status === 429))
  );
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
