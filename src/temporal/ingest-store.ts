import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { SourceConfig } from '../config/source-schema';
import { IngestedEventNotFoundError } from '../domain/errors';
import type { InboundEnvelope } from '../domain/inbound-event';
import type { IngestedEventFilter, IngestedEventPage, IngestStore } from '../domain/ingest-store';
import type { CursorSeal } from '../security/server-secret';
import { duplicateReceivedSignal, replayUpdate } from '../workflows/ingest-messages';
import {
  ingestMemo,
  ingestRecordOfMemo,
  ingestSearchAttributes,
  ingestWorkflowId,
  type IngestedEventRecord,
  type IngestWorkflowInput,
  receivedRecord,
} from '../workflows/ingest-record';
import type { ingestWorkflow } from '../workflows/ingest.workflow';
import { withWorkerDeadline } from './hook-handles';
import { visibilityPage } from './visibility-page';
import { ingestListQuery } from './visibility-query';

/**
 * Ingested events as workflows of their own, one per project, source and sender event id. The dedupe
 * window is the workflow's lifetime: it stays open that long after receipt, and a start under its id
 * meanwhile conflicts (the duplicate). Once it has closed, its id may start again (ALLOW_DUPLICATE), so a
 * resend after the window is a new event, as the sender means it.
 */
class TemporalIngestStore implements IngestStore {
  constructor(
    private readonly client: Client,
    private readonly options: { taskQueue: string; cursors: CursorSeal },
  ) {}

  async accept(
    projectId: string,
    source: SourceConfig,
    envelope: InboundEnvelope,
  ): Promise<{ duplicate: boolean }> {
    const record = receivedRecord(projectId, envelope);
    const workflowId = ingestWorkflowId(projectId, source.id, envelope.eventId);
    const input: IngestWorkflowInput = {
      record,
      delayMs: source.forward.delaySecs * 1000,
      dedupeWindowMs: source.dedupeWindowSecs * 1000,
      forwardOnStart: true,
    };
    // Twice at most: a window that closes between a refused start and the signal lets the next start in.
    for (let tries = 0; ; tries++) {
      try {
        await this.start(workflowId, input);
        return { duplicate: false };
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      try {
        await this.client.workflow.getHandle(workflowId).signal(duplicateReceivedSignal, envelope.receivedAt);
        return { duplicate: true };
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError) || tries > 0) throw error;
      }
    }
  }

  async get(projectId: string, sourceId: string, eventId: string): Promise<IngestedEventRecord> {
    try {
      const description = await this.client.workflow
        .getHandle(ingestWorkflowId(projectId, sourceId, eventId))
        .describe();
      const record = ingestRecordOfMemo(description.memo);
      if (record) return record;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    throw new IngestedEventNotFoundError('ingested event not found');
  }

  async list(
    projectId: string,
    filter: IngestedEventFilter,
    page: { limit: number; cursor?: string },
  ): Promise<IngestedEventPage> {
    const { executions, nextCursor } = await visibilityPage(
      this.client,
      this.options.cursors,
      ingestListQuery(projectId, filter),
      page,
    );
    const events = executions.map((info) => ingestRecordOfMemo(info.memo));
    return { events: events.filter((record) => record !== undefined), nextCursor };
  }

  /**
   * An open event forwards again on the replay update; a closed one (its window over) is started again
   * with its record, under the same update, so both answer once the new hooks are started.
   */
  async replay(projectId: string, sourceId: string, eventId: string): Promise<IngestedEventRecord> {
    const record = await this.get(projectId, sourceId, eventId);
    const input: IngestWorkflowInput = { record, delayMs: 0, dedupeWindowMs: 0, forwardOnStart: false };
    return withWorkerDeadline(this.client, () =>
      this.client.workflow.executeUpdateWithStart(replayUpdate, {
        startWorkflowOperation: new WithStartWorkflowOperation<typeof ingestWorkflow>('ingestWorkflow', {
          ...this.startOptions(ingestWorkflowId(projectId, sourceId, eventId), input),
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      }),
    );
  }

  private start(workflowId: string, input: IngestWorkflowInput) {
    return this.client.workflow.start<typeof ingestWorkflow>('ingestWorkflow', {
      ...this.startOptions(workflowId, input),
      workflowIdConflictPolicy: 'FAIL',
    });
  }

  private startOptions(workflowId: string, input: IngestWorkflowInput) {
    return {
      taskQueue: this.options.taskQueue,
      workflowId,
      args: [input] as [IngestWorkflowInput],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
      memo: ingestMemo(input.record),
      typedSearchAttributes: ingestSearchAttributes(input.record),
    };
  }
}

export function temporalIngestStore(
  client: Client,
  options: { taskQueue: string; cursors: CursorSeal },
): IngestStore {
  return new TemporalIngestStore(client, options);
}
