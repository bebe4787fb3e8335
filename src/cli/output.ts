import { styleText } from 'node:util';
import Table from 'cli-table3';
import { HookrelayApiError } from '../client';
import { CliError } from './exit-codes';

type Style = Parameters<typeof styleText>[0];

/** A borderless table in the manner of kubectl and gh: columns apart by two spaces, easy to grep. */
const PLAIN_TABLE_CHARS = Object.fromEntries(
  [
    'top',
    'top-mid',
    'top-left',
    'top-right',
    'bottom',
    'bottom-mid',
    'bottom-left',
    'bottom-right',
    'left',
    'left-mid',
    'mid',
    'mid-mid',
    'right',
    'right-mid',
    'middle',
  ].map((name) => [name, '']),
);

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Everything the CLI prints goes through here. With `--json`, stdout carries only the API's JSON and errors
 * go to stderr as `{"error": {...}}`; otherwise people get tables, with colour on a terminal unless
 * NO_COLOR is set.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: Stream = process.stdout,
    private readonly stderr: Stream = process.stderr,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** A command's result: `payload` (the API's answer) under --json, otherwise what `human` prints. */
  result(payload: unknown, human: () => void): void {
    if (this.json) this.document(payload);
    else human();
  }

  /** One JSON document: what the API answered. */
  document(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON value per line, for streams a script reads as they come. */
  jsonLine(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** A note for the person at the terminal that must not mix with the output a script reads. */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  table(head: string[], rows: string[][]): void {
    const table = new Table({
      head: head.map((title) => this.paint('bold', title)),
      chars: PLAIN_TABLE_CHARS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
    });
    table.push(...rows);
    this.line(
      table
        .toString()
        .split('\n')
        .map((row) => row.trimEnd())
        .join('\n'),
    );
  }

  /** Label and value pairs, labels aligned; pairs without a value are left out. */
  facts(pairs: [label: string, value: string | undefined][]): void {
    const shown = pairs.filter((pair): pair is [string, string] => pair[1] !== undefined);
    const width = Math.max(...shown.map(([label]) => label.length));
    for (const [label, value] of shown)
      this.line(`${this.paint('dim', `${label}:`.padEnd(width + 1))}  ${value}`);
  }

  /**
   * Under `--json` an API error is printed as the API sent it, with its HTTP status added; `context` names
   * what failed when a command works through several hooks.
   */
  error(error: unknown, context: { hookId?: string } = {}): void {
    const { status, code, message, details } = describeError(error);
    if (this.json) {
      const body = { code, message, ...(details.length ? { details } : {}), ...(status ? { status } : {}) };
      this.stderr.write(`${JSON.stringify({ error: { ...body, ...context } })}\n`);
      return;
    }
    const where = context.hookId ? `${context.hookId}: ` : '';
    const why = status ? ` (HTTP ${status} ${code})` : '';
    this.stderr.write(`${this.paint('red', 'error:', this.stderr)} ${where}${message}${why}\n`);
    for (const detail of details) this.stderr.write(`  ${detail.field}: ${detail.message}\n`);
  }

  /** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
  paint(style: Style, text: string, stream: Stream = this.stdout): string {
    if (!stream.isTTY || this.env.NO_COLOR) return text;
    return styleText(style, text);
  }
}

interface DescribedError {
  status?: number;
  code: string;
  message: string;
  details: readonly { field: string; message: string }[];
}

function describeError(error: unknown): DescribedError {
  if (error instanceof HookrelayApiError) {
    return { status: error.status, code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof CliError) return { code: error.code, message: error.message, details: [] };
  return {
    code: 'unexpected',
    message: error instanceof Error ? error.message : String(error),
    details: [],
  };
}
