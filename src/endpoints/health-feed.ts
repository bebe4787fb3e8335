import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AttemptReport, EndpointRef } from '../domain/endpoint';
import { mapLimited } from '../lib/map-limited';
import {
  type EndpointDefaults,
  type EndpointReports,
  endpointReportsSignal,
} from '../workflows/endpoint-messages';
import { endpointWorkflowId, newEndpointAttributes } from '../workflows/endpoint-record';
import type { endpointWorkflow } from '../workflows/endpoint.workflow';

/** Outcomes kept per endpoint while Temporal cannot be reached; older ones give way to newer. */
const MAX_BUFFERED_REPORTS = 5_000;
/** Endpoints signalled at once by one flush. */
const FLUSH_CONCURRENCY = 8;

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

  private async send(workflowId: string, batch: Batch): Promise<void> {
    const defaults = this.options.defaultsOf(batch.projectId);
    await this.client.workflow.signalWithStart<typeof endpointWorkflow, [EndpointReports]>(
      'endpointWorkflow',
      {
        workflowId,
        taskQueue: this.options.taskQueue,
        args: [{ projectId: batch.projectId, endpoint: batch.endpoint, defaults }],
        signal: endpointReportsSignal,
        signalArgs: [{ reports: batch.reports, defaults }],
        typedSearchAttributes: newEndpointAttributes(batch.projectId, batch.endpoint.id),
      },
    );
  }
}
