import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { EventDelivery, EventView } from '../domain/subscription';

/**
 * The records Temporal keeps of published events: the workflow id, the search attributes that list them,
 * and the memo a reader needs without a worker. The only encoder and decoder of those records. Pure:
 * workflow code imports it.
 */

export function eventWorkflowId(projectId: string, eventId: string): string {
  return `event:${projectId}:${eventId}`;
}

/** What an event's workflow schedules: the event once, and a delivery per matching subscription. */
export interface EventWorkflowInput {
  projectId: string;
  event: Pick<EventView, 'id' | 'type' | 'data' | 'createdAt'>;
  deliveries: EventDelivery[];
}

const EventProject = defineSearchAttributeKey('EventProject', SearchAttributeType.KEYWORD);
const EventTypeKey = defineSearchAttributeKey('EventType', SearchAttributeType.KEYWORD);

/** Events are listed per project, optionally of one type, on Temporal visibility. */
export const EVENT_SEARCH_ATTRIBUTES = [EventProject, EventTypeKey] as const;

export const EVENT_ATTRIBUTE_NAMES = { project: EventProject.name, type: EventTypeKey.name } as const;

/** The keys themselves, for the other event-shaped records (ingested events) that list by them too. */
export const EVENT_ATTRIBUTE_KEYS = { project: EventProject, type: EventTypeKey } as const;

const MEMO_KEY = 'event';

function eventView(input: EventWorkflowInput): EventView {
  return {
    ...input.event,
    hookIds: input.deliveries.map((delivery) => delivery.hookId),
    subscriptionIds: input.deliveries.map((delivery) => delivery.subscriptionId),
  };
}

/** An event's whole record, written by its start: the event never changes afterwards. */
export function eventRecord(input: EventWorkflowInput): {
  view: EventView;
  memo: Record<string, unknown>;
  typedSearchAttributes: SearchAttributePair[];
} {
  const view = eventView(input);
  return {
    view,
    memo: { [MEMO_KEY]: view },
    typedSearchAttributes: [
      { key: EventProject, value: input.projectId },
      { key: EventTypeKey, value: input.event.type },
    ],
  };
}

export function eventViewOfMemo(memo: Record<string, unknown> | undefined): EventView | undefined {
  return memo?.[MEMO_KEY] as EventView | undefined;
}
