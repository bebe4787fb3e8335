import type { z } from 'zod';
import type {
  alertPageSchema,
  configureEndpointBodySchema,
  endpointEnvelopeSchema,
  endpointPageSchema,
  listAlertsQuerySchema,
  listEndpointsQuerySchema,
  stateChangeBodySchema,
} from '../api/endpoint-schemas';
export type { BulkAction, HookAction } from '../domain/hook';
import type {
  createSubscriptionBodySchema,
  eventEnvelopeSchema,
  eventPageSchema,
  listEventsQuerySchema,
  publishEventBodySchema,
  subscriptionEnvelopeSchema,
  updateSubscriptionBodySchema,
} from '../api/fanout-schemas';
import type { overviewEnvelopeSchema } from '../api/overview-schemas';
import type {
  backfillBodySchema,
  createScheduleBodySchema,
  listSchedulesQuerySchema,
  scheduleEnvelopeSchema,
  scheduleNoteBodySchema,
  schedulePageSchema,
  updateScheduleBodySchema,
} from '../api/schedule-schemas';
import type {
  bulkBodySchema,
  bulkResultSchema,
  createHookBodySchema,
  errorSchema,
  hookDetailEnvelopeSchema,
  hookEnvelopeSchema,
  hookPageSchema,
  listHooksQuerySchema,
  rescheduleBodySchema,
} from '../api/schemas';

/**
 * The client's types, read off the API's own zod schemas (type-only imports: nothing of the server is
 * bundled with the client). Requests are what a caller may send (`z.input`), answers what the server
 * sends (`z.output`), so a change to the contract changes the client's types with it.
 */

export type Hook = z.output<typeof hookEnvelopeSchema>['data'];
export type HookDetail = z.output<typeof hookDetailEnvelopeSchema>['data'];
export type HookSummary = z.output<typeof hookPageSchema>['data'][number];
export type HookPage = z.output<typeof hookPageSchema>;
export type Attempt = Hook['attemptHistory'][number];
export type HookStatus = Hook['status'];

export type ScheduleHookRequest = z.input<typeof createHookBodySchema>;
export type RescheduleRequest = z.input<typeof rescheduleBodySchema>;
export type BulkRequest = z.input<typeof bulkBodySchema>;
export type BulkResult = z.output<typeof bulkResultSchema>;

/** The list filters as values rather than query text: several statuses are an array. */
export type ListHooksQuery = Omit<z.input<typeof listHooksQuerySchema>, 'status' | 'limit'> & {
  status?: HookStatus | readonly HookStatus[];
  limit?: number;
};

export type Endpoint = z.output<typeof endpointEnvelopeSchema>['data'];
export type EndpointPage = z.output<typeof endpointPageSchema>;
export type EndpointState = Endpoint['state'];
export type ListEndpointsQuery = Omit<z.input<typeof listEndpointsQuerySchema>, 'state' | 'limit'> & {
  state?: EndpointState | readonly EndpointState[];
  limit?: number;
};
export type EndpointSettings = z.input<typeof configureEndpointBodySchema>;
export type StateChangeRequest = NonNullable<z.input<typeof stateChangeBodySchema>>;

export type AlertPage = z.output<typeof alertPageSchema>;
export type Alert = AlertPage['data'][number];
export type ListAlertsQuery = Omit<z.input<typeof listAlertsQuerySchema>, 'limit'> & { limit?: number };

export type Overview = z.output<typeof overviewEnvelopeSchema>['data'];
export type MinuteActivity = Overview['perMinute'][number];

export type Subscription = z.output<typeof subscriptionEnvelopeSchema>['data'];
export type CreateSubscriptionRequest = z.input<typeof createSubscriptionBodySchema>;
export type UpdateSubscriptionRequest = z.input<typeof updateSubscriptionBodySchema>;

export type Event = z.output<typeof eventEnvelopeSchema>['data'];
export type EventPage = z.output<typeof eventPageSchema>;
export type EventSummary = EventPage['data'][number];
export type PublishEventRequest = z.input<typeof publishEventBodySchema>;
export type ListEventsQuery = Omit<z.input<typeof listEventsQuerySchema>, 'limit'> & { limit?: number };

export type Schedule = z.output<typeof scheduleEnvelopeSchema>['data'];
export type SchedulePage = z.output<typeof schedulePageSchema>;
export type ScheduleRun = Schedule['recentRuns'][number];
export type CreateScheduleRequest = z.input<typeof createScheduleBodySchema>;
export type UpdateScheduleRequest = z.input<typeof updateScheduleBodySchema>;
export type ScheduleNoteRequest = NonNullable<z.input<typeof scheduleNoteBodySchema>>;
export type BackfillRequest = z.input<typeof backfillBodySchema>;
export type ListSchedulesQuery = Omit<z.input<typeof listSchedulesQuerySchema>, 'limit'> & { limit?: number };

export type ApiErrorBody = z.output<typeof errorSchema>;
