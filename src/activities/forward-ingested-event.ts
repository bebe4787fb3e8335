import { ApplicationFailure } from '@temporalio/activity';
import { eventDeliveries } from '../domain/event-deliveries';
import type { FanoutStore } from '../domain/fanout-store';
import { forwardFanoutEventId, forwardHookId, type InboundEnvelope } from '../domain/inbound-event';
import { newHook } from '../domain/new-hook';
import { newHookWorkflowInput } from '../temporal/hook-start';
import type { ForwardResult } from '../workflows/ingest-record';
import { type HookStartDependencies, hookUnderCurrentRules, startHookOnce } from './start-hook';

export interface IngestDependencies extends HookStartDependencies {
  fanout: FanoutStore;
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
        // The project's rules may have changed since the source was configured.
        const hook = hookUnderCurrentRules(() =>
          newHook(project, { ...target, data: envelope, retryOverride: source.forward.retry }, now),
        );
        await startHookOnce(
          deps,
          newHookWorkflowInput(hook, { hookId, projectId, retryWindowMs: deps.retryWindowMs }),
        );
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
