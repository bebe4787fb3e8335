/**
 * The endpoint model: where a project's hooks go, grouped so that one receiver is one endpoint, with its
 * health, its alerts and its state. Pure types and constants only: workflow code imports this module.
 */
import type { BatchSizing } from './batch';
import type { FlowLimits } from './flow-limits';

/**
 * active: hooks are delivered. paused: by a user; hooks wait, in due order, without spending attempts.
 * disabled: by hookrelay, after failing without a success for the project's auto-disable window; hooks
 * wait as when paused, and a resume brings it back.
 */
export const ENDPOINT_STATES = ['active', 'paused', 'disabled'] as const;
export type EndpointState = (typeof ENDPOINT_STATES)[number];

/** An endpoint as a hook names it: its id within the project, and the URL it stands for. */
export interface EndpointRef {
  id: string;
  /** The grouping key as a URL: origin plus path (or path prefix) without the query string. */
  url: string;
}

/** The outcome of one HTTP attempt, as the worker reports it to the attempt's endpoint. */
export interface AttemptReport {
  hookId: string;
  attempt: number;
  /** When the attempt finished (ISO instant). */
  at: string;
  /** A 2xx answer (a 202 of an async hook included): the receiver took the hook. */
  ok: boolean;
  durationMs: number;
  statusCode?: number;
  /** Why the attempt failed, as recorded on the hook's attempt. */
  error?: string;
  /** First attempts only: how long after the hook's due time the attempt started (the scheduler's lateness). */
  latenessMs?: number;
  /** The receiver answered 429 or 503 with Retry-After: the whole endpoint waits this long. */
  retryAfterMs?: number;
}

/**
 * When an endpoint is judged failing. It is failing while either rule holds, healthy once neither does;
 * an alert goes out at each change between the two, never once per failure.
 */
export interface AlertRules {
  /** The success rate under which the endpoint is failing (0..1) ... */
  minSuccessRate: number;
  /** ... over the last `windowMinutes` (1..60) ... */
  windowMinutes: number;
  /** ... once it has had at least this many attempts in that window. */
  minAttempts: number;
  /** More failures in a row than this make the endpoint failing, whatever its rate. */
  maxConsecutiveFailures: number;
}

/** The seed articles' thresholds: below 90 % over at least 20 attempts in 15 minutes, or more than 10 failures in a row. */
export const DEFAULT_ALERT_RULES: AlertRules = {
  minSuccessRate: 0.9,
  windowMinutes: 15,
  minAttempts: 20,
  maxConsecutiveFailures: 10,
};

/** Like Svix: five days of failures without a single success disable an endpoint. */
export const DEFAULT_AUTO_DISABLE_AFTER_SECS = 5 * 86_400;

/** Attempts over one window of time. */
export interface WindowStats {
  attempts: number;
  failures: number;
  /** successes / attempts; null without attempts. */
  successRate: number | null;
  /** Attempt durations (ms); null without attempts. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface FailureRecord {
  at: string;
  hookId: string;
  statusCode?: number;
  error?: string;
}

/** The attempts of one hour, for a sparkline of the last day. */
export interface HourActivity {
  /** The hour's first instant (ISO). */
  start: string;
  attempts: number;
  failures: number;
}

/** The attempts of one minute, with how late the first attempts among them started. */
export interface MinuteActivity {
  /** The minute's first instant (ISO). */
  start: string;
  attempts: number;
  failures: number;
  /** First attempts, whose lateness the next two fields describe. */
  firstAttempts: number;
  latenessAvgMs: number | null;
  latenessMaxMs: number | null;
}

/** What `GET /v1/endpoints/:id` shows of an endpoint's health. */
export interface EndpointStats {
  lastHour: WindowStats;
  lastDay: WindowStats;
  /** The 24 hours up to the current one, oldest first, empty hours included. */
  hourly: HourActivity[];
  /** Failures since the last success. */
  failureStreak: number;
  lastSuccessAt?: string;
  lastFailure?: FailureRecord;
  /** The first failure after the last success, while the streak lasts. */
  failingSince?: string;
}

export type EndpointHealthStatus = 'healthy' | 'failing';

/** What a rule judgement says: failing, and why in words a person reads in an alert. */
export interface HealthJudgement {
  health: EndpointHealthStatus;
  reasons: string[];
}

export const ALERT_KINDS = ['failing', 'recovered', 'disabled'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** One alert: raised by an endpoint at a change of state, sent on each of its project's channels. */
export interface EndpointAlert {
  /** Unique and stable: the alert's workflow id part, and the `webhook-id` of the signed webhook. */
  id: string;
  kind: AlertKind;
  projectId: string;
  endpoint: EndpointRef;
  raisedAt: string;
  /** Why it is failing or disabled; empty for a recovery. */
  reasons: string[];
  /** The rate window the rules look at, and the endpoint's figures when the alert was raised. */
  windowMinutes: number;
  window: WindowStats;
  failureStreak: number;
  lastFailure?: FailureRecord;
}

/** An endpoint as the API shows it; its workflow keeps it in its memo. */
export interface EndpointView extends EndpointRef {
  projectId: string;
  state: EndpointState;
  stateChangedAt: string;
  /** Why it is paused (the note given) or disabled. */
  stateNote?: string;
  health: EndpointHealthStatus;
  /** Why it is failing; empty while healthy. */
  healthReasons: string[];
  stats: EndpointStats;
  /** When `stats` were computed: windows are as of that moment. */
  statsAt: string;
  /** Hooks waiting for the endpoint: to be active again, or for room within its limits. */
  heldHooks: number;
  /** Hooks let go by the endpoint whose attempt has not reported back yet. */
  inFlight: number;
  /** The limits in force: the project's, with the endpoint's own overrides; 0 is no limit. */
  limits: FlowLimits;
  /** A receiver asked to back off (429 or 503 with Retry-After): nothing goes before this. */
  throttledUntil?: string;
  /**
   * Set to batch: every sync hook to it goes out in a batch request with the others to its URL, sized
   * by the project's batching with the endpoint's own over it. Absent: hooks go one by one.
   */
  batch?: BatchSizing;
  /** The rules and window in force: the project's, with the endpoint's own overrides. */
  alertRules: AlertRules;
  autoDisableAfterSecs: number;
  overrides: {
    alertRules?: Partial<AlertRules>;
    autoDisableAfterSecs?: number;
    limits?: Partial<FlowLimits>;
    batch?: Partial<BatchSizing>;
  };
  firstSeenAt: string;
}

/** Where an alert stands on one of its channels. */
export interface AlertDelivery {
  channel: string;
  status: 'sending' | 'sent' | 'failed';
  sentAt?: string;
  error?: string;
}

/** An alert as `GET /v1/alerts` shows it. */
export interface AlertView extends EndpointAlert {
  deliveries: AlertDelivery[];
}

/** What the API may change on one endpoint: fields left out stay as they are, null clears an override. */
export interface EndpointOverrides {
  alertRules?: Partial<AlertRules> | null;
  autoDisableAfterSecs?: number | null;
  limits?: Partial<FlowLimits> | null;
  /** Any object sets the endpoint to batch (its fields over the project's sizing); null stops it. */
  batch?: Partial<BatchSizing> | null;
}
