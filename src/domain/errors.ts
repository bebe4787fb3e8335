/**
 * What can go wrong with a hook, in the domain's words. Stores and rules throw these; only the HTTP layer
 * (src/api/errors.ts) knows which status code each one becomes.
 */

/** No such hook in this project (or it has been removed after its retention period). */
export class HookNotFoundError extends Error {}

/** The hook exists but is in a state that does not allow what was asked (or an Idempotency-Key clash). */
export class HookConflictError extends Error {}

/** A list cursor that this service did not hand out for this query. */
export class InvalidCursorError extends Error {}

/**
 * Why a project refuses a target: free URLs not allowed, no baseUrl for a path, or an internal address
 * (loopback, private, link-local…) that the project does not allow.
 */
export type TargetRefusal = 'url_not_allowed' | 'path_not_allowed' | 'address_not_allowed';

/** The project's rules do not let a hook go where it asks to. */
export class TargetNotAllowedError extends Error {
  constructor(
    readonly reason: TargetRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** No such endpoint in this project: none of its hooks has been attempted yet, or it is another project's. */
export class EndpointNotFoundError extends Error {}

/** Endpoint settings out of range (the API checks them first; the endpoint checks them again). */
export class InvalidEndpointSettingsError extends Error {}

/** No such subscription in this project. */
export class SubscriptionNotFoundError extends Error {}

/** No such event in this project (or it has been removed after its retention period). */
export class EventNotFoundError extends Error {}

/** The project has as many subscriptions as it may keep. */
export class SubscriptionLimitError extends Error {}

/** No such ingested event in this project (or it has been removed after its retention period). */
export class IngestedEventNotFoundError extends Error {}

/** A verified inbound request whose body is not an event its source can keep. */
export class InboundEventError extends Error {
  constructor(
    readonly code: 'invalid_json' | 'missing_event_id' | 'invalid_event_id' | 'invalid_event_type',
    message: string,
  ) {
    super(message);
  }
}
/** No such schedule in this project (or it has been deleted). */
export class ScheduleNotFoundError extends Error {}
