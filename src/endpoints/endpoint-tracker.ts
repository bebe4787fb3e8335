import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ProjectConfig } from '../config/schema';
import { ENDPOINT_BATCH_KEY, type HookBatch } from '../domain/batch';
import type { HeldByEndpoint } from '../domain/delivery';
import type { AttemptReport, EndpointRef } from '../domain/endpoint';
import { type EndpointGrouping, endpointOf } from '../domain/endpoint-grouping';
import { type FlowLimits, hasFlowLimits } from '../domain/flow-limits';
import { countEndpointAttempt, observeHeldEndpoints } from '../metrics/endpoint-metrics';
import { type HeldHook, heldHooksAttemptedSignal, holdHooksSignal } from '../workflows/endpoint-messages';
import { endpointWorkflowId } from '../workflows/endpoint-record';
import { EndpointGate } from './endpoint-gate';
import { endpointDefaults } from './endpoint-defaults';
import { HealthFeed } from './health-feed';
import { SignalBatcher } from './signal-batcher';

/**
 * What attempts tell an endpoint within this long goes as one signal: little next to a workflow task's
 * round trip, and a burst of hooks handed to one endpoint costs a few signals, not one each.
 */
const TELL_WINDOW_MS = 10;

/** Target URLs whose endpoint a worker keeps at hand; past this many it starts over. */
const MAX_REMEMBERED_TARGETS = 10_000;

/** What the delivery activity asks about a hook's endpoint. */
export interface EndpointTracking {
  /**
   * Who holds a hook to this target instead of letting it be attempted, if anyone; the endpoint's
   * workflow then exists, ready to be told.
   */
  holdOf(projectId: string, targetUrl: string): Promise<HeldByEndpoint['heldBy'] | undefined>;
  /** The batch a hook to this target joins, when its endpoint is set to batch. */
  batchOf(projectId: string, targetUrl: string): HookBatch | undefined;
  /** The endpoint that holds a released attempt again, because it missed its slot. */
  limitedBy(projectId: string, targetUrl: string): HeldByEndpoint['heldBy'] | undefined;
  /**
   * Hands a hook to the endpoint that holds it, or tells the endpoint that released it that its attempt is
   * made: what the hook's workflow would otherwise signal. Whether the endpoint got it.
   */
  tell(endpointWorkflowId: string, message: EndpointNotice): Promise<boolean>;
  /** One attempt's outcome, for its endpoint's health. */
  report(projectId: string, targetUrl: string, report: AttemptReport): void;
}

/** What a worker tells an endpoint on behalf of a hook. */
export type EndpointNotice = { kind: 'hold'; hook: HeldHook } | { kind: 'attempted'; workflowId: string };

/** The grouping rule of a project, from its config. */
export function endpointGrouping(project: ProjectConfig): EndpointGrouping {
  const { groupBy, pathSegments } = project.endpoints;
  return groupBy === 'pathPrefix' ? { by: groupBy, pathSegments } : { by: groupBy };
}

/**
 * A worker's view of its projects' endpoints: which hold their hooks (EndpointGate) and where attempt
 * outcomes go (HealthFeed). Projects with endpoint tracking off are never held and report nothing.
 */
export class EndpointTracker implements EndpointTracking {
  private readonly tracked: Map<string, ProjectConfig>;
  private readonly gate: EndpointGate;
  private readonly feed: HealthFeed;
  private readonly endpoints = new Map<string, EndpointRef>();

  /** Hooks handed to their endpoints, and attempts reported to them, a few milliseconds' worth at a time. */
  private readonly holds: SignalBatcher<HeldHook>;
  private readonly attempts: SignalBatcher<string>;

