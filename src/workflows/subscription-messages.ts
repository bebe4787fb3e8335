import { defineUpdate } from '@temporalio/workflow';
import type { Subscription, SubscriptionPatch } from '../domain/subscription';

/**
 * The updates a project's subscriptions workflow answers, shared by the workflow and the API. Their names
 * are part of every history in flight.
 */

/** Adds a subscription the API has made (id and times included); answers with it. */
export const createSubscriptionUpdate = defineUpdate<Subscription, [Subscription]>('createSubscription');

export interface SubscriptionChange {
  id: string;
  patch: SubscriptionPatch;
  /** When the API took the change: the subscription's new updatedAt. */
  at: string;
}

/** Changes some fields of a subscription; answers with it as it now stands. */
export const updateSubscriptionUpdate = defineUpdate<Subscription, [SubscriptionChange]>(
  'updateSubscription',
);

/** Removes a subscription; answers with it as it was. */
export const deleteSubscriptionUpdate = defineUpdate<Subscription, [string]>('deleteSubscription');

/** ApplicationFailure types of refused changes: the API answers 404 and 409. */
export const SUBSCRIPTION_NOT_FOUND = 'SubscriptionNotFound';
export const SUBSCRIPTIONS_FULL = 'SubscriptionsFull';
