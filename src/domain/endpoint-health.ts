import type {
  AlertRules,
  AttemptReport,
  EndpointStats,
  FailureRecord,
  HealthJudgement,
  HourActivity,
  MinuteActivity,
  WindowStats,
} from './endpoint';

/**
 * The health bookkeeping of one endpoint: counts of attempts per minute and per hour, latency
 * histograms, and the current run of failures. It lives inside the endpoint workflow, so it is pure and
 * deterministic (time is always passed in or read from the reports), and its state is a small plain
 * object that survives continue-as-new and stays bounded however many attempts go through.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Minute buckets cover the last hour, hour buckets the last day. */
const MINUTE_BUCKETS = 60;
const HOUR_BUCKETS = 24;

/**
 * Upper bounds (ms, inclusive) of the latency histogram's buckets: dense where receivers usually answer,
 * coarse up to the longest delivery timeouts. A duration above the last bound lands in one more bucket,
 * so every histogram has LATENCY_BUCKET_BOUNDS_MS.length + 1 counts (JSON has no Infinity to write).
 */
export const LATENCY_BUCKET_BOUNDS_MS: readonly number[] = [
  5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000,
];

/**
 * How many failure times of the current streak are kept, so that a success reported late can take back
 * the failures that came after it. A few seconds of disorder rarely spans more.
 */
const STREAK_TAIL_LENGTH = 32;

/** A failure's error is shown in alerts; a receiver's essay need not be carried across continue-as-new. */
const MAX_ERROR_CHARS = 1024;

/** The attempts of one minute or one hour. */
export interface HealthBucket {
  /** Epoch ms of the bucket's first instant (a whole minute or hour). */
  start: number;
  attempts: number;
  failures: number;
  /**
   * Attempts per latency bucket: index i counts durations ≤ LATENCY_BUCKET_BOUNDS_MS[i] and above the
   * previous bound; the last index counts those above every bound.
   */
  latencyCounts: number[];
  /** The longest duration in the bucket, which caps the percentiles read from the histogram. */
  maxDurationMs: number;
  /**
   * First attempts reported with their lateness, the sum and the largest of it. Absent from buckets
   * written before lateness was reported, which read as none.
   */
  lateStarts?: number;
  latenessSumMs?: number;
  latenessMaxMs?: number;
}

/** An endpoint's health as plain JSON data: what the workflow carries across continue-as-new. */
export interface HealthSnapshot {
  /** At most 60 buckets, oldest first, none older than an hour before the newest report. */
  minutes: HealthBucket[];
  /** At most 24 buckets, oldest first, none older than a day before the newest report. */
  hours: HealthBucket[];
  failureStreak: number;
  lastSuccessAt?: string;
  lastFailure?: FailureRecord;
  failingSince?: string;
  /** The `at` of the latest (up to 32) failures of the current streak, oldest first. */
  streakTail: string[];
}

interface TimedReport {
  report: AttemptReport;
  atMs: number;
}

export class EndpointHealth {
  private constructor(private readonly state: HealthSnapshot) {}

  static restore(snapshot?: HealthSnapshot): EndpointHealth {
    const state = snapshot ? copySnapshot(snapshot) : emptySnapshot();
    pruneWindows(state);
    return new EndpointHealth(state);
  }

  /**
   * Counts each report in the buckets of its own `at`, whatever order the reports come in, and follows
   * the streak in the order of `at`. A report whose `at` is not an instant is ignored altogether.
   */
  record(reports: readonly AttemptReport[]): void {
    for (const timed of sortedByTime(reports)) {
      this.countInWindows(timed);
      this.followStreak(timed);
    }
    pruneWindows(this.state);
  }

  /**
   * A copy of the state. Nothing outside the windows (measured back from the newest report) is in it:
   * restore and record prune, so that snapshot, which a query may call, changes nothing.
   */
  snapshot(): HealthSnapshot {
    return copySnapshot(this.state);
  }

