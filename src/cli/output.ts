import { stripVTControlCharacters, styleText } from 'node:util';
import Table from 'cli-table3';
import { HookrelayApiError } from '../client';
import { spanText } from '../lib/durations';
import { CliError, RateLimitedError } from './exit-codes';

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

/**
 * Text ready for a terminal. A receiver's response body, an API error, an endpoint's note can hold escape
 * sequences that retitle a window, repaint the screen or worse; every string a person sees is cleaned here,
 * once, and only colours this module adds itself survive. Code builds lines with the `safeText` template,
 * whose values are cleaned unless they are SafeText already (a painted status, say).
 */
export class SafeText {
  private constructor(readonly text: string) {}

  static of(text: Text, newlines: 'keep newlines' | 'one line' = 'one line'): SafeText {
    return text instanceof SafeText ? text : new SafeText(clean(text, newlines === 'keep newlines'));
  }

  /** Only for text already cleaned, with the escape sequences of a known style around it. */
  static styled(style: Style, text: SafeText): SafeText {
    return new SafeText(styleText(style, text.text));
  }

  /** `safeText\`Cancelled ${hookLine(out, hook)}\``: the literal parts are the program's own. */
  static template(literals: TemplateStringsArray, ...values: Text[]): SafeText {
    return new SafeText(
      literals.reduce((joined, literal, index) => {
        const value = values[index - 1];
        return `${joined}${value === undefined ? '' : SafeText.of(value).text}${literal}`;
      }),
    );
  }
}

export type Text = string | SafeText;
export const safeText = (literals: TemplateStringsArray, ...values: Text[]): SafeText =>
  SafeText.template(literals, ...values);

/**
 * Whole escape sequences go first, so that no stray parameters are left on screen; any control character
 * left is shown as U+FFFD, or as a space when it was whitespace (a tab, a newline not meant as one).
 */
function clean(text: string, keepNewlines: boolean): string {
  return stripVTControlCharacters(text).replace(/\p{Cc}/gu, (char) => {
    if (char === '\n' && keepNewlines) return char;
    return /\s/.test(char) ? ' ' : '\uFFFD';
  });
}

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

  line(text: Text = ''): void {
    this.stdout.write(`${SafeText.of(text, 'keep newlines').text}\n`);
  }

  table(head: string[], rows: Text[][]): void {
    const table = new Table({
      head: head.map((title) => this.paint('bold', title).text),
      chars: PLAIN_TABLE_CHARS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
    });
    table.push(...rows.map((row) => row.map((cell) => SafeText.of(cell).text)));
    // Written as it is: every cell is clean already, and cleaning the whole would take its colours off.
    const rendered = table
      .toString()
      .split('\n')
      .map((row) => row.trimEnd())
      .join('\n');
    this.stdout.write(`${rendered}\n`);
  }

  /** Label and value pairs, labels aligned; pairs without a value are left out. */
  facts(pairs: [label: string, value: Text | undefined][]): void {
    const shown = pairs.filter((pair): pair is [string, Text] => pair[1] !== undefined);
    const width = Math.max(...shown.map(([label]) => label.length));
    for (const [label, value] of shown)
      this.line(safeText`${this.paint('dim', `${label}:`.padEnd(width + 1))}  ${value}`);
  }

  /**
   * Under `--json` an API error is printed as the API sent it, with its HTTP status added; `context` names
   * what failed when a command works through several hooks, and which hooks a failure that stopped the
   * command left undone.
   */
  error(error: unknown, context: ErrorContext = {}): void {
    const { status, code, message, details, retryAfterSecs } = describeError(error);
    if (this.json) {
      const body = {
        code,
        message,
        ...(details.length ? { details } : {}),
        ...(status ? { status } : {}),
        ...(retryAfterSecs === undefined ? {} : { retryAfterSecs }),
      };
      this.stderr.write(`${JSON.stringify({ error: { ...body, ...context } })}\n`);
      return;
    }
    const where = context.hookId ? `${context.hookId}: ` : '';
    const why = status ? ` (HTTP ${status} ${code})` : '';
    const when = retryAfterSecs === undefined ? '' : `; retry after ${spanText(retryAfterSecs * 1000)}`;
    this.note(safeText`${this.paint('red', 'error:', this.stderr)} ${where}${message}${why}${when}`);
    for (const detail of details) this.note(safeText`  ${detail.field}: ${detail.message}`);
    const { notDone = [] } = context;
    if (notDone.length) {
      const listed = notDone.slice(0, NOT_DONE_LISTED).join(', ');
      const more =
        notDone.length > NOT_DONE_LISTED ? `, … (${notDone.length} in all; --json lists each)` : '';
      this.note(safeText`  not done: ${listed}${more}`);
    }
  }

  /** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
  paint(style: Style, text: Text, stream: Stream = this.stdout): SafeText {
    const safe = SafeText.of(text);
    return !stream.isTTY || this.env.NO_COLOR ? safe : SafeText.styled(style, safe);
  }

  /** A note for the person at the terminal that must not mix with the output a script reads. */
  private note(text: SafeText): void {
    this.stderr.write(`${text.text}\n`);
  }
}

interface ErrorContext {
  hookId?: string;
  /** The hooks a failure every request shares (the API unreachable, say) stopped the command before. */
  notDone?: readonly string[];
}

/** Enough ids for a person to see which; the rest are counted. */
const NOT_DONE_LISTED = 10;

interface DescribedError {
  status?: number;
  code: string;
  message: string;
  details: readonly { field: string; message: string }[];
  retryAfterSecs?: number;
}

function describeError(error: unknown): DescribedError {
  if (error instanceof HookrelayApiError) {
    const { status, code, message, details } = error;
    const retryAfterSecs = error instanceof RateLimitedError ? error.retryAfterSecs : undefined;
    return { status, code, message, details, ...(retryAfterSecs === undefined ? {} : { retryAfterSecs }) };
  }
  if (error instanceof CliError) return { code: error.code, message: error.message, details: [] };
  return {
    code: 'unexpected',
    message: error instanceof Error ? error.message : String(error),
    details: [],
  };
}
