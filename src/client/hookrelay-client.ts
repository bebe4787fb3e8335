import { HookrelayApiError } from './errors';
import type {
  AlertPage,
  BackfillRequest,
  BulkAction,
  BulkRequest,
  BulkResult,
  CreateScheduleRequest,
  CreateSubscriptionRequest,
  Endpoint,
  EndpointPage,
  EndpointSettings,
  Event,
  EventPage,
  Hook,
  HookDetail,
  HookPage,
  HookSummary,
  ListAlertsQuery,
  ListEndpointsQuery,
  ListEventsQuery,
  ListHooksQuery,
  ListSchedulesQuery,
  Overview,
  PublishEventRequest,
  RescheduleRequest,
  Schedule,
  ScheduleHookRequest,
  ScheduleNoteRequest,
  SchedulePage,
  StateChangeRequest,
  Subscription,
  UpdateScheduleRequest,
  UpdateSubscriptionRequest,
} from './types';

export interface HookrelayClientOptions {
  /** Where the API listens, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** A project API key; it selects the project every call acts on. */
  apiKey: string;
  /** Defaults to the global fetch (Node 20 and browsers); tests pass one that needs no socket. */
  fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type QueryValue = string | number | readonly string[] | undefined;

interface Call {
  method: Method;
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A typed client of the hookrelay HTTP API, for Node and browsers. Every method resolves with the answer's
 * payload and rejects with a HookrelayApiError for an answer outside 2xx.
 */
export class HookrelayClient {
  readonly hooks = {
    /** `created` is false when an Idempotency-Key repeated an earlier request: the hook is that request's. */
    schedule: async (
      request: ScheduleHookRequest,
      options: { idempotencyKey?: string } = {},
    ): Promise<{ hook: Hook; created: boolean }> => {
      const headers: Record<string, string> = options.idempotencyKey
        ? { 'idempotency-key': options.idempotencyKey }
        : {};
      const { status, body } = await this.call({
        method: 'POST',
        path: '/v1/hooks',
        body: request,
        headers,
      });
      return { hook: (body as { data: Hook }).data, created: status === 201 };
    },
    get: async (hookId: string): Promise<HookDetail> =>
      await this.data<HookDetail>({ method: 'GET', path: `/v1/hooks/${encodeURIComponent(hookId)}` }),
    list: async (query: ListHooksQuery = {}): Promise<HookPage> =>
      this.body<HookPage>({ method: 'GET', path: '/v1/hooks', query: { ...query } }),
    /** Every hook the filter matches, page after page, newest first. */
    listAll: (query: Omit<ListHooksQuery, 'cursor'> = {}): AsyncGenerator<HookSummary> =>
      this.pages((cursor) => this.hooks.list({ ...query, cursor })),
    reschedule: async (hookId: string, request: RescheduleRequest): Promise<Hook> =>
      this.data<Hook>({ method: 'PATCH', path: `/v1/hooks/${encodeURIComponent(hookId)}`, body: request }),
    cancel: async (hookId: string): Promise<Hook> =>
      this.data<Hook>({ method: 'DELETE', path: `/v1/hooks/${encodeURIComponent(hookId)}` }),
    /** A failed hook gets a new delivery cycle under the same id. */
    retry: async (hookId: string): Promise<Hook> =>
      this.data<Hook>({ method: 'POST', path: `/v1/hooks/${encodeURIComponent(hookId)}/retry` }),
    /** A finished hook is copied into a new hook due now; the answer is the new hook. */
    replay: async (hookId: string): Promise<Hook> =>
      this.data<Hook>({ method: 'POST', path: `/v1/hooks/${encodeURIComponent(hookId)}/replay` }),
    bulk: async (action: BulkAction, request: BulkRequest): Promise<BulkResult> =>
      this.body<BulkResult>({ method: 'POST', path: `/v1/hooks/bulk/${action}`, body: request }),
  };

  readonly endpoints = {
    list: async (query: ListEndpointsQuery = {}): Promise<EndpointPage> =>
      this.body<EndpointPage>({ method: 'GET', path: '/v1/endpoints', query: { ...query } }),
    get: async (endpointId: string): Promise<Endpoint> =>
      this.data<Endpoint>({ method: 'GET', path: `/v1/endpoints/${encodeURIComponent(endpointId)}` }),
    configure: async (endpointId: string, settings: EndpointSettings): Promise<Endpoint> =>
      this.data<Endpoint>({
        method: 'PATCH',
        path: `/v1/endpoints/${encodeURIComponent(endpointId)}`,
        body: settings,
      }),
    pause: async (endpointId: string, request: StateChangeRequest = {}): Promise<Endpoint> =>
      this.data<Endpoint>({
        method: 'POST',
        path: `/v1/endpoints/${encodeURIComponent(endpointId)}/pause`,
        body: request,
      }),
    resume: async (endpointId: string, request: StateChangeRequest = {}): Promise<Endpoint> =>
      this.data<Endpoint>({
        method: 'POST',
        path: `/v1/endpoints/${encodeURIComponent(endpointId)}/resume`,
        body: request,
      }),
  };

  readonly alerts = {
    list: async (query: ListAlertsQuery = {}): Promise<AlertPage> =>
      this.body<AlertPage>({ method: 'GET', path: '/v1/alerts', query: { ...query } }),
  };

