import type { Command } from 'commander';
import type { HookrelayClient } from '../client';
import { clientFor } from './connection';
import type { Output } from './output';

interface ReadSpec<T> {
  description: string;
  /** How the id argument is described in help. */
  id: string;
  read: (client: HookrelayClient, id: string) => Promise<T>;
  show: (out: Output, value: T) => void;
}

/** `<group> get <id>`: one resource, as the API's `{"data": …}` under --json, otherwise as `show` has it. */
export function addGetCommand<T>(group: Command, out: Output, spec: ReadSpec<T>): void {
  group
    .command('get')
    .description(spec.description)
    .argument('<id>', spec.id)
    .action(async function (this: Command, id: string) {
      const value = await spec.read(clientFor(this), id);
      out.result({ data: value }, () => {
        spec.show(out, value);
      });
    });
}
