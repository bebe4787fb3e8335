import { createHash, randomBytes } from 'node:crypto';
import { hookIdFromHex } from './hook-ids';

/** Event ids as a sender may give them: the API answers a repeat with the first event. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/** An event id the service makes up for an event sent without one: 128 random bits. */
export function newEventId(): string {
  return `ev_${randomBytes(16).toString('hex')}`;
}

export function newSubscriptionId(): string {
  return `sub_${randomBytes(12).toString('hex')}`;
}

/**
 * The hook an event delivers to a subscription: the same project, event and subscription always name
 * the same hook, so fanning an event out again finds the hooks it already started.
 */
export function fanoutHookId(projectId: string, eventId: string, subscriptionId: string): string {
  const digest = createHash('sha256')
    .update(`${projectId}\0${eventId}\0${subscriptionId}`, 'utf8')
    .digest('hex');
  return hookIdFromHex(digest.slice(0, 32));
}
