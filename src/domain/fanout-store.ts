import type { EventDelivery, EventView, Subscription, SubscriptionPatch } from './subscription';

/**
 * What the API asks of the store that keeps subscriptions and events. Temporal is the only implementation
 * (src/temporal/fanout-store.ts). Failures are the domain errors of ./errors.
 */

export interface SubscriptionStore {
  /** Every subscription of the project, oldest first. */
  list(projectId: string): Promise<Subscription[]>;
  get(projectId: string, subscriptionId: string): Promise<Subscription>;
  create(subscription: Subscription): Promise<Subscription>;
  update(
    projectId: string,
    subscriptionId: string,
    patch: SubscriptionPatch,
    at: Date,
  ): Promise<Subscription>;
  delete(projectId: string, subscriptionId: string): Promise<Subscription>;
}

export interface EventFilter {
  type?: string;
}

export interface EventPage {
  events: EventView[];
  nextCursor?: string;
}

export interface EventStore {
  /**
   * Records the event and has its hooks scheduled. An event id already used answers with that event
   * (`created` false) and schedules nothing.
   */
  publish(
    projectId: string,
    event: Pick<EventView, 'id' | 'type' | 'data' | 'createdAt'>,
    deliveries: EventDelivery[],
  ): Promise<{ event: EventView; created: boolean }>;
  get(projectId: string, eventId: string): Promise<EventView>;
  /** One page of the project's events, newest first (eventually consistent, as hook listings are). */
  list(projectId: string, filter: EventFilter, page: { limit: number; cursor?: string }): Promise<EventPage>;
}

export interface FanoutStore {
  subscriptions: SubscriptionStore;
  events: EventStore;
}