  readonly subscriptions = {
    list: async (): Promise<Subscription[]> =>
      this.data<Subscription[]>({ method: 'GET', path: '/v1/subscriptions' }),
    get: async (subscriptionId: string): Promise<Subscription> =>
      this.data<Subscription>({
        method: 'GET',
        path: `/v1/subscriptions/${encodeURIComponent(subscriptionId)}`,
      }),
    create: async (request: CreateSubscriptionRequest): Promise<Subscription> =>
      this.data<Subscription>({ method: 'POST', path: '/v1/subscriptions', body: request }),
    update: async (subscriptionId: string, request: UpdateSubscriptionRequest): Promise<Subscription> =>
      this.data<Subscription>({
        method: 'PATCH',
        path: `/v1/subscriptions/${encodeURIComponent(subscriptionId)}`,
        body: request,
      }),
    /** Answers with the subscription as it was. */
    delete: async (subscriptionId: string): Promise<Subscription> =>
      this.data<Subscription>({
        method: 'DELETE',
        path: `/v1/subscriptions/${encodeURIComponent(subscriptionId)}`,
      }),
  };

  readonly events = {
    /** `created` is false when the event's `id` was published before: the event is that first one. */
    publish: async (request: PublishEventRequest): Promise<{ event: Event; created: boolean }> => {
      const { status, body } = await this.call({ method: 'POST', path: '/v1/events', body: request });
      return { event: (body as { data: Event }).data, created: status === 201 };
    },
    list: async (query: ListEventsQuery = {}): Promise<EventPage> =>
      this.body<EventPage>({ method: 'GET', path: '/v1/events', query: { ...query } }),
    get: async (eventId: string): Promise<Event> =>
      this.data<Event>({ method: 'GET', path: `/v1/events/${encodeURIComponent(eventId)}` }),
  };

  /** The project's hooks per status, overdue hooks, the last hour minute by minute, endpoints in trouble. */
  readonly schedules = {
    create: async (request: CreateScheduleRequest): Promise<Schedule> =>
      this.data<Schedule>({ method: 'POST', path: '/v1/schedules', body: request }),
    list: async (query: ListSchedulesQuery = {}): Promise<SchedulePage> =>
      this.body<SchedulePage>({ method: 'GET', path: '/v1/schedules', query: { ...query } }),
    listAll: (): AsyncGenerator<Schedule> => this.pages((cursor) => this.schedules.list({ cursor })),
    /** With its next run times, and its recent runs with the hooks they made. */
    get: async (scheduleId: string): Promise<Schedule> => this.onSchedule('GET', scheduleId),
    update: async (scheduleId: string, request: UpdateScheduleRequest): Promise<Schedule> =>
      this.onSchedule('PATCH', scheduleId, '', request),
    pause: async (scheduleId: string, request: ScheduleNoteRequest = {}): Promise<Schedule> =>
      this.onSchedule('POST', scheduleId, '/pause', request),
    resume: async (scheduleId: string, request: ScheduleNoteRequest = {}): Promise<Schedule> =>
      this.onSchedule('POST', scheduleId, '/resume', request),
    /** One run now, even while paused. */
    trigger: async (scheduleId: string): Promise<Schedule> => this.onSchedule('POST', scheduleId, '/trigger'),
    backfill: async (scheduleId: string, request: BackfillRequest): Promise<Schedule> =>
      this.onSchedule('POST', scheduleId, '/backfill', request),
    delete: async (scheduleId: string): Promise<Schedule> => this.onSchedule('DELETE', scheduleId),
  };

  async overview(): Promise<Overview> {
    return this.data<Overview>({ method: 'GET', path: '/v1/overview' });
  }

  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly fetch: typeof fetch;

  constructor(options: HookrelayClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /**
   * The answers are trusted to be what the contract's types say (the server serializes through the same
   * schemas), so the client carries no validator into browsers.
   */
  private async body<T>(call: Call): Promise<T> {
    return (await this.call(call)).body as T;
  }

  private async data<T>(call: Call): Promise<T> {
    return (await this.body<{ data: T }>(call)).data;
  }

  private async call({
    method,
    path,
    query,
    body,
    headers = {},
  }: Call): Promise<{ status: number; body: unknown }> {
    const response = await this.fetch(this.baseUrl + path + queryString(query), {
      method,
      headers: {
        'x-api-key': this.apiKey,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) throw HookrelayApiError.fromResponse(response.status, parsed, text);
    if (parsed === undefined) {
      throw new HookrelayApiError(response.status, 'invalid_response', 'the API answered without JSON');
    }
    return { status: response.status, body: parsed };
  }

  private onSchedule(method: Method, scheduleId: string, suffix = '', body?: unknown): Promise<Schedule> {
    return this.data<Schedule>({
      method,
      path: `/v1/schedules/${encodeURIComponent(scheduleId)}${suffix}`,
      ...(body === undefined ? {} : { body }),
    });
  }

  private async *pages<Item>(
    page: (cursor: string | undefined) => Promise<{ data: Item[]; nextCursor: string | null }>,
  ): AsyncGenerator<Item> {
    let cursor: string | undefined;
    do {
      const { data, nextCursor } = await page(cursor);
      yield* data;
      cursor = nextCursor ?? undefined;
    } while (cursor);
  }
}

/** Arrays are sent as the API reads them: one parameter, values separated by commas. */
function queryString(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    params.set(name, typeof value === 'object' ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
