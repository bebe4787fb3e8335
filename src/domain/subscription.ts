/**
 * Subscriptions and the events they receive: which event types a subscription asks for (patterns with
 * wildcards), what it requires of an event's data (a filter), and which subscriptions an event goes to.
 * Pure: the subscriptions workflow imports it.
 */

/** Where a subscription's hooks go: a path on the project's baseUrl or a free URL, as for a hook. */
export type SubscriptionTarget = { path: string; url?: undefined } | { url: string; path?: undefined };

/** A value a filter requires a data field to equal. */
export type FilterValue = string | number | boolean | null;

/** Dotted paths into an event's data, each with the value it must equal; every entry must hold. */
export type DataFilter = Record<string, FilterValue>;

export interface Subscription {
  id: string;
  projectId: string;
  description?: string;
  target: SubscriptionTarget;
  eventTypes: string[];
  filter?: DataFilter;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What a change may set of a subscription; `null` removes an optional field. */
export interface SubscriptionPatch {
  description?: string | null;
  target?: SubscriptionTarget;
  eventTypes?: string[];
  filter?: DataFilter | null;
  enabled?: boolean;
}

/** An event as it is published: the subscriptions decide where it goes. */
export interface PublishedEvent {
  type: string;
  data: unknown;
}

/** An event as the API shows it: its hooks are known, by id, before they exist. */
export interface EventView {
  id: string;
  type: string;
  data: unknown;
  hookIds: string[];
  subscriptionIds: string[];
  createdAt: string;
}

/** One hook an event delivers: to one subscription's target. */
export interface EventDelivery {
  subscriptionId: string;
  hookId: string;
  target: SubscriptionTarget;
}

/** A project has at most this many subscriptions: every event reads them all. */
export const MAX_SUBSCRIPTIONS = 500;
export const MAX_EVENT_TYPES_PER_SUBSCRIPTION = 50;
export const MAX_EVENT_TYPE_LENGTH = 200;
export const MAX_FILTER_ENTRIES = 20;
/** A filter looks this many levels into the data at most: a filter is a simple test, not a query. */
export const MAX_FILTER_DEPTH = 8;

export const SUBSCRIPTION_ID_PATTERN = /^sub_[0-9a-f]{24}$/;

const SEGMENT = '[A-Za-z0-9_-]+';
/** An event type: segments of letters, digits, `_` and `-`, joined by dots. */
const EVENT_TYPE = new RegExp(`^${SEGMENT}(\\.${SEGMENT})*$`);
/** A filter's path into the data: the same segments, at most MAX_FILTER_DEPTH of them. */
const FILTER_PATH = new RegExp(`^${SEGMENT}(\\.${SEGMENT}){0,${MAX_FILTER_DEPTH - 1}}$`);

export function isEventType(text: string): boolean {
  return text.length <= MAX_EVENT_TYPE_LENGTH && EVENT_TYPE.test(text);
}

/**
 * An event type pattern: an event type whose segments may be `*` (any one segment), and whose last
 * segment may be `**` (one or more segments). A lone `**` matches every type.
 */
export function isEventTypePattern(text: string): boolean {
  if (text.length > MAX_EVENT_TYPE_LENGTH) return false;
  const segments = text.split('.');
  return segments.every(
    (segment, index) =>
      segment === '*' || (segment === '**' && index === segments.length - 1) || EVENT_TYPE.test(segment),
  );
}

export function isFilterPath(text: string): boolean {
  return FILTER_PATH.test(text);
}

/** Whether `type` is one of the types `pattern` stands for (both already valid). */
export function eventTypeMatches(pattern: string, type: string): boolean {
  const wanted = pattern.split('.');
  const given = type.split('.');
  const last = wanted.length - 1;
  if (wanted[last] === '**') {
    if (given.length < wanted.length) return false;
  } else if (given.length !== wanted.length) return false;
  return wanted.every((segment, index) => segment === '*' || segment === '**' || segment === given[index]);
}

/** The value at a dotted path of `data`, or undefined where the path leads nowhere. */
function valueAt(data: unknown, path: string): unknown {
  let value = data;
  for (const segment of path.split('.')) {
    // Own properties only: a path such as "constructor" or "__proto__" finds nothing.
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Whether every field the filter names holds exactly its value (a missing field equals nothing). */
export function filterMatches(filter: DataFilter | undefined, data: unknown): boolean {
  return Object.entries(filter ?? {}).every(([path, expected]) => valueAt(data, path) === expected);
}

/** The subscriptions an event goes to: the enabled ones with a matching type pattern and filter. */
export function subscriptionsFor(
  event: PublishedEvent,
  subscriptions: readonly Subscription[],
): Subscription[] {
  return subscriptions.filter(
    (subscription) =>
      subscription.enabled &&
      subscription.eventTypes.some((pattern) => eventTypeMatches(pattern, event.type)) &&
      filterMatches(subscription.filter, event.data),
  );
}

/** A subscription with a patch applied: `null` removes, undefined keeps. */
export function patchSubscription(
  subscription: Subscription,
  patch: SubscriptionPatch,
  at: string,
): Subscription {
  const { description, filter, ...rest } = patch;
  const next: Subscription = { ...subscription, updatedAt: at };
  if (rest.target !== undefined) next.target = rest.target;
  if (rest.eventTypes !== undefined) next.eventTypes = rest.eventTypes;
  if (rest.enabled !== undefined) next.enabled = rest.enabled;
  if (description === null) delete next.description;
  else if (description !== undefined) next.description = description;
  if (filter === null) delete next.filter;
  else if (filter !== undefined) next.filter = filter;
  return next;
}
