import { type Command, Option } from 'commander';
import type { HookSummary } from '../client';
import { clientFor } from './connection';
import { ACTIONS, actOnHooks, finishRun, HOOK_ACTIONS, type HookAction } from './hook-actions';
import {
  addDueTimeOptions,
  addFilterOptions,
  addScheduleOptions,
  type DueTimeOptions,
  dueTimeOf,
  type FilterOptions,
  filterOf,
  type ScheduleOptions,
  scheduleRequestOf,
} from './hook-input';
import { hookLine, showHook, showHookList } from './hook-views';
import { addBulkCommands } from './bulk-command';
import { parseInteger } from './option-values';
import { type Output, safeText } from './output';
import { addGetCommand } from './read-command';

/** `hookrelay hooks …`: schedule, read, list and operate hooks. */
export function addHookCommands(hooks: Command, out: Output): void {
  hooks.description('schedule, inspect and operate hooks');

  addScheduleOptions(
    hooks
      .command('schedule')
      .description('schedule a hook')
      .addHelpText(
        'after',
        `
Examples:
  hookrelay hooks schedule --path /orders --in 30m --data '{"orderId": 42}'
  hookrelay hooks schedule --url https://example.com/hook --at-local 2030-03-31T09:00:00 --timezone Europe/Paris
  echo '{"big": true}' | hookrelay hooks schedule --path /batch --in 0s --data-file -`,
      ),
  ).action(async function (this: Command) {
    const options = this.opts<ScheduleOptions>();
    const request = await scheduleRequestOf(options);
    const { hook, created } = await clientFor(this).hooks.schedule(request, {
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    });
    out.result({ data: hook }, () => {
      out.line(
        safeText`${created ? 'Scheduled' : 'Already scheduled with this idempotency key:'} ${hookLine(out, hook)}`,
      );
    });
  });

  addGetCommand(hooks, out, {
    description: 'show a hook with its attempts',
    id: 'hook id (hk_…)',
    read: (client, hookId) => client.hooks.get(hookId),
    show: showHook,
  });

  addFilterOptions(
    hooks
      .command('list')
      .description('list hooks, newest first')
      .addHelpText(
        'after',
        `
With --json, one page is printed as the API answers it ({"data": [...], "nextCursor"}); with --all, every
matching hook is printed as JSON lines, one hook per line, as the pages arrive.`,
      ),
  )
    .addOption(
      new Option('--limit <n>', 'hooks per page, at most 1000 (API default 100)').argParser(parseInteger),
    )
    .option('--cursor <cursor>', 'the nextCursor of an earlier page')
    .addOption(new Option('--all', 'follow nextCursor through every page').conflicts('cursor'))
    .action(async function (this: Command) {
      const options = this.opts<FilterOptions & { limit?: number; cursor?: string; all?: true }>();
      const client = clientFor(this);
      const query = {
        ...filterOf(options),
        ...(options.limit === undefined ? {} : { limit: options.limit }),
      };
      if (!options.all) {
        const page = await client.hooks.list({
          ...query,
          ...(options.cursor ? { cursor: options.cursor } : {}),
        });
        out.result(page, () => {
          showHookList(out, page.data);
          if (page.nextCursor) out.line(`\nMore hooks: add --cursor ${page.nextCursor}, or use --all.`);
        });
        return;
      }
      const all: HookSummary[] = [];
      for await (const hook of client.hooks.listAll(query)) {
        if (out.json) out.jsonLine(hook);
        else all.push(hook);
      }
      if (!out.json) showHookList(out, all);
    });

  addDueTimeOptions(
    hooks
      .command('reschedule')
      .description('move a hook that is still waiting for its first attempt')
      .argument('<id>', 'hook id'),
  ).action(async function (this: Command, hookId: string) {
    const due = dueTimeOf(this.opts<DueTimeOptions>());
    const hook = await clientFor(this).hooks.reschedule(hookId, due);
    out.result({ data: hook }, () => {
      out.line(safeText`Rescheduled ${hookLine(out, hook)}`);
    });
  });

  for (const action of HOOK_ACTIONS) addActionCommand(hooks, out, action);
  addBulkCommands(hooks.command('bulk'), out);
}

/**
 * `hooks cancel|retry|replay <id...>`: every id is tried, in order, and each failure reported; the exit code
 * is the first failure's. A failure every request shares (the API gone) stops the others, after what was
 * done is printed. With --json, each answer is printed as one line ({"data": hook}).
 */
function addActionCommand(hooks: Command, out: Output, action: HookAction): void {
  hooks
    .command(action)
    .description(ACTIONS[action].summary)
    .argument('<id...>', 'hook ids')
    .action(async function (this: Command, hookIds: string[]) {
      const { results, fatal } = await actOnHooks(clientFor(this), action, hookIds);
      for (const result of results) {
        if (!('hook' in result)) out.error(result.error, { hookId: result.hookId });
        else if (out.json) out.jsonLine({ data: result.hook });
        else if (action === 'replay')
          out.line(safeText`Replayed ${result.hookId} as ${hookLine(out, result.hook)}`);
        else out.line(safeText`${ACTIONS[action].done} ${hookLine(out, result.hook)}`);
      }
      finishRun(
        out,
        fatal,
        results.filter((result) => 'error' in result),
      );
    });
}
