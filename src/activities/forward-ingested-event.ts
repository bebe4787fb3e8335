import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { ProjectConfig } from '../config/schema';
import { eventDeliveries } from '../domain/event-deliveries';
import { TargetNotAllowedError } from '../domain/errors';
import type { FanoutStore } from '../domain/fanout-store';
import { forwardFanoutEventId, forwardHookId, type InboundEnvelope } from '../domain/inbound-event';
import { newHook } from '../domain/new-hook';
import { countHookScheduled } from '../metrics/hook-metrics';
import { newHookWorkflowInput, startDerivedHook } from '../temporal/hook-start';
import type { ForwardResult } from '../workflows/ingest-record';

export interface IngestDependencies {
  client: Client;
  projectOf(projectId: string): ProjectConfig | undefined;
  fanout: FanoutStore;
  taskQueue: string;
  /** As for hooks the API schedules: how long a failed hook can still be retried. */
  retryWindowMs: number;
}

export interface ForwardInput {
  projectId: string;
  /** The envelope as this forward hands it on. */
  envelope: InboundEnvelope;
  /** 0 for the first forward, one more for each replay: a round's hooks have ids of their own. */
  round: number;
}

export function createIngestActivities(deps: IngestDependencies) {
  return {
    /**
     * Hands an ingested event on under its source's settings as they are now: a hook per target (the
     * envelope as its data, due now, the source's retry override), and a fan-out event of its type. Every
     * id is derived from the event and round, so a retried forward starts only what it missed.
     */
    async forwardIngestedEvent({ projectId, envelope, round }: ForwardInput): Promise<ForwardResult> {
      const project = deps.projectOf(projectId);
      const source = project?.sources.find((candidate) => candidate.id === envelope.source);
      if (!project || !source) {
        throw ApplicationFailure.nonRetryable(
          `source "${envelope.source}" of project "${projectId}" is not configured`,
        );
      }
      const { eventId, receivedAt } = envelope;
      const ids = { projectId, sourceId: source.id, eventId, receivedAt };
      const now = new Date();
      const hookIds: string[] = [];
      for (const [index, target] of source.forward.targets.entries()) {
        const hookId = forwardHookId(ids, round, index);
        const input = newHookWorkflowInput(
          targetHook(project, { ...target, data: envelope, retryOverride: source.forward.retry }, now),
          { hookId, projectId, retryWindowMs: deps.retryWindowMs },
        );
        if (await startDerivedHook(deps.client, input, deps.taskQueue)) countHookScheduled(projectId);
        hookIds.push(hookId);
      }
      if (!source.forward.fanout) return { hookIds };
      const event = { id: forwardFanoutEventId(ids, round), type: envelope.eventType, data: envelope };
      const deliveries = eventDeliveries(project, event, await deps.fanout.subscriptions.list(projectId));
      // A repeat of this publish finds the event the first one made, with the same hooks.
      const published = await deps.fanout.events.publish(
        projectId,
        { ...event, createdAt: now.toISOString() },
        deliveries,
      );
      return { hookIds: [...hookIds, ...published.event.hookIds], fanoutEventId: event.id };
    },
  };
}

function targetHook(project: ProjectConfig, request: Parameters<typeof newHook>[1], now: Date) {
  try {
    return newHook(project, request, now);
  } catch (error) {
    // The project's rules changed since the source was configured: no retry will change that.
    if (error instanceof TargetNotAllowedError) throw ApplicationFailure.nonRetryable(error.message);
    throw error;
  }
}
