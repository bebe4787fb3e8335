import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
  type TypedSearchAttributes,
} from '@temporalio/common';
import {
  type AlertRules,
  type AlertView,
  type AttemptReport,
  type EndpointAlert,
  type EndpointHealthStatus,
  type EndpointRef,
  type EndpointState,
  type EndpointView,
  ENDPOINT_STATES,
  type HealthJudgement,
  type MinuteActivity,
} from '../domain/endpoint';
import { EndpointHealth, type HealthSnapshot, judgeHealth } from '../domain/endpoint-health';
import { type FlowLimits, hasFlowLimits, NO_FLOW_LIMITS } from '../domain/flow-limits';
import type { BatchSizing } from '../domain/batch';

/**
 * The records Temporal keeps of endpoints and their alerts: workflow ids, the search attributes that list
 * them, and the memo a reader needs without a worker. The only encoder and decoder of those records.
 * Pure: workflow code imports it.
 */

// --- Workflow ids ----------------------------------------------------------------------------------------

export function endpointWorkflowId(projectId: string, endpointId: string): string {
  return `endpoint:${projectId}:${endpointId}`;
}

/** The endpoint id within an endpoint workflow's id. */
export function endpointIdOf(endpointWorkflowId: string): string {
  return endpointWorkflowId.slice(endpointWorkflowId.lastIndexOf(':') + 1);
}

/** One alert's workflow: the endpoint's id and the alert's sequence number on it keep it unique. */
export function alertWorkflowId(projectId: string, alertId: string): string {
  return `alert:${projectId}:${alertId}`;
}

// --- Search attributes -------------------------------------------------------------------------------------

const EndpointProject = defineSearchAttributeKey('EndpointProject', SearchAttributeType.KEYWORD);
const EndpointIdKey = defineSearchAttributeKey('EndpointId', SearchAttributeType.KEYWORD);
const EndpointStateKey = defineSearchAttributeKey('EndpointState', SearchAttributeType.KEYWORD);
const EndpointHealthKey = defineSearchAttributeKey('EndpointHealth', SearchAttributeType.KEYWORD);
/**
 * 'limited' while workers must send the endpoint's hooks through its workflow (it has limits, or a
 * receiver asked to back off), 'open' otherwise; absent on endpoints that predate limits (open).
 */
const EndpointFlowKey = defineSearchAttributeKey('EndpointFlow', SearchAttributeType.KEYWORD);
/**
 * True while the endpoint is set to batch its hooks (workers then read its sizing from the memo), false
 * once it no longer is; absent on endpoints never set to batch. A boolean: a Temporal server on SQL
 * visibility has room for only ten keyword attributes, all taken.
 */
const EndpointBatchKey = defineSearchAttributeKey('EndpointBatches', SearchAttributeType.BOOL);

/** Endpoints and alerts are listed per project (and alerts per endpoint) on Temporal visibility. */
export const ENDPOINT_SEARCH_ATTRIBUTES = [
  EndpointProject,
  EndpointIdKey,
  EndpointStateKey,
  EndpointHealthKey,
  EndpointFlowKey,
  EndpointBatchKey,
] as const;

export const ENDPOINT_ATTRIBUTE_NAMES = {
  project: EndpointProject.name,
  endpointId: EndpointIdKey.name,
  state: EndpointStateKey.name,
  health: EndpointHealthKey.name,
  flow: EndpointFlowKey.name,
  batch: EndpointBatchKey.name,
} as const;

/** What an endpoint's first run starts with: an endpoint appears, active, when first used. */
export function newEndpointAttributes(
  projectId: string,
  endpointId: string,
  limits: FlowLimits | undefined,
  health: EndpointHealthStatus = 'healthy',
): SearchAttributePair[] {
  return [
    { key: EndpointProject, value: projectId },
    { key: EndpointIdKey, value: endpointId },
    { key: EndpointStateKey, value: 'active' },
    { key: EndpointHealthKey, value: health },
    { key: EndpointFlowKey, value: flowValue(limits !== undefined && hasFlowLimits(limits)) },
  ];
}

