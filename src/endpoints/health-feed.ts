import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AttemptReport, EndpointRef } from '../domain/endpoint';
import { NO_FLOW_LIMITS } from '../domain/flow-limits';
import { mapLimited } from '../lib/map-limited';
import {
  type EndpointDefaults,
  type EndpointReports,
  endpointReportsSignal,
} from '../workflows/endpoint-messages';
import { endpointWorkflowId, newEndpointAttributes, newEndpointRecord } from '../workflows/endpoint-record';
import type { endpointWorkflow } from '../workflows/endpoint.workflow';

/** Outcomes kept per endpoint while Temporal cannot be reached; older ones give way to newer. */
const MAX_BUFFERED_REPORTS = 5_000;
/** Endpoints signalled at once by one flush. */
const FLUSH_CONCURRENCY = 8;
/** Endpoints a worker remembers as started. */
const MAX_KNOWN_ENDPOINTS = 100_000;

interface Batch {
  projectId: string;
  endpoint: EndpointRef;
  reports: AttemptReport[];
}

/**
 * Carries attempt outcomes to their endpoints' workflows in batches: each flush sends one signal per
 * endpoint with every outcome since the previous flush, starting the endpoint's workflow if it has none
 * (an endpoint appears when first used). A hook pays an append to an array; a crash of this worker loses
 * the outcomes of one flush interval at most, never a delivery.
 */
export class HealthFeed {
  private batches = new Map<string, Batch>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private dropped = 0;
  /** Endpoints this worker knows to have a workflow: their batches are signals. */
  private readonly known = new Set<string>();
  /** Starts under way for hooks about to be held (see ensureStarted). */
  private readonly starting = new Map<string, Promise<void>>();

  constructor(
    private readonly client: Client,
    private readonly options: {
      taskQueue: string;
      flushIntervalMs: number;
      defaultsOf(projectId: string): EndpointDefaults;
      logger: Logger;
    },
  ) {}

  report(projectId: string, endpoint: EndpointRef, report: AttemptReport): void {
    const workflowId = endpointWorkflowId(projectId, endpoint.id);
    const batch = this.batches.get(workflowId);
    if (batch) {
      batch.reports.push(report);
      if (batch.reports.length > MAX_BUFFERED_REPORTS) {
        batch.reports.shift();
        this.dropped += 1;
      }
    } else {
      this.batches.set(workflowId, { projectId, endpoint, reports: [report] });
    }
  }

  start(): void {
    this.timer = setInterval(() => {
      // One flush at a time: a slow one delays the next rather than overlapping it.
      this.flushing = this.flushing.then(() => this.flush());
    }, this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and sends what is left. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.flushing = this.flushing.then(() => this.flush());
    await this.flushing;
  }

  async flush(): Promise<void> {
    const batches = [...this.batches];
    this.batches = new Map();
    if (this.dropped > 0) {
      this.options.logger.warn(
        { dropped: this.dropped },
        'endpoint health outcomes dropped while Temporal was unreachable',
      );
      this.dropped = 0;
    }
    await mapLimited(batches, FLUSH_CONCURRENCY, async ([workflowId, batch]) => {
      try {
        await this.send(workflowId, batch);
      } catch (error) {
        this.options.logger.warn({ err: error, workflowId }, 'could not report attempt outcomes; retrying');
        for (const report of batch.reports) this.report(batch.projectId, batch.endpoint, report);
      }
    });
  }

  /**
   * Makes sure an endpoint has a workflow before a hook is held by it: the first hooks to a new endpoint
   * of a project with limits are held before any outcome was reported for it. Concurrent callers share
   * one start.
   */
  async ensureStarted(projectId: string, endpoint: EndpointRef): Promise<string> {
    const workflowId = endpointWorkflowId(projectId, endpoint.id);
    if (this.known.has(workflowId)) return workflowId;
    let starting = this.starting.get(workflowId);
    if (!starting) {
      starting = this.startIfNew(workflowId, { projectId, endpoint, reports: [] })
        .then(() => undefined)
        .finally(() => this.starting.delete(workflowId));
      this.starting.set(workflowId, starting);
    }
    await starting;
    return workflowId;
  }

  /**
   * A worker's first batch for an endpoint starts its workflow with the record those outcomes make, so
   * that the start writes everything (see newEndpointRecord); later batches, and an endpoint that
   * already exists, are a signal (with a start should it have gone meanwhile).
   */
  private async send(workflowId: string, batch: Batch): Promise<void> {
    if (await this.startIfNew(workflowId, batch)) return;
    const project = this.options.defaultsOf(batch.projectId);
    const input = { projectId: batch.projectId, endpoint: batch.endpoint, defaults: project };
    await this.client.workflow.signalWithStart<typeof endpointWorkflow, [EndpointReports]>(
      'endpointWorkflow',
      {
        workflowId,
        taskQueue: this.options.taskQueue,
        args: [input],
        signal: endpointReportsSignal,
        signalArgs: [{ reports: batch.reports, defaults: project }],
        typedSearchAttributes: newEndpointAttributes(batch.projectId, batch.endpoint.id, project.limits),
      },
    );
  }

  /** Starts the endpoint's workflow unless this worker knows it runs; whether this call started it. */
  private async startIfNew(workflowId: string, batch: Batch): Promise<boolean> {
    if (this.known.has(workflowId)) return false;
    const project = this.options.defaultsOf(batch.projectId);
    const input = { projectId: batch.projectId, endpoint: batch.endpoint, defaults: project };
    const now = Date.now();
    try {
      await this.client.workflow.start<typeof endpointWorkflow>('endpointWorkflow', {
        workflowId,
        taskQueue: this.options.taskQueue,
        args: [{ ...input, firstReports: batch.reports, recordedAt: new Date(now).toISOString() }],
        workflowIdConflictPolicy: 'FAIL',
        ...newEndpointRecord(
          {
            ...input,
            alertRules: project.alertRules,
            autoDisableAfterSecs: project.autoDisableAfterSecs,
            limits: project.limits ?? NO_FLOW_LIMITS,
          },
          batch.reports,
          now,
        ),
      });
      this.remember(workflowId);
      return true;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      this.remember(workflowId);
      return false;
    }
  }

  private remember(workflowId: string): void {
    // Bounded: past this many, forgetting costs one start attempt that finds the endpoint running.
    if (this.known.size >= MAX_KNOWN_ENDPOINTS) this.known.clear();
    this.known.add(workflowId);
  }
}