  /**
   * lastHour: the current minute of `now` and the 59 before it; lastDay: the current hour and the 23
   * before it. Buckets ahead of `now` count too: a worker's clock may run a little ahead of the workflow's.
   */
  stats(now: number): EndpointStats {
    const stats: EndpointStats = {
      lastHour: this.windowStats(now, MINUTE_BUCKETS),
      lastDay: summarize(recentBuckets(this.state.hours, HOUR_MS, now, HOUR_BUCKETS)),
      hourly: everyBucket(this.state.hours, HOUR_MS, now, HOUR_BUCKETS).map(hourActivity),
      failureStreak: this.state.failureStreak,
    };
    if (this.state.lastSuccessAt !== undefined) stats.lastSuccessAt = this.state.lastSuccessAt;
    if (this.state.lastFailure !== undefined) stats.lastFailure = { ...this.state.lastFailure };
    if (this.state.failingSince !== undefined) stats.failingSince = this.state.failingSince;
    return stats;
  }

  /** The current minute of `now` and the 59 before it, oldest first, empty minutes included. */
  minutes(now: number): MinuteActivity[] {
    return everyBucket(this.state.minutes, MINUTE_MS, now, MINUTE_BUCKETS).map(minuteActivity);
  }

  /** The current minute of `now` and the `minutes` − 1 before it; `minutes` is clamped to 1..60. */
  windowStats(now: number, minutes: number): WindowStats {
    const count = Math.min(MINUTE_BUCKETS, Math.max(1, Math.floor(minutes)));
    return summarize(recentBuckets(this.state.minutes, MINUTE_MS, now, count));
  }

  get failureStreak(): number {
    return this.state.failureStreak;
  }

  get failingSince(): string | undefined {
    return this.state.failingSince;
  }

  private countInWindows({ report, atMs }: TimedReport): void {
    const newestMinute = Math.max(atMs, newestMinuteStart(this.state) ?? atMs);
    if (bucketAge(atMs, newestMinute, HOUR_MS) >= HOUR_BUCKETS) return;
    addToBucket(bucketFor(this.state.hours, HOUR_MS, atMs), report);
    if (bucketAge(atMs, newestMinute, MINUTE_MS) < MINUTE_BUCKETS) {
      addToBucket(bucketFor(this.state.minutes, MINUTE_MS, atMs), report);
    }
  }

  /**
   * A report older than the latest success already recorded is left out of the streak: that success
   * already ended whatever run of failures it belonged to. lastFailure still takes it if it is the newest
   * failure, since it says what the receiver last answered wrong, not where the streak stands.
   */
  private followStreak({ report, atMs }: TimedReport): void {
    if (!report.ok) this.noteLastFailure(report, atMs);
    const { lastSuccessAt } = this.state;
    if (lastSuccessAt !== undefined && atMs < Date.parse(lastSuccessAt)) return;
    if (report.ok) this.endStreakAt(report.at, atMs);
    else this.extendStreak(report.at, atMs);
  }

  private noteLastFailure(report: AttemptReport, atMs: number): void {
    const { lastFailure } = this.state;
    if (lastFailure === undefined || atMs >= Date.parse(lastFailure.at)) {
      this.state.lastFailure = failureRecord(report);
    }
  }

  /**
   * A success normally ends the streak. One reported late, after failures that came later than it, ends
   * only the failures before it: those kept in the tail after it stay the streak. Failures of a long
   * streak that fell out of the tail are taken to be older than the success, which may undercount a
   * streak that is in any case longer than the tail.
   */
  private endStreakAt(at: string, atMs: number): void {
    const after = this.state.streakTail.filter((failureAt) => Date.parse(failureAt) > atMs);
    this.state.lastSuccessAt = at;
    this.state.streakTail = after;
    this.state.failureStreak = after.length;
    if (after[0] === undefined) delete this.state.failingSince;
    else this.state.failingSince = after[0];
  }

