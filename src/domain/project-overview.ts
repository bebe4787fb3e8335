import type { EndpointView, MinuteActivity } from './endpoint';
import type { HookStatus, HookSummary } from './hook';

/** What the dashboard's overview shows of one project: where its hooks stand and how the last hour went. */
export interface ProjectOverview {
  /** When it was computed. */
  at: string;
  /** Hooks per status, as visibility counts them (it trails the workflows by a moment). */
  counts: Record<HookStatus, number>;
  /** Unfinished hooks whose next attempt is due in the past, and the one due longest ago. */
  overdue: { count: number; oldest: HookSummary | null };
  /** The last 60 minutes, oldest first, summed over the project's endpoints. */
  perMinute: MinuteActivity[];
  /** Failing, paused or disabled endpoints, the worst first (a few). */
  endpointsInTrouble: EndpointView[];
  /** Without endpoint tracking there is no per-minute record, and perMinute is empty. */
  endpointTracking: boolean;
}

/**
 * The minutes of several endpoints summed minute by minute. Every endpoint's series covers the same 60
 * minutes (computed for the same instant), so they line up by index; lateness is averaged over all the
 * first attempts of the minute, not over endpoints.
 */
export function sumMinutes(series: readonly (readonly MinuteActivity[])[]): MinuteActivity[] {
  const [first] = series;
  if (!first) return [];
  return first.map((minute, index) => {
    const same = series.flatMap((endpoint) => endpoint[index] ?? []);
    const firstAttempts = total(same, (point) => point.firstAttempts);
    const latenessSumMs = total(same, (point) => (point.latenessAvgMs ?? 0) * point.firstAttempts);
    const maxima = same.flatMap((point) => (point.latenessMaxMs === null ? [] : [point.latenessMaxMs]));
    return {
      start: minute.start,
      attempts: total(same, (point) => point.attempts),
      failures: total(same, (point) => point.failures),
      firstAttempts,
      latenessAvgMs: firstAttempts > 0 ? latenessSumMs / firstAttempts : null,
      latenessMaxMs: maxima.length > 0 ? Math.max(...maxima) : null,
    };
  });
}

function total(points: readonly MinuteActivity[], value: (point: MinuteActivity) => number): number {
  return points.reduce((sum, point) => sum + value(point), 0);
}
