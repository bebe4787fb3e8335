import type { Attempt, Hook, HookDetail, HookStatus, HookSummary } from '../client';
import { durationText, spanText } from '../lib/durations';
import { type Output, type SafeText, safeText } from './output';

/** How hooks look to a person: a table for many, facts and the attempts for one. */

const STATUS_STYLES = {
  pending: 'cyan',
  retry: 'yellow',
  completed: 'green',
  failed: 'red',
  cancelled: 'gray',
} as const satisfies Record<HookStatus, string>;

export function statusText(out: Output, status: HookStatus): SafeText {
  return out.paint(STATUS_STYLES[status], status);
}

export function showHookList(out: Output, hooks: readonly HookSummary[]): void {
  if (!hooks.length) {
    out.line('No hooks match.');
    return;
  }
  out.table(
    ['ID', 'STATUS', 'DUE', 'ATTEMPTS', 'TARGET', 'CREATED'],
    hooks.map((hook) => [
      hook.id,
      statusText(out, hook.status),
      timeText(hook.postAt),
      String(hook.attempts),
      hook.path ?? hook.url ?? hook.targetUrl,
      timeText(hook.createdAt),
    ]),
  );
}

export function showHook(out: Output, hook: HookDetail): void {
  out.facts([
    ['id', hook.id],
    ['status', statusText(out, hook.status)],
    ['target', hook.targetUrl],
    ['due', withDistance(hook.postAt)],
    ['next attempt', hook.nextAttemptAt && withDistance(hook.nextAttemptAt)],
    ['attempts', String(hook.attempts)],
    ['failure', hook.failureError],
    ['async', hook.async ? 'yes' : undefined],
    ['retry override', hook.retryOverride && JSON.stringify(hook.retryOverride)],
    ['endpoint', hook.endpoint && `${hook.endpoint.id} ${hook.endpoint.url} (${hook.endpoint.state})`],
    ['created', timeText(hook.createdAt)],
    ['updated', timeText(hook.updatedAt)],
    ['finished', hook.completedAt && timeText(hook.completedAt)],
    ['data', oneLine(JSON.stringify(hook.data), 200)],
  ]);
  out.line();
  if (!hook.attemptHistory.length) {
    out.line('No attempts yet.');
    return;
  }
  out.table(
    ['#', 'STARTED', 'DURATION', 'OUTCOME', 'HTTP', 'DETAIL'],
    hook.attemptHistory.map((attempt) => [
      String(attempt.number),
      timeText(attempt.startedAt),
      durationText(attempt.durationMs),
      outcomeText(out, attempt.outcome),
      attempt.statusCode === undefined ? '' : String(attempt.statusCode),
      attemptDetail(attempt),
    ]),
  );
}

/** One line for a hook a command has just changed. */
export function hookLine(out: Output, hook: Hook): SafeText {
  return safeText`${hook.id}  ${statusText(out, hook.status)}  due ${withDistance(hook.postAt)}  ${hook.targetUrl}`;
}

function outcomeText(out: Output, outcome: Attempt['outcome']): SafeText {
  if (outcome === 'success' || outcome === 'acked') return out.paint('green', outcome);
  if (outcome === 'async_pending') return out.paint('cyan', outcome);
  return out.paint('red', outcome);
}

function attemptDetail(attempt: Attempt): string {
  if (attempt.error) return oneLine(attempt.error, 80);
  if (attempt.ackDeadline) return `ack by ${timeText(attempt.ackDeadline)}`;
  if (attempt.nackBody) return oneLine(`nack: ${attempt.nackBody}`, 80);
  return oneLine(attempt.responseBody ?? '', 80);
}

/** `2030-03-31 09:00:00Z`: seconds are enough to read, and the zone stays visible. */
export function timeText(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function withDistance(iso: string, now = Date.now()): string {
  const deltaMs = Date.parse(iso) - now;
  const span = spanText(Math.abs(deltaMs));
  return `${timeText(iso)} (${deltaMs >= 0 ? `in ${span}` : `${span} ago`})`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