function flowValue(limited: boolean): EndpointFlowState {
  return limited ? 'limited' : 'open';
}

export type EndpointFlowState = 'limited' | 'open';

/** Whether an endpoint's visibility record says it is limited or open, if it says. */
export function endpointFlowOf(attributes: TypedSearchAttributes): EndpointFlowState | undefined {
  const flow = attributes.get(EndpointFlowKey);
  return flow === 'limited' || flow === 'open' ? flow : undefined;
}

/** The state an endpoint's visibility record shows, if it is one. */
export function endpointStateOf(attributes: TypedSearchAttributes): EndpointState | undefined {
  const state = attributes.get(EndpointStateKey);
  return ENDPOINT_STATES.find((known) => known === state);
}

/**
 * What changes on an endpoint's search attributes over its life; whether it batches only once it has
 * been set to (`batched` undefined before), so that the records of other endpoints stay as they were.
 */
export function endpointStatusAttributes(
  view: EndpointView,
  limited: boolean,
  batched?: boolean,
): SearchAttributeUpdatePair[] {
  return [
    { key: EndpointStateKey, value: view.state },
    { key: EndpointHealthKey, value: view.health },
    { key: EndpointFlowKey, value: flowValue(limited) },
    ...(batched === undefined ? [] : [{ key: EndpointBatchKey, value: batched }]),
  ];
}

/** Whether an endpoint's visibility record says it is set to batch. */
export function endpointBatchesOf(attributes: TypedSearchAttributes): boolean {
  return attributes.get(EndpointBatchKey) === true;
}

export function alertSearchAttributes(alert: EndpointAlert): SearchAttributePair[] {
  return [
    { key: EndpointProject, value: alert.projectId },
    { key: EndpointIdKey, value: alert.endpoint.id },
  ];
}

// --- Memo ---------------------------------------------------------------------------------------------------

const MEMO_KEYS = {
  /** The endpoint as the API shows it, as of its latest change. */
  view: 'endpoint',
  /** Its health buckets, so that a reader computes the windows as of the moment it reads. */
  health: 'health',
} as const;

/** The facts of an endpoint besides its health buckets: what its view is made of. */
export interface EndpointFacts {
  projectId: string;
  endpoint: EndpointRef;
  state: EndpointState;
  stateChangedAt: string;
  stateNote?: string;
  judgement: HealthJudgement;
  heldHooks: number;
  inFlight: number;
  limits: FlowLimits;
  batch?: BatchSizing;
  throttledUntil?: number;
  alertRules: AlertRules;
  autoDisableAfterSecs: number;
  overrides: EndpointView['overrides'];
  firstSeenAt: string;
}

export function endpointView(facts: EndpointFacts, health: EndpointHealth, now: number): EndpointView {
  return {
    id: facts.endpoint.id,
    url: facts.endpoint.url,
    projectId: facts.projectId,
    state: facts.state,
    stateChangedAt: facts.stateChangedAt,
    ...(facts.stateNote ? { stateNote: facts.stateNote } : {}),
    health: facts.judgement.health,
    healthReasons: facts.judgement.reasons,
    stats: health.stats(now),
    statsAt: new Date(now).toISOString(),
    heldHooks: facts.heldHooks,
    inFlight: facts.inFlight,
    limits: facts.limits,
    ...(facts.batch ? { batch: facts.batch } : {}),
    ...(facts.throttledUntil === undefined
      ? {}
      : { throttledUntil: new Date(facts.throttledUntil).toISOString() }),
    alertRules: facts.alertRules,
    autoDisableAfterSecs: facts.autoDisableAfterSecs,
    overrides: facts.overrides,
    firstSeenAt: facts.firstSeenAt,
  };
}