  private extendStreak(at: string, atMs: number): void {
    this.state.failureStreak += 1;
    this.state.streakTail = insertByTime(this.state.streakTail, at, atMs).slice(-STREAK_TAIL_LENGTH);
    const { failingSince } = this.state;
    if (failingSince === undefined || atMs < Date.parse(failingSince)) this.state.failingSince = at;
  }
}

/**
 * Failing while either rule holds: too low a success rate over enough attempts in the rules' window, or
 * too long a run of failures.
 */
export function judgeHealth(health: EndpointHealth, rules: AlertRules, now: number): HealthJudgement {
  const reasons: string[] = [];
  const window = health.windowStats(now, rules.windowMinutes);
  if (rateTooLow(window, rules)) reasons.push(rateReason(window, rules));
  if (health.failureStreak > rules.maxConsecutiveFailures) {
    reasons.push(streakReason(health.failureStreak, rules));
  }
  return { health: reasons.length > 0 ? 'failing' : 'healthy', reasons };
}

/**
 * Whether the endpoint has failed, without a single success, for at least `afterMs` up to `now`, counted
 * from `notBefore` at the earliest (a resume gives the endpoint a whole window again).
 */
export function autoDisableDue(health: EndpointHealth, afterMs: number, now: number, notBefore = 0): boolean {
  const { failingSince } = health;
  if (health.failureStreak === 0 || failingSince === undefined) return false;
  return now - Math.max(Date.parse(failingSince), notBefore) >= afterMs;
}

/** Too few attempts say nothing about a rate: two failures out of three are not an outage. */
function rateTooLow(window: WindowStats, rules: AlertRules): boolean {
  if (window.successRate === null || window.attempts < rules.minAttempts) return false;
  return window.successRate < rules.minSuccessRate;
}

function rateReason(window: WindowStats, rules: AlertRules): string {
  return (
    `success rate ${formatRate(window.successRate ?? 0)} % over the last ${rules.windowMinutes} min ` +
    `(${window.attempts} attempts) is below ${formatThreshold(rules.minSuccessRate)} %`
  );
}

function streakReason(streak: number, rules: AlertRules): string {
  const failures = streak === 1 ? 'failure' : 'failures';
  return `${streak} consecutive ${failures} (more than ${rules.maxConsecutiveFailures})`;
}

/**
 * One decimal, rounded down, so that a rate just under the threshold never reads as equal to it
 * ("90.0 % is below 90 %").
 */
function formatRate(rate: number): string {
  return (Math.floor(rate * 1000) / 10).toFixed(1);
}

/** As written in the rules, without trailing zeros: 0.9 → "90", 0.995 → "99.5". */
function formatThreshold(rate: number): string {
  return String(Number((rate * 100).toFixed(2)));
}

/** Every counted report has a minute bucket that outlives the older ones, so the last one is the newest. */
function newestMinuteStart(state: HealthSnapshot): number | undefined {
  return state.minutes.at(-1)?.start;
}

/**
 * Measured back from the newest report rather than from a clock the caller would have to pass: an
 * endpoint without traffic keeps its last buckets, at most 60 + 24 of them, and stats() skips them by age.
 */
function pruneWindows(state: HealthSnapshot): void {
  const newest = newestMinuteStart(state);
  if (newest === undefined) return;
  state.minutes = state.minutes.filter(
    (bucket) => bucketAge(bucket.start, newest, MINUTE_MS) < MINUTE_BUCKETS,
  );
  state.hours = state.hours.filter((bucket) => bucketAge(bucket.start, newest, HOUR_MS) < HOUR_BUCKETS);
}

function sortedByTime(reports: readonly AttemptReport[]): TimedReport[] {
  return reports
    .map((report) => ({ report, atMs: Date.parse(report.at) }))
    .filter(({ atMs }) => Number.isFinite(atMs))
    .sort((a, b) => a.atMs - b.atMs);
}

