import {
  ApplicationFailure,
  type Client,
  WorkflowNotFoundError,
  type WorkflowHandle,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { AlertView, EndpointOverrides, EndpointView, MinuteActivity } from '../domain/endpoint';
import { type ProjectOverview, sumMinutes } from '../domain/project-overview';
import { type EndpointGrouping, endpointOf } from '../domain/endpoint-grouping';
import type {
  AlertPage,
  EndpointFilter,
  EndpointOrder,
  EndpointPage,
  EndpointStore,
  HookEndpoint,
} from '../domain/endpoint-store';
import { EndpointNotFoundError, InvalidCursorError, InvalidEndpointSettingsError } from '../domain/errors';
import type { CursorSeal } from '../security/server-secret';
import {
  configureEndpointUpdate,
  endpointViewQuery,
  INVALID_ENDPOINT_SETTINGS,
  pauseEndpointUpdate,
  resumeEndpointUpdate,
} from '../workflows/endpoint-messages';
import {
  alertViewOfMemo,
  endpointStateOf,
  endpointActivityOfMemo,
  endpointViewOfMemo,
  endpointWorkflowId,
} from '../workflows/endpoint-record';
import type { endpointWorkflow } from '../workflows/endpoint.workflow';
import { withWorkerDeadline } from './hook-handles';
import { visibilityPage } from './visibility-page';
import { alertListQuery, endpointListQuery } from './visibility-query';

/**
 * Endpoints a list sorts in memory at most: a project has as many endpoints as receivers, and sorting by
 * failure rate needs all of them, which Temporal visibility cannot order by.
 */
const MAX_LISTED_ENDPOINTS = 10_000;

/** The overview names the few worst endpoints; the endpoints page lists them all. */
const ENDPOINTS_IN_TROUBLE_SHOWN = 5;

type EndpointHandle = WorkflowHandle<typeof endpointWorkflow>;

/**
 * Endpoints as their workflows keep them: a read is the memo of the endpoint's current run (no worker
 * needed), a change is a workflow update, and alerts are workflows of their own listed on visibility.
 */
export class TemporalEndpointStore implements EndpointStore {
  constructor(
    private readonly client: Client,
    private readonly options: {
      /** A project's grouping rule, or undefined if it does not track endpoints. */
      groupingOf: (projectId: string) => EndpointGrouping | undefined;
      cursors: CursorSeal;
    },
  ) {}

  async list(
    projectId: string,
    filter: EndpointFilter,
    page: { limit: number; cursor?: string; order: EndpointOrder },
  ): Promise<EndpointPage> {
    const query = endpointListQuery(projectId, filter);
    const binding = `${query}\n${page.order}`;
    const offset = page.cursor === undefined ? 0 : this.openOffset(page.cursor, binding);
    const endpoints: EndpointView[] = [];
    const now = Date.now();
    await this.forEachMemo(query, (memo) => {
      const view = endpointViewOfMemo(memo, now);
      if (view) endpoints.push(view);
    });
    endpoints.sort(page.order === 'failureRate' ? byFailureRate : byUrl);
    const next = offset + page.limit;
    return {
      endpoints: endpoints.slice(offset, next),
      nextCursor:
        next < endpoints.length
          ? this.options.cursors.sealCursor(Buffer.from(String(next)), binding)
          : undefined,
    };
  }

  async activity(
    projectId: string,
    now: Date,
  ): Promise<Pick<ProjectOverview, 'perMinute' | 'endpointsInTrouble'>> {
    const minutes: MinuteActivity[][] = [];
    const inTrouble: EndpointView[] = [];
    await this.forEachMemo(endpointListQuery(projectId, {}), (memo) => {
      const { view, minutes: own } = endpointActivityOfMemo(memo, now.getTime());
      if (view && (view.health === 'failing' || view.state !== 'active')) inTrouble.push(view);
      minutes.push(own);
    });
    return {
      perMinute:
        minutes.length > 0 ? sumMinutes(minutes) : endpointActivityOfMemo(undefined, now.getTime()).minutes,
      endpointsInTrouble: inTrouble.sort(byFailureRate).slice(0, ENDPOINTS_IN_TROUBLE_SHOWN),
    };
  }

  /** The memo of each endpoint `query` lists, up to MAX_LISTED_ENDPOINTS. */
  private async forEachMemo(
    query: string,
    take: (memo: Record<string, unknown> | undefined) => void,
  ): Promise<void> {
    let seen = 0;
    await withWorkerDeadline(this.client, async () => {
      for await (const execution of this.client.workflow.list({ query })) {
        take(execution.memo);
        if (++seen >= MAX_LISTED_ENDPOINTS) break;
      }
    });
  }

  async get(projectId: string, endpointId: string): Promise<EndpointView> {
    const handle = this.handle(projectId, endpointId);
    const description = await orEndpointNotFound(() => handle.describe());
    if (description.status.name !== 'RUNNING') throw new EndpointNotFoundError('endpoint not found');
    // A brand-new endpoint has not written its memo yet: only its workflow can tell.
    return (
      endpointViewOfMemo(description.memo, Date.now()) ??
      withWorkerDeadline(this.client, () => handle.query(endpointViewQuery))
    );
  }

  pause(projectId: string, endpointId: string, note?: string): Promise<EndpointView> {
    return this.update(projectId, endpointId, (handle) =>
      handle.executeUpdate(pauseEndpointUpdate, { args: [note] }),
    );
  }

  resume(projectId: string, endpointId: string, note?: string): Promise<EndpointView> {
    return this.update(projectId, endpointId, (handle) =>
      handle.executeUpdate(resumeEndpointUpdate, { args: [note] }),
    );
  }

  configure(projectId: string, endpointId: string, overrides: EndpointOverrides): Promise<EndpointView> {
    return this.update(projectId, endpointId, (handle) =>
      handle.executeUpdate(configureEndpointUpdate, { args: [overrides] }),
    );
  }

  async alerts(
    projectId: string,
    filter: { endpointId?: string },
    page: { limit: number; cursor?: string },
  ): Promise<AlertPage> {
    const { executions, nextCursor } = await visibilityPage(
      this.client,
      this.options.cursors,
      alertListQuery(projectId, filter),
      page,
    );
    const alerts = executions.map((info) => alertViewOfMemo(info.memo));
    return { alerts: alerts.filter((alert): alert is AlertView => alert !== undefined), nextCursor };
  }

  async endpointOfTarget(projectId: string, targetUrl: string): Promise<HookEndpoint | undefined> {
    const grouping = this.options.groupingOf(projectId);
    if (!grouping) return undefined;
    const endpoint = endpointOf(targetUrl, grouping);
    try {
      const description = await this.handle(projectId, endpoint.id).describe();
      const state =
        description.status.name === 'RUNNING'
          ? endpointStateOf(description.typedSearchAttributes)
          : undefined;
      return { ...endpoint, state: state ?? 'active' };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { ...endpoint, state: 'active' };
      throw error;
    }
  }

  private handle(projectId: string, endpointId: string): EndpointHandle {
    return this.client.workflow.getHandle<typeof endpointWorkflow>(endpointWorkflowId(projectId, endpointId));
  }

  private async update(
    projectId: string,
    endpointId: string,
    call: (handle: EndpointHandle) => Promise<EndpointView>,
  ): Promise<EndpointView> {
    try {
      return await withWorkerDeadline(this.client, () => call(this.handle(projectId, endpointId)));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        if (error.cause.type === INVALID_ENDPOINT_SETTINGS)
          throw new InvalidEndpointSettingsError(error.cause.message);
      }
      if (error instanceof WorkflowNotFoundError) throw new EndpointNotFoundError('endpoint not found');
      throw error;
    }
  }

  private openOffset(cursor: string, binding: string): number {
    const token = this.options.cursors.openCursor(cursor, binding);
    const offset = token ? Number(token.toString()) : Number.NaN;
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new InvalidCursorError('cursor is not valid for this query');
    return offset;
  }
}

async function orEndpointNotFound<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new EndpointNotFoundError('endpoint not found');
    throw error;
  }
}

function failureRate(view: EndpointView, window: 'lastHour' | 'lastDay'): number {
  const rate = view.stats[window].successRate;
  return rate === null ? -1 : 1 - rate;
}

function byFailureRate(a: EndpointView, b: EndpointView): number {
  return (
    failureRate(b, 'lastHour') - failureRate(a, 'lastHour') ||
    failureRate(b, 'lastDay') - failureRate(a, 'lastDay') ||
    byUrl(a, b)
  );
}

function byUrl(a: EndpointView, b: EndpointView): number {
  return a.url < b.url ? -1 : a.url > b.url ? 1 : a.id.localeCompare(b.id);
}