export function endpointMemo(view: EndpointView, health: EndpointHealth): Record<string, unknown> {
  return { [MEMO_KEYS.view]: view, [MEMO_KEYS.health]: health.snapshot() };
}

/**
 * The endpoint its memo describes, with its windows computed for `now` from the buckets it keeps: an
 * endpoint with no attempts lately has nothing to write, and its last hour still empties as time goes.
 */
export function endpointViewOfMemo(
  memo: Record<string, unknown> | undefined,
  now: number,
): EndpointView | undefined {
  const { view, health } = readEndpointMemo(memo);
  return view && health ? withStatsAt(view, health, now) : view;
}

/**
 * What the overview takes from an endpoint's memo: its view as endpointViewOfMemo gives it, and its last 60
 * minutes (empty ones without a memo), both from one reading of its buckets.
 */
export function endpointActivityOfMemo(
  memo: Record<string, unknown> | undefined,
  now: number,
): { view: EndpointView | undefined; minutes: MinuteActivity[] } {
  const { view, health } = readEndpointMemo(memo);
  return {
    view: view && health ? withStatsAt(view, health, now) : view,
    minutes: (health ?? EndpointHealth.restore()).minutes(now),
  };
}

/** How an endpoint set to batch sizes its batches, as its memo says; undefined when it does not batch. */
export function endpointBatchingOfMemo(memo: Record<string, unknown> | undefined): BatchSizing | undefined {
  return readEndpointMemo(memo).view?.batch;
}

function readEndpointMemo(memo: Record<string, unknown> | undefined) {
  const view = memo?.[MEMO_KEYS.view] as
    (Omit<EndpointView, 'inFlight' | 'limits'> & Partial<EndpointView>) | undefined;
  const snapshot = memo?.[MEMO_KEYS.health] as HealthSnapshot | undefined;
  return {
    // Endpoints recorded before limits existed had none, and nothing in flight.
    view: view && { inFlight: 0, limits: NO_FLOW_LIMITS, ...view },
    health: snapshot ? EndpointHealth.restore(snapshot) : undefined,
  };
}

function withStatsAt(view: EndpointView, health: EndpointHealth, now: number): EndpointView {
  return { ...view, stats: health.stats(now), statsAt: new Date(now).toISOString() };
}

/**
 * What a new endpoint's workflow starts with, from the first outcomes a worker reports for it: its
 * memo and search attributes are written by the start itself, and its first workflow task, which
 * records the same outcomes, then has nothing to write. An endpoint used once costs a start and one
 * empty workflow task.
 */
export function newEndpointRecord(
  facts: Pick<EndpointFacts, 'projectId' | 'endpoint' | 'alertRules' | 'autoDisableAfterSecs' | 'limits'>,
  reports: readonly AttemptReport[],
  now: number,
): { memo: Record<string, unknown>; typedSearchAttributes: SearchAttributePair[] } {
  const health = EndpointHealth.restore();
  health.record(reports);
  const since = new Date(now).toISOString();
  const view = endpointView(
    {
      ...facts,
      state: 'active',
      stateChangedAt: since,
      judgement: judgeHealth(health, facts.alertRules, now),
      heldHooks: 0,
      inFlight: 0,
      overrides: {},
      firstSeenAt: since,
    },
    health,
    now,
  );
  return {
    memo: endpointMemo(view, health),
    typedSearchAttributes: newEndpointAttributes(
      facts.projectId,
      facts.endpoint.id,
      facts.limits,
      view.health,
    ),
  };
}

const ALERT_MEMO_KEY = 'alert';

export function alertMemo(view: AlertView): Record<string, unknown> {
  return { [ALERT_MEMO_KEY]: view };
}

export function alertViewOfMemo(memo: Record<string, unknown> | undefined): AlertView | undefined {
  return memo?.[ALERT_MEMO_KEY] as AlertView | undefined;
}