/** How many whole buckets of `sizeMs` lie between the bucket of `atMs` and that of `referenceMs`. */
function bucketAge(atMs: number, referenceMs: number, sizeMs: number): number {
  return Math.floor(referenceMs / sizeMs) - Math.floor(atMs / sizeMs);
}

/** The bucket holding `atMs`, created in its place if missing, so that `buckets` stays sorted. */
function bucketFor(buckets: HealthBucket[], sizeMs: number, atMs: number): HealthBucket {
  const start = Math.floor(atMs / sizeMs) * sizeMs;
  // Reports come mostly in order, so the search starts from the newest bucket.
  let index = buckets.length;
  while (index > 0 && (buckets[index - 1]?.start ?? -Infinity) > start) index -= 1;
  const previous = buckets[index - 1];
  if (previous?.start === start) return previous;
  const bucket = emptyBucket(start);
  buckets.splice(index, 0, bucket);
  return bucket;
}

function addToBucket(bucket: HealthBucket, report: AttemptReport): void {
  const durationMs = Number.isFinite(report.durationMs) ? Math.max(0, report.durationMs) : 0;
  bucket.attempts += 1;
  if (!report.ok) bucket.failures += 1;
  const index = latencyBucketIndex(durationMs);
  bucket.latencyCounts[index] = (bucket.latencyCounts[index] ?? 0) + 1;
  bucket.maxDurationMs = Math.max(bucket.maxDurationMs, durationMs);
  if (report.latenessMs !== undefined && Number.isFinite(report.latenessMs)) {
    const latenessMs = Math.max(0, report.latenessMs);
    bucket.lateStarts = (bucket.lateStarts ?? 0) + 1;
    bucket.latenessSumMs = (bucket.latenessSumMs ?? 0) + latenessMs;
    bucket.latenessMaxMs = Math.max(bucket.latenessMaxMs ?? 0, latenessMs);
  }
}

/**
 * The `count` buckets of `sizeMs` ending with the one holding `now`, oldest first, an empty bucket where
 * nothing was counted: what a chart plots. Buckets ahead of `now` (a worker's clock running ahead) are
 * left out here, unlike in the windows' totals.
 */
function everyBucket(
  buckets: readonly HealthBucket[],
  sizeMs: number,
  now: number,
  count: number,
): HealthBucket[] {
  const byStart = new Map(buckets.map((bucket) => [bucket.start, bucket]));
  const current = Math.floor(now / sizeMs) * sizeMs;
  return Array.from({ length: count }, (_, index) => {
    const start = current - (count - 1 - index) * sizeMs;
    return byStart.get(start) ?? emptyBucket(start);
  });
}

function hourActivity(bucket: HealthBucket): HourActivity {
  return {
    start: new Date(bucket.start).toISOString(),
    attempts: bucket.attempts,
    failures: bucket.failures,
  };
}

function minuteActivity(bucket: HealthBucket): MinuteActivity {
  const lateStarts = bucket.lateStarts ?? 0;
  return {
    start: new Date(bucket.start).toISOString(),
    attempts: bucket.attempts,
    failures: bucket.failures,
    firstAttempts: lateStarts,
    latenessAvgMs: lateStarts > 0 ? (bucket.latenessSumMs ?? 0) / lateStarts : null,
    latenessMaxMs: lateStarts > 0 ? (bucket.latenessMaxMs ?? 0) : null,
  };
}

function latencyBucketIndex(durationMs: number): number {
  const index = LATENCY_BUCKET_BOUNDS_MS.findIndex((bound) => durationMs <= bound);
  return index === -1 ? LATENCY_BUCKET_BOUNDS_MS.length : index;
}

/** The buckets of the `count` buckets of `sizeMs` ending with the one holding `now` (and any after it). */
function recentBuckets(
  buckets: readonly HealthBucket[],
  sizeMs: number,
  now: number,
  count: number,
): HealthBucket[] {
  return buckets.filter((bucket) => bucketAge(bucket.start, now, sizeMs) < count);
}

