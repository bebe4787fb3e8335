import { parseDuration } from '../domain/duration';
import { resolveLocalTime } from '../domain/local-time';
import type { CreateHookBody } from './schemas';

/**
 * The instant a validated request asks for. A time in the past means "now": the hook is delivered
 * at once rather than rejected, which is what a caller racing the clock wants.
 */
export function resolveDueTime(
  body: Pick<CreateHookBody, 'postIn' | 'postAt' | 'postAtLocal' | 'timezone'>,
  now: Date,
): Date {
  let due: number;
  if (body.postIn !== undefined) due = now.getTime() + (parseDuration(body.postIn) ?? 0);
  else if (body.postAt !== undefined) due = Date.parse(body.postAt);
  else if (body.postAtLocal !== undefined && body.timezone !== undefined) {
    due = resolveLocalTime(body.postAtLocal, body.timezone).getTime();
  } else throw new Error('the request schema guarantees exactly one time mode');
  return new Date(Math.max(due, now.getTime()));
}
