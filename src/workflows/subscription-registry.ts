import { ApplicationFailure, setHandler, upsertMemo } from '@temporalio/workflow';
import { continueAfterChanges } from './keeper-runs';
import { MAX_SUBSCRIPTIONS, patchSubscription, type Subscription } from '../domain/subscription';
import {
  createSubscriptionUpdate,
  deleteSubscriptionUpdate,
  SUBSCRIPTION_NOT_FOUND,
  SUBSCRIPTIONS_FULL,
  type SubscriptionChange,
  updateSubscriptionUpdate,
} from './subscription-messages';
import { subscriptionsMemo } from './subscription-record';

export interface SubscriptionsWorkflowInput {
  projectId: string;
  /** What the previous run handed over (continue-as-new); empty on the first run. */
  subscriptions: Subscription[];
}

/** Changes one run takes before handing the list to a new run, which keeps each history short. */
const MAX_CHANGES_PER_RUN = 200;

/**
 * The memo holds the whole list: Temporal refuses a memo of 2 MB, and the list also travels whole to the
 * next run. 500 subscriptions of a few hundred bytes each fit many times over.
 */
const MAX_LIST_BYTES = 1_000_000;

/**
 * A project's subscriptions, kept by one workflow: every change is an update, validated against the list
 * before it is accepted, then written whole into the memo, where the API reads it without a worker. The
 * workflow waits on nothing but updates: no timer while idle.
 */
export class SubscriptionRegistry {
  private readonly subscriptions: Subscription[];
  private changes = 0;

  constructor(private readonly input: SubscriptionsWorkflowInput) {
    this.subscriptions = [...input.subscriptions];
  }

  registerHandlers(): void {
    setHandler(
      createSubscriptionUpdate,
      (subscription) => {
        this.subscriptions.push(subscription);
        return this.changed(subscription);
      },
      {
        validator: (subscription: Subscription) => {
          if (this.subscriptions.length >= MAX_SUBSCRIPTIONS) {
            throw ApplicationFailure.create({
              type: SUBSCRIPTIONS_FULL,
              message: `a project has at most ${MAX_SUBSCRIPTIONS} subscriptions; delete one first`,
            });
          }
          this.checkSize([...this.subscriptions, subscription]);
        },
      },
    );
    setHandler(
      updateSubscriptionUpdate,
      ({ id, patch, at }) => {
        const index = this.indexOf(id);
        const updated = patchSubscription(this.subscriptions[index] as Subscription, patch, at);
        this.subscriptions[index] = updated;
        return this.changed(updated);
      },
      {
        validator: ({ id, patch, at }: SubscriptionChange) => {
          const index = this.indexOf(id);
          const list = [...this.subscriptions];
          list[index] = patchSubscription(list[index] as Subscription, patch, at);
          this.checkSize(list);
        },
      },
    );
    setHandler(
      deleteSubscriptionUpdate,
      (id) => {
        const [removed] = this.subscriptions.splice(this.indexOf(id), 1);
        return this.changed(removed as Subscription);
      },
      { validator: (id: string) => void this.indexOf(id) },
    );
  }

  /** Waits for changes until the run has taken enough of them, then hands the list to a new run. */
  run(): Promise<never> {
    return continueAfterChanges(
      () => this.changes,
      MAX_CHANGES_PER_RUN,
      () => ({
        memo: subscriptionsMemo(this.subscriptions),
        input: {
          projectId: this.input.projectId,
          subscriptions: this.subscriptions,
        } satisfies SubscriptionsWorkflowInput,
      }),
    );
  }

  private changed(subscription: Subscription): Subscription {
    this.changes += 1;
    upsertMemo(subscriptionsMemo(this.subscriptions));
    return subscription;
  }

  private indexOf(id: string): number {
    const index = this.subscriptions.findIndex((subscription) => subscription.id === id);
    if (index < 0) {
      throw ApplicationFailure.create({ type: SUBSCRIPTION_NOT_FOUND, message: 'subscription not found' });
    }
    return index;
  }

  private checkSize(list: readonly Subscription[]): void {
    if (new TextEncoder().encode(JSON.stringify(list)).length > MAX_LIST_BYTES) {
      throw ApplicationFailure.create({
        type: SUBSCRIPTIONS_FULL,
        message: "the project's subscriptions would exceed 1 MB; shorten or delete some",
      });
    }
  }
}
