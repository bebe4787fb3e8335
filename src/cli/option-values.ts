import { InvalidArgumentError } from 'commander';

/** Parsers for option values: a value the CLI can tell is wrong stops it before any request. */

export function parseNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError('must be a number');
  return value;
}

export function parseInteger(text: string): number {
  const value = parseNumber(text);
  if (!Number.isInteger(value)) throw new InvalidArgumentError('must be a whole number');
  return value;
}

export function parsePositiveInteger(text: string): number {
  const value = parseInteger(text);
  if (value < 1) throw new InvalidArgumentError('must be 1 or more');
  return value;
}

export function parsePositiveNumber(text: string): number {
  const value = parseNumber(text);
  if (value <= 0) throw new InvalidArgumentError('must be above 0');
  return value;
}

/** `30,120,600`: a list of numbers. */
export function parseNumberList(text: string): number[] {
  return text.split(',').map((part) => parseNumber(part));
}

/**
 * A repeatable option whose values may also be separated by commas (`--status failed,retry` or
 * `--status failed --status retry`), each one of `allowed`.
 */
export function oneOrMoreOf<const T extends string>(allowed: readonly T[]) {
  return (text: string, previous: T[] | undefined): T[] => {
    const values = text.split(',').map((value) => value.trim());
    const unknown = values.filter((value) => !(allowed as readonly string[]).includes(value));
    if (unknown.length) {
      throw new InvalidArgumentError(`${unknown.join(', ')} is not one of ${allowed.join(', ')}`);
    }
    return [...(previous ?? []), ...(values as T[])];
  };
}

/** Repeatable, comma-separated text values (ids), in the order given. */
export function collectList(text: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...text.split(',').map((value) => value.trim())].filter(Boolean);
}

/** The fields that have a value: an option left out is left out of the request, not sent as undefined. */
export function definedFields<T extends object>(fields: T): T {
  return Object.fromEntries(
    Object.entries(fields as Record<string, unknown>).filter(([, value]) => value !== undefined),
  ) as T;
}
