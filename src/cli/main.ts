import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version';
import { DEFAULT_API_URL, DEFAULT_TIMEOUT_SECS, parseApiUrl } from './connection';
import { addEndpointCommands } from './endpoints-command';
import { EXIT_CODES_HELP, ExitCode, exitCodeFor, FailuresReported, UsageError } from './exit-codes';
import { addHookCommands } from './hooks-command';
import { parsePositiveNumber } from './option-values';
import { addScheduleCommands } from './schedules-command';
import { Output } from './output';

const ENVIRONMENT_HELP = `Environment:
  HOOKRELAY_URL      the API, instead of --api-url (default ${DEFAULT_API_URL})
  HOOKRELAY_API_KEY  a project API key, instead of --api-key
  HOOKRELAY_TIMEOUT  seconds, instead of --timeout
  NO_COLOR           no colours, even on a terminal`;

/** Runs the command line `argv` (as process.argv: node, script, arguments…) and gives its exit code. */
export async function main(argv: readonly string[], out = new Output(wantsJson(argv))): Promise<ExitCode> {
  const program: Command = new Command('hookrelay')
    .description('Schedule, inspect and operate webhooks on a hookrelay API.')
    .version(VERSION)
    .addOption(
      new Option('--api-url <url>', 'where the API listens')
        .env('HOOKRELAY_URL')
        .default(DEFAULT_API_URL)
        .argParser(parseApiUrl),
    )
    .addOption(
      new Option('--api-key <key>', 'a project API key (the variable keeps it out of `ps`)').env(
        'HOOKRELAY_API_KEY',
      ),
    )
    .addOption(
      new Option('--timeout <secs>', 'how long one request may take, its answer read to the end')
        .env('HOOKRELAY_TIMEOUT')
        .default(DEFAULT_TIMEOUT_SECS)
        .argParser(parsePositiveNumber),
    )
    .option('--json', "print the API's JSON and nothing else on stdout; errors as JSON on stderr")
    .addHelpText('after', () => `\n${commandIndex(program)}\n\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}`)
    // Commander would call process.exit itself; the exit codes are decided below instead.
    .exitOverride()
    .configureOutput({
      outputError: (message) => {
        out.error(new UsageError(message.replace(/^error: /, '').trim()));
      },
    });
  // Subcommands created from here on inherit the settings above.
  if (!out.json) program.showHelpAfterError('(add --help for usage)');
  addHookCommands(program.command('hooks'), out);
  addEndpointCommands(program.command('endpoints'), out);
  addScheduleCommands(program.command('schedules'), out);

  try {
    await program.parseAsync([...argv]);
    return ExitCode.ok;
  } catch (error) {
    // Commander has printed its own errors, and a command that tried several hooks has printed each failure.
    if (!(error instanceof CommanderError) && !(error instanceof FailuresReported)) out.error(error);
    return exitCodeFor(error);
  }
}

/** Every command down to the leaves, so that the top-level help shows what there is to run. */
function commandIndex(program: Command): string {
  const leaves = (command: Command, prefix: string): [string, string][] =>
    command.commands.length
      ? command.commands.flatMap((sub) => leaves(sub, `${prefix} ${sub.name()}`))
      : [
          [
            `${prefix} ${command.usage().replace('[options]', '')}`.replace(/\s+/g, ' ').trim(),
            command.description(),
          ],
        ];
  const rows = program.commands.flatMap((group) => leaves(group, group.name()));
  const width = Math.max(...rows.map(([usage]) => usage.length));
  return ['All commands (add --help to any of them for its options):']
    .concat(rows.map(([usage, description]) => `  ${usage.padEnd(width)}  ${description}`))
    .join('\n');
}

/** Known before parsing, so that even an error in the command line itself is reported as JSON. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}
