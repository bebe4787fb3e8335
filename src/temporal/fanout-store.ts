import {
  ApplicationFailure,
  type Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { EventNotFoundError, SubscriptionLimitError, SubscriptionNotFoundError } from '../domain/errors';
import type {
  EventFilter,
  EventPage,
  EventStore,
  FanoutStore,
  SubscriptionStore,
} from '../domain/fanout-store';
import type { EventDelivery, EventView, Subscription, SubscriptionPatch } from '../domain/subscription';
import type { CursorSeal } from '../security/server-secret';
import {
  eventRecord,
  eventViewOfMemo,
  eventWorkflowId,
  type EventWorkflowInput,
} from '../workflows/event-record';
import type { eventWorkflow } from '../workflows/event.workflow';
import {
  createSubscriptionUpdate,
  deleteSubscriptionUpdate,
  SUBSCRIPTION_NOT_FOUND,
  SUBSCRIPTIONS_FULL,
  updateSubscriptionUpdate,
} from '../workflows/subscription-messages';
import { subscriptionsOfMemo, subscriptionsWorkflowId } from '../workflows/subscription-record';
import type { subscriptionsWorkflow } from '../workflows/subscriptions.workflow';
import { withWorkerDeadline } from './hook-handles';
import { visibilityPage } from './visibility-page';
import { eventListQuery } from './visibility-query';

/**
 * Subscriptions as their project's workflow keeps them (reads from its memo, changes as updates), and
 * events as workflows of their own, whose record is written by their start.
 */
class TemporalSubscriptionStore implements SubscriptionStore {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  async list(projectId: string): Promise<Subscription[]> {
    try {
      const description = await this.handle(projectId).describe();
      return subscriptionsOfMemo(description.memo);
    } catch (error) {
      // A project that never had a subscription has no workflow yet.
      if (error instanceof WorkflowNotFoundError) return [];
      throw error;
    }
  }

  async get(projectId: string, subscriptionId: string): Promise<Subscription> {
    const found = (await this.list(projectId)).find((subscription) => subscription.id === subscriptionId);
    if (!found) throw new SubscriptionNotFoundError('subscription not found');
    return found;
  }

  /** The project's workflow is started by its first subscription: update-with-start, in one call. */
  create(subscription: Subscription): Promise<Subscription> {
    return this.change(() =>
      this.client.workflow.executeUpdateWithStart(createSubscriptionUpdate, {
        args: [subscription],
        startWorkflowOperation: new WithStartWorkflowOperation<typeof subscriptionsWorkflow>(
          'subscriptionsWorkflow',
          {
            workflowId: subscriptionsWorkflowId(subscription.projectId),
            taskQueue: this.taskQueue,
            args: [{ projectId: subscription.projectId, subscriptions: [] }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          },
        ),
      }),
    );
  }

  update(
    projectId: string,
    subscriptionId: string,
    patch: SubscriptionPatch,
    at: Date,
  ): Promise<Subscription> {
    return this.change(() =>
      this.handle(projectId).executeUpdate(updateSubscriptionUpdate, {
        args: [{ id: subscriptionId, patch, at: at.toISOString() }],
      }),
    );
  }

  delete(projectId: string, subscriptionId: string): Promise<Subscription> {
    return this.change(() =>
      this.handle(projectId).executeUpdate(deleteSubscriptionUpdate, { args: [subscriptionId] }),
    );
  }

  private handle(projectId: string) {
    return this.client.workflow.getHandle<typeof subscriptionsWorkflow>(subscriptionsWorkflowId(projectId));
  }

  /** Runs an update; the workflow's refusals become domain errors. */
  private async change(call: () => Promise<Subscription>): Promise<Subscription> {
    try {
      return await withWorkerDeadline(this.client, call);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        if (error.cause.type === SUBSCRIPTION_NOT_FOUND)
          throw new SubscriptionNotFoundError(error.cause.message);
        if (error.cause.type === SUBSCRIPTIONS_FULL) throw new SubscriptionLimitError(error.cause.message);
      }
      if (error instanceof WorkflowNotFoundError)
        throw new SubscriptionNotFoundError('subscription not found');
      throw error;
    }
  }
}

class TemporalEventStore implements EventStore {
  constructor(
    private readonly client: Client,
    private readonly options: { taskQueue: string; cursors: CursorSeal },
  ) {}

  async publish(
    projectId: string,
    event: EventWorkflowInput['event'],
    deliveries: EventDelivery[],
  ): Promise<{ event: EventView; created: boolean }> {
    const input: EventWorkflowInput = { projectId, event, deliveries };
    const { view, ...record } = eventRecord(input);
    try {
      await this.client.workflow.start<typeof eventWorkflow>('eventWorkflow', {
        taskQueue: this.options.taskQueue,
        workflowId: eventWorkflowId(projectId, event.id),
        args: [input],
        // One event id, one fan-out: a repeat finds the first event instead.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        ...record,
      });
      return { event: view, created: true };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      return { event: await this.get(projectId, event.id), created: false };
    }
  }

  async get(projectId: string, eventId: string): Promise<EventView> {
    try {
      const description = await this.client.workflow
        .getHandle(eventWorkflowId(projectId, eventId))
        .describe();
      const view = eventViewOfMemo(description.memo);
      if (view) return view;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    throw new EventNotFoundError('event not found');
  }

  async list(
    projectId: string,
    filter: EventFilter,
    page: { limit: number; cursor?: string },
  ): Promise<EventPage> {
    const { executions, nextCursor } = await visibilityPage(
      this.client,
      this.options.cursors,
      eventListQuery(projectId, filter),
      page,
    );
    const events = executions.map((info) => eventViewOfMemo(info.memo));
    return { events: events.filter((view): view is EventView => view !== undefined), nextCursor };
  }
}

export function temporalFanoutStore(
  client: Client,
  options: { taskQueue: string; cursors: CursorSeal },
): FanoutStore {
  return {
    subscriptions: new TemporalSubscriptionStore(client, options.taskQueue),
    events: new TemporalEventStore(client, options),
  };
}
