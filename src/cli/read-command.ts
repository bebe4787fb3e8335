import type { Command } from 'commander';
import type { HookrelayClient } from '../client';
import { clientFor } from './connection';
import type { Output, SafeText } from './output';

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

interface NoteChangeSpec<T> {
  /** The id argument's name in help. */
  id: string;
  /** What the note is shown on. */
  noun: string;
  summaries: { pause: string; resume: string };
  act: (
    client: HookrelayClient,
    change: 'pause' | 'resume',
    id: string,
    note: { note?: string },
  ) => Promise<T>;
  /** The line a person sees once it is done ("Paused …"). */
  done: (change: 'pause' | 'resume', value: T) => SafeText;
}

/** `<group> pause <id>` and `<group> resume <id>`, each with an optional `--note`. */
export function addPauseResumeCommands<T>(group: Command, out: Output, spec: NoteChangeSpec<T>): void {
  for (const change of ['pause', 'resume'] as const) {
    group
      .command(change)
      .description(spec.summaries[change])
      .argument('<id>', spec.id)
      .option('--note <text>', `why; shown on the ${spec.noun}`)
      .action(async function (this: Command, id: string) {
        const { note } = this.opts<{ note?: string }>();
        const value = await spec.act(clientFor(this), change, id, note === undefined ? {} : { note });
        out.result({ data: value }, () => {
          out.line(spec.done(change, value));
        });
      });
  }
}
