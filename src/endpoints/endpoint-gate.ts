import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { BatchSizing } from '../domain/batch';
import type { HoldingState } from '../domain/delivery';
import { type FlowLimits, hasFlowLimits } from '../domain/flow-limits';
import { type ProjectSettings, projectEndpointLimits } from '../domain/project-settings';
import { endpointGateQuery } from '../temporal/visibility-query';
import {
  endpointBatchesOf,
  endpointBatchingOfMemo,
  endpointFlowOf,
  endpointStateOf,
} from '../workflows/endpoint-record';
import {
  PROJECT_SETTINGS_WORKFLOW_TYPE,
  projectOfSettingsWorkflow,
  projectSettingsOfMemo,
} from '../workflows/project-settings-record';

/** What a worker knows of an endpoint: it holds its hooks (and why), or it is open although its project limits endpoints. */
export type GateState = HoldingState | 'open';

/**
 * Which endpoints hold their hooks (paused, disabled, or limited) and which batch them, as this worker
 * knows it: one visibility query a second for all of them, so that an attempt checks a map instead of
 * asking Temporal. A pause, a new limit or batching takes effect on this worker within about a second of
 * its visibility record; a hook that comes due in that second is attempted as before, as it would be had
 * it come due a moment before. A receiver's Retry-After seen by this worker takes effect on it at once
 * (throttle).
 */
export class EndpointGate {
  private states = new Map<string, GateState>();
  private batching = new Map<string, BatchSizing>();
  /** What the API set over the config file, by project (see src/domain/project-settings.ts). */
  private projectSettings = new Map<string, ProjectSettings>();
  /** Back-offs this worker was told of by receivers, until their visibility record shows them. */
  private readonly throttled = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly client: Client,
    private readonly options: {
      refreshIntervalMs: number;
      /** The config file's limits for every endpoint of each project whose endpoints report here. */
      configuredLimits: ReadonlyMap<string, FlowLimits>;
      logger: Logger;
    },
  ) {}

  /** What this worker knows of the endpoint workflow with this id; undefined: active, with no limits known. */
  stateOf(endpointWorkflowId: string): GateState | undefined {
    const state = this.states.get(endpointWorkflowId);
    if (state === 'paused' || state === 'disabled') return state;
    if (this.backOffUntil(endpointWorkflowId) !== undefined) return 'limited';
    this.throttled.delete(endpointWorkflowId);
    return state;
  }

  /** The limits every endpoint of the project has unless it sets its own: the config file's, or the API's. */
  projectLimitsOf(projectId: string): FlowLimits | undefined {
    const configured = this.options.configuredLimits.get(projectId);
    return configured && projectEndpointLimits(configured, this.projectSettings.get(projectId));
  }

  /** When the project's settings were last changed through the API, as this worker last read them. */
  projectSettingsAtOf(projectId: string): string | undefined {
    return this.projectSettings.get(projectId)?.changedAt;
  }

  /** How the endpoint with this id batches its hooks; undefined when it is not set to batch. */
  batchingOf(endpointWorkflowId: string): BatchSizing | undefined {
    return this.batching.get(endpointWorkflowId);
  }

  /** Until when a receiver of this endpoint asked this worker to back off, while it lasts. */
  backOffUntil(endpointWorkflowId: string): number | undefined {
    const until = this.throttled.get(endpointWorkflowId);
    return until !== undefined && Date.now() < until ? until : undefined;
  }

  /** A receiver of this endpoint asked to back off until then: this worker holds its hooks at once. */
  throttle(endpointWorkflowId: string, until: number): void {
    this.throttled.set(endpointWorkflowId, Math.max(until, this.throttled.get(endpointWorkflowId) ?? 0));
  }

  /** Endpoints held right now, by project and state: for the gauges. */
  heldCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [workflowId, state] of this.states) {
      if (state === 'open') continue;
      const key = `${workflowId.split(':')[1] ?? ''}/${state}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  /** Reads the states once, so that the first attempts already see them, then keeps them fresh. */
  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.refreshing = this.refresh().finally(() => {
        this.refreshing = undefined;
        if (this.timer) this.schedule();
      });
    }, this.options.refreshIntervalMs);
    this.timer.unref();
  }

  private async refresh(): Promise<void> {
    try {
      // In a project whose endpoints are limited by default, the open ones must be known too. Which
      // projects those are comes from the settings the last refresh read: a change through the API
      // reaches the project's endpoints directly, so this list only has to catch up within a second.
      const projectsWithLimits = [...this.options.configuredLimits.keys()].filter((projectId) => {
        const limits = this.projectLimitsOf(projectId);
        return limits !== undefined && hasFlowLimits(limits);
      });
      const states = new Map<string, GateState>();
      const batching = new Map<string, BatchSizing>();
      const projectSettings = new Map<string, ProjectSettings>();
      const query = endpointGateQuery(projectsWithLimits);
      for await (const execution of this.client.workflow.list({ query })) {
        if (execution.type === PROJECT_SETTINGS_WORKFLOW_TYPE) {
          projectSettings.set(
            projectOfSettingsWorkflow(execution.workflowId),
            projectSettingsOfMemo(execution.memo),
          );
          continue;
        }
        const state = endpointStateOf(execution.typedSearchAttributes);
        const flow = endpointFlowOf(execution.typedSearchAttributes);
        if (state === 'paused' || state === 'disabled') states.set(execution.workflowId, state);
        else if (flow) states.set(execution.workflowId, flow);
        const sizing = endpointBatchesOf(execution.typedSearchAttributes)
          ? endpointBatchingOfMemo(execution.memo)
          : undefined;
        if (sizing) batching.set(execution.workflowId, sizing);
      }
      this.states = states;
      this.batching = batching;
      this.projectSettings = projectSettings;
    } catch (error) {
      // The last known states stay in force until Temporal answers again.
      this.options.logger.warn({ err: error }, 'could not read which endpoints are paused or limited');
    }
  }
}