function summarize(buckets: readonly HealthBucket[]): WindowStats {
  const merged = buckets.reduce(mergeInto, emptyBucket(0));
  if (merged.attempts === 0) {
    return { attempts: 0, failures: 0, successRate: null, latencyP50Ms: null, latencyP95Ms: null };
  }
  return {
    attempts: merged.attempts,
    failures: merged.failures,
    successRate: (merged.attempts - merged.failures) / merged.attempts,
    latencyP50Ms: percentileMs(merged, 50),
    latencyP95Ms: percentileMs(merged, 95),
  };
}

function mergeInto(total: HealthBucket, bucket: HealthBucket): HealthBucket {
  total.attempts += bucket.attempts;
  total.failures += bucket.failures;
  bucket.latencyCounts.forEach((count, index) => {
    total.latencyCounts[index] = (total.latencyCounts[index] ?? 0) + count;
  });
  total.maxDurationMs = Math.max(total.maxDurationMs, bucket.maxDurationMs);
  return total;
}

/**
 * The nearest-rank percentile as the histogram can tell it: the upper bound of the bucket holding the
 * rank, capped at the longest duration seen (so a window of 30 ms attempts reads 30, not 50, and the
 * open last bucket has a value at all). It errs high by at most one bucket's width.
 */
function percentileMs(histogram: HealthBucket, percent: number): number {
  // Integer arithmetic: 0.95 * 20 is not exactly 19 in binary floating point.
  const rank = Math.max(1, Math.ceil((percent * histogram.attempts) / 100));
  let seen = 0;
  for (const [index, count] of histogram.latencyCounts.entries()) {
    seen += count;
    if (seen >= rank) return Math.min(LATENCY_BUCKET_BOUNDS_MS[index] ?? Infinity, histogram.maxDurationMs);
  }
  return histogram.maxDurationMs;
}

function failureRecord(report: AttemptReport): FailureRecord {
  const record: FailureRecord = { at: report.at, hookId: report.hookId };
  if (report.statusCode !== undefined) record.statusCode = report.statusCode;
  if (report.error !== undefined) record.error = report.error.slice(0, MAX_ERROR_CHARS);
  return record;
}

function insertByTime(times: readonly string[], at: string, atMs: number): string[] {
  const index = times.findIndex((time) => Date.parse(time) > atMs);
  return index === -1 ? [...times, at] : [...times.slice(0, index), at, ...times.slice(index)];
}

function emptyBucket(start: number): HealthBucket {
  return {
    start,
    attempts: 0,
    failures: 0,
    latencyCounts: LATENCY_BUCKET_BOUNDS_MS.map(() => 0).concat(0),
    maxDurationMs: 0,
  };
}

function emptySnapshot(): HealthSnapshot {
  return { minutes: [], hours: [], failureStreak: 0, streakTail: [] };
}

/** A deep copy by hand: structuredClone is not promised inside Temporal's workflow sandbox. */
function copySnapshot(snapshot: HealthSnapshot): HealthSnapshot {
  const copy: HealthSnapshot = {
    minutes: snapshot.minutes.map(copyBucket),
    hours: snapshot.hours.map(copyBucket),
    failureStreak: snapshot.failureStreak,
    streakTail: [...snapshot.streakTail],
  };
  if (snapshot.lastSuccessAt !== undefined) copy.lastSuccessAt = snapshot.lastSuccessAt;
  if (snapshot.lastFailure !== undefined) copy.lastFailure = { ...snapshot.lastFailure };
  if (snapshot.failingSince !== undefined) copy.failingSince = snapshot.failingSince;
  return copy;
}

function copyBucket(bucket: HealthBucket): HealthBucket {
  return { ...bucket, latencyCounts: [...bucket.latencyCounts] };
}