  constructor(
    projects: readonly ProjectConfig[],
    client: Client,
    options: { taskQueue: string; reportIntervalMs: number; stateRefreshMs: number; logger: Logger },
  ) {
    const batching = {
      windowMs: TELL_WINDOW_MS,
      onError: (error: unknown, endpointWorkflowId: string) => {
        options.logger.warn(
          { err: error, endpointWorkflowId },
          'could not tell the endpoint; its hooks will',
        );
      },
    };
    this.holds = new SignalBatcher(async (workflowId, hooks) => {
      await client.workflow.getHandle(workflowId).signal(holdHooksSignal, hooks);
    }, batching);
    this.attempts = new SignalBatcher(async (workflowId, hookWorkflowIds) => {
      await client.workflow.getHandle(workflowId).signal(heldHooksAttemptedSignal, hookWorkflowIds);
    }, batching);
    this.tracked = new Map(
      projects.filter((project) => project.endpoints.tracking).map((project) => [project.id, project]),
    );
    this.gate = new EndpointGate(client, {
      refreshIntervalMs: options.stateRefreshMs,
      configuredLimits: new Map(
        [...this.tracked.values()].map((project) => [project.id, project.endpoints.limits]),
      ),
      logger: options.logger,
    });
    this.feed = new HealthFeed(client, {
      taskQueue: options.taskQueue,
      flushIntervalMs: options.reportIntervalMs,
      defaultsOf: (projectId) => {
        const project = this.tracked.get(projectId);
        if (!project) throw new Error(`project "${projectId}" does not track endpoints`);
        return endpointDefaults(
          project,
          this.projectLimits(project),
          this.gate.projectSettingsAtOf(projectId),
        );
      },
      logger: options.logger,
    });
    observeHeldEndpoints(() => this.gate.heldCounts());
  }

  async start(): Promise<void> {
    if (this.tracked.size === 0) return;
    await this.gate.start();
    this.feed.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.gate.stop(), this.feed.stop()]);
  }

  async holdOf(projectId: string, targetUrl: string): Promise<HeldByEndpoint['heldBy'] | undefined> {
    const project = this.tracked.get(projectId);
    const endpoint = this.endpointOf(projectId, targetUrl);
    if (!project || !endpoint) return undefined;
    const workflowId = endpointWorkflowId(projectId, endpoint.id);
    const known = this.gate.stateOf(workflowId);
    if (known === 'open') return undefined;
    // Unknown to visibility so far: limited if its project limits every endpoint (it may be brand new).
    const state = known ?? (hasFlowLimits(this.projectLimits(project)) ? 'limited' : undefined);
    if (!state) return undefined;
    if (state === 'limited') await this.feed.ensureStarted(projectId, endpoint);
    const backOffUntil = this.gate.backOffUntil(workflowId);
    return {
      endpointWorkflowId: workflowId,
      state,
      ...(backOffUntil === undefined ? {} : { backOffUntil: new Date(backOffUntil).toISOString() }),
    };
  }

  batchOf(projectId: string, targetUrl: string): HookBatch | undefined {
    const endpoint = this.endpointOf(projectId, targetUrl);
    const sizing = endpoint && this.gate.batchingOf(endpointWorkflowId(projectId, endpoint.id));
    return sizing && { key: ENDPOINT_BATCH_KEY, ...sizing };
  }

  tell(endpointWorkflowId: string, message: EndpointNotice): Promise<boolean> {
    return message.kind === 'hold'
      ? this.holds.add(endpointWorkflowId, message.hook)
      : this.attempts.add(endpointWorkflowId, message.workflowId);
  }

  limitedBy(projectId: string, targetUrl: string): HeldByEndpoint['heldBy'] | undefined {
    const endpoint = this.endpointOf(projectId, targetUrl);
    if (!endpoint) return undefined;
    return { endpointWorkflowId: endpointWorkflowId(projectId, endpoint.id), state: 'limited' };
  }

  report(projectId: string, targetUrl: string, report: AttemptReport): void {
    const endpoint = this.endpointOf(projectId, targetUrl);
    if (!endpoint) return;
    countEndpointAttempt(projectId, endpoint.id, report.ok);
    if (report.retryAfterMs) {
      const workflowId = endpointWorkflowId(projectId, endpoint.id);
      this.gate.throttle(workflowId, Date.parse(report.at) + report.retryAfterMs);
    }
    this.feed.report(projectId, endpoint, report);
  }

  private projectLimits(project: ProjectConfig): FlowLimits {
    return this.gate.projectLimitsOf(project.id) ?? project.endpoints.limits;
  }

  /**
   * Each attempt asks twice (before, to check for a hold; after, to report), and most hooks go to a
   * few targets: the URL parse and digest are kept for the targets seen lately.
   */
  private endpointOf(projectId: string, targetUrl: string): EndpointRef | undefined {
    const project = this.tracked.get(projectId);
    if (!project) return undefined;
    const key = `${projectId} ${targetUrl}`;
    let endpoint = this.endpoints.get(key);
    if (!endpoint) {
      if (this.endpoints.size >= MAX_REMEMBERED_TARGETS) this.endpoints.clear();
      endpoint = endpointOf(targetUrl, endpointGrouping(project));
      this.endpoints.set(key, endpoint);
    }
    return endpoint;
  }
}
