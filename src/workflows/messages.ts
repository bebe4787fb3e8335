import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallbackSignal } from '../domain/async-ack';
import type { HookState } from '../domain/hook';

/**
 * The messages a hook workflow answers, shared by the workflow (handlers) and the client (callers).
 * Their names are part of every history in flight: rename one and running hooks stop understanding it.
 */

/** The hook as it stands: answered by the running workflow, never stale. */
export const hookStateQuery = defineQuery<HookState>('hookState');

/**
 * Cancels a pending or retrying hook and answers with its final state. An update rather than a signal
 * so that the caller learns synchronously whether the cancel took effect; an attempt already in flight
 * is allowed to finish first, and if it succeeds the cancel is refused.
 */
export const cancelHookUpdate = defineUpdate<HookState>('cancelHook');

/**
 * Moves the due time of a hook that is still sleeping before its first attempt (an ISO instant).
 * Refused once an attempt has started or the hook has finished.
 */
export const rescheduleHookUpdate = defineUpdate<HookState, [string]>('rescheduleHook');

/**
 * Gives a failed hook a new delivery cycle under the same id, its earlier attempts kept. Refused unless
 * the hook is failed (and still within its retry window: after that its workflow has closed).
 */
export const retryHookUpdate = defineUpdate<HookState>('retryHook');

/**
 * An ack or nack from the receiver of an async hook. A signal, not an update: Temporal stores it even
 * while no worker runs, and the workflow applies it when one returns.
 */
export const callbackSignal = defineSignal<[CallbackSignal]>('callback');

/** ApplicationFailure type the workflow raises when an operation does not fit the hook's status. */
export const HOOK_STATE_CONFLICT = 'HookStateConflict';

/**
 * The hook's endpoint, paused, disabled or limited when the hook came due, lets this hook go (see the
 * endpoint workflow): it makes its attempt now, or at `notBefore` when the endpoint has a rate limit.
 * Releases from before rate limits carry nothing.
 */
export const endpointReleasedSignal = defineSignal<[EndpointRelease?]>('endpointReleased');

export interface EndpointRelease {
  /** The start of the slot the endpoint gave this attempt (ISO instant): it is sent then, not before. */
  notBefore?: string;
}
