import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { isColorSupported, prettyFactory } from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

/** Where log lines go, and whether a person reads them there. */
export interface LogOutput extends DestinationStream {
  isTTY?: boolean;
}

/**
 * HOOKRELAY_LOG_FORMAT decides when set; otherwise a terminal gets readable lines and everything else
 * (a pipe, a file, a log collector) JSON, which is what machines parse.
 */
export function logFormat(env: NodeJS.ProcessEnv, outputIsTTY: boolean): LogFormat {
  const chosen = env.HOOKRELAY_LOG_FORMAT;
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  if (chosen !== undefined && chosen !== '') {
    throw new Error(`HOOKRELAY_LOG_FORMAT must be "json" or "pretty", not "${chosen}"`);
  }
  return outputIsTTY ? 'pretty' : 'json';
}

/**
 * One line per event on `output` (stdout by default), as JSON or human-readable (see logFormat);
 * HOOKRELAY_LOG_LEVEL picks the level (default info).
 */
export function createLogger(env: NodeJS.ProcessEnv = process.env, output?: LogOutput): PinoLogger {
  const options = { name: 'hookrelay', level: env.HOOKRELAY_LOG_LEVEL ?? 'info' };
  if (logFormat(env, (output ?? process.stdout).isTTY === true) === 'json') {
    // Without an output, pino's own synchronous writer on fd 1.
    return output ? pino(options, output) : pino(options);
  }
  return pino(options, prettyOutput(output ?? process.stdout));
}

/**
 * pino-pretty's formatter called in-process on each line, synchronously. Its worker-thread transport
 * (and even its stream form, a Transform piped onwards) would write a moment later, so lines logged
 * just before process.exit could be lost and a test would have to wait for output it injected.
 */
function prettyOutput(output: DestinationStream): DestinationStream {
  const prettify = prettyFactory({
    colorize: output === process.stdout && isColorSupported,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,name',
    // Fields after the message on the same line: one event, one line, as in the JSON format.
    singleLine: true,
  });
  return {
    write(line: string) {
      output.write(prettify(line));
    },
  };
}
