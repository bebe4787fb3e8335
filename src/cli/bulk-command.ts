import { type Command, Option } from 'commander';
import type { HookrelayClient } from '../client';
import { clientFor } from './connection';
import { UsageError } from './exit-codes';
import { ACTIONS, actOnHooks, finishRun, HOOK_ACTIONS, type HookAction, tallyOf } from './hook-actions';
import { addFilterOptions, type FilterOptions, filterOf, type HookFilter, readInput } from './hook-input';
import { collectList, parsePositiveInteger } from './option-values';
import type { Output } from './output';
import { startProgress } from './progress';

interface BulkOptions extends FilterOptions {
  ids?: string[];
  limit?: number;
  dryRun?: true;
}

/**
 * `hooks bulk retry|replay|cancel`. The CLI works through the hooks itself, one request per hook with
 * bounded concurrency, rather than calling the API's /v1/hooks/bulk/:action: that call answers only
 * `{"affected": n}` once it has finished, so it could show no progress and could not say which hooks were
 * skipped or why one failed. Matching hooks are listed first, all of them, because acting while paging
 * changes the very statuses the filter reads.
 */
export function addBulkCommands(bulk: Command, out: Output): void {
  bulk.description('act on many hooks: by --ids, or by filter').addHelpText(
    'after',
    `
Examples:
  hookrelay hooks bulk retry --status failed --path-prefix /orders/
  hookrelay hooks list --status failed --all --json | jq -r .id | hookrelay hooks bulk replay --ids -`,
  );
  for (const action of HOOK_ACTIONS) {
    addFilterOptions(
      bulk
        .command(action)
        .description(`${ACTIONS[action].summary}, by --ids or by filter`)
        .addHelpText(
          'after',
          `
Filters without --status take the hooks the action applies to: --status ${ACTIONS[action].eligible.join(',')}.
Hooks the action does not apply to (already finished, say) are skipped, as the API's bulk operations do.
With --json, prints {"matched", "affected", "skipped", "failed", "notDone"}; each failure goes to stderr.
notDone counts the hooks left when a failure every request shares (the API unreachable, the key refused,
rate limiting) stopped the run; that failure, with their ids, goes to stderr last.`,
        ),
    )
      .addOption(
        new Option(
          '--ids <ids>',
          'hook ids, comma-separated or repeated; - reads one per line from stdin',
        ).argParser(collectList),
      )
      .addOption(
        new Option('--limit <n>', 'act on at most this many matching hooks').argParser(parsePositiveInteger),
      )
      .option('--dry-run', 'show how many hooks match, and change nothing')
      .action(async function (this: Command) {
        const options = this.opts<BulkOptions>();
        const selection = selectionOf(action, options);
        const client = clientFor(this);
        await runBulk(client, out, action, await idsOf(client, selection, options.limit), options);
      });
  }
}

type Selection = { ids: string[] } | { filter: HookFilter };

/** Which hooks: checked before anything is sent. */
function selectionOf(action: HookAction, options: BulkOptions): Selection {
  const filter = filterOf(options);
  const filtered = Object.keys(filter).length > 0;
  if (options.ids) {
    if (filtered) throw new UsageError('choose hooks by --ids or by filters, not both');
    return { ids: options.ids };
  }
  if (!filtered) {
    throw new UsageError(
      `choose hooks: --ids, or filters such as --status (all it applies to: --status ${ACTIONS[action].eligible.join(',')})`,
    );
  }
  return { filter: { ...filter, status: filter.status ?? ACTIONS[action].eligible } };
}

const MAX_PAGE = 1000;

async function idsOf(client: HookrelayClient, selection: Selection, limit = Infinity): Promise<string[]> {
  if ('ids' in selection) {
    const ids = selection.ids.includes('-') ? await idsWithStdin(selection.ids) : selection.ids;
    return [...new Set(ids)].slice(0, limit);
  }
  const ids: string[] = [];
  for await (const hook of client.hooks.listAll({ ...selection.filter, limit: Math.min(limit, MAX_PAGE) })) {
    ids.push(hook.id);
    if (ids.length >= limit) break;
  }
  return ids;
}

/** `--ids -` stands for the ids on stdin, whitespace-separated (one per line, as `jq -r .id` prints them). */
async function idsWithStdin(ids: string[]): Promise<string[]> {
  const read = (await readInput('-', '--ids')).split(/\s+/).filter(Boolean);
  return ids.flatMap((id) => (id === '-' ? read : [id]));
}

async function runBulk(
  client: HookrelayClient,
  out: Output,
  action: HookAction,
  hookIds: string[],
  options: BulkOptions,
): Promise<void> {
  if (options.dryRun) {
    out.result({ matched: hookIds.length, hookIds }, () => {
      out.line(`${hooksText(hookIds.length)} match; nothing was changed (--dry-run).`);
    });
    return;
  }
  const counts = { affected: 0, skipped: 0, failed: 0 };
  const progress = startProgress(action, hookIds.length);
  const { results, fatal } = await actOnHooks(client, action, hookIds, (result) => {
    const tally = tallyOf(result);
    counts[tally] += 1;
    progress.tick(tally);
  }).finally(() => {
    progress.stop();
  });
  const failures = results.filter((result) => tallyOf(result) === 'failed');
  for (const failure of failures)
    if ('error' in failure) out.error(failure.error, { hookId: failure.hookId });
  // Printed even when the run was stopped, so that what it changed is known.
  const notDone = fatal?.notDone.length ?? 0;
  out.result({ matched: hookIds.length, ...counts, notDone }, () => {
    out.line(
      `${ACTIONS[action].done} ${counts.affected} of ${hooksText(hookIds.length)}; ` +
        `${counts.skipped} skipped (not in a state to ${action}), ${counts.failed} failed` +
        `${notDone ? `, ${notDone} not done (stopped, see the error)` : ''}.`,
    );
  });
  finishRun(out, fatal, failures);
}

function hooksText(count: number): string {
  return `${count} ${count === 1 ? 'hook' : 'hooks'}`;
}
