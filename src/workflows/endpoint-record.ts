import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
  type TypedSearchAttributes,
} from '@temporalio/common';
import {
  type AlertView,
  type EndpointAlert,
  type EndpointState,
  type EndpointView,
  ENDPOINT_STATES,
} from '../domain/endpoint';

/**
 * The records Temporal keeps of endpoints and their alerts: workflow ids, the search attributes that list
 * them, and the memo a reader needs without a worker. The only encoder and decoder of those records.
 * Pure: workflow code imports it.
 */

// --- Workflow ids ----------------------------------------------------------------------------------------

export function endpointWorkflowId(projectId: string, endpointId: string): string {
  return `endpoint:${projectId}:${endpointId}`;
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

/** Endpoints and alerts are listed per project (and alerts per endpoint) on Temporal visibility. */
export const ENDPOINT_SEARCH_ATTRIBUTES = [
  EndpointProject,
  EndpointIdKey,
  EndpointStateKey,
  EndpointHealthKey,
] as const;

export const ENDPOINT_ATTRIBUTE_NAMES = {
  project: EndpointProject.name,
  endpointId: EndpointIdKey.name,
  state: EndpointStateKey.name,
  health: EndpointHealthKey.name,
} as const;

/** What an endpoint's first run starts with: an endpoint appears, active and healthy, when first used. */
export function newEndpointAttributes(projectId: string, endpointId: string): SearchAttributePair[] {
  return [
    { key: EndpointProject, value: projectId },
    { key: EndpointIdKey, value: endpointId },
    { key: EndpointStateKey, value: 'active' },
    { key: EndpointHealthKey, value: 'healthy' },
  ];
}

/** The state an endpoint's visibility record shows, if it is one. */
export function endpointStateOf(attributes: TypedSearchAttributes): EndpointState | undefined {
  const state = attributes.get(EndpointStateKey);
  return ENDPOINT_STATES.find((known) => known === state);
}

/** What changes on an endpoint's search attributes over its life. */
export function endpointStatusAttributes(view: EndpointView): SearchAttributeUpdatePair[] {
  return [
    { key: EndpointStateKey, value: view.state },
    { key: EndpointHealthKey, value: view.health },
  ];
}

export function alertSearchAttributes(alert: EndpointAlert): SearchAttributePair[] {
  return [
    { key: EndpointProject, value: alert.projectId },
    { key: EndpointIdKey, value: alert.endpoint.id },
  ];
}

// --- Memo ---------------------------------------------------------------------------------------------------

const ENDPOINT_MEMO_KEY = 'endpoint';

export function endpointMemo(view: EndpointView): Record<string, unknown> {
  return { [ENDPOINT_MEMO_KEY]: view };
}

export function endpointViewOfMemo(memo: Record<string, unknown> | undefined): EndpointView | undefined {
  return memo?.[ENDPOINT_MEMO_KEY] as EndpointView | undefined;
}

const ALERT_MEMO_KEY = 'alert';

export function alertMemo(view: AlertView): Record<string, unknown> {
  return { [ALERT_MEMO_KEY]: view };
}

export function alertViewOfMemo(memo: Record<string, unknown> | undefined): AlertView | undefined {
  return memo?.[ALERT_MEMO_KEY] as AlertView | undefined;
}
