import pino, { type Logger as PinoLogger } from 'pino';

/** One JSON line per event on stdout; HOOKRELAY_LOG_LEVEL picks the level (default info). */
export function createLogger(env: NodeJS.ProcessEnv = process.env): PinoLogger {
  return pino({ name: 'hookrelay', level: env.HOOKRELAY_LOG_LEVEL ?? 'info' });
}
