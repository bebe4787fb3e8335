import { ApplicationFailure } from '@temporalio/activity';
import type { AlertSender } from '../alerts/alert-sender';
import type { AlertChannel } from '../alerts/channel-config';
import type { EndpointAlert } from '../domain/endpoint';

export interface AlertDependencies {
  /** A project's alert channels as configured now. */
  channelsOf(projectId: string): readonly AlertChannel[] | undefined;
  /** The sender of a project's alerts, which reaches only addresses the project's hooks may reach. */
  senderFor(projectId: string): AlertSender | undefined;
  countSend(projectId: string, channelType: string, ok: boolean): void;
}

export function createAlertActivities(deps: AlertDependencies) {
  return {
    /** Sends an alert on one channel; a failure is thrown, and Temporal retries it (see the alert workflow). */
    async sendAlert(projectId: string, channelIndex: number, alert: EndpointAlert): Promise<void> {
      const channel = deps.channelsOf(projectId)?.[channelIndex];
      const sender = deps.senderFor(projectId);
      if (!channel || !sender) {
        // The channel was removed from the config since the alert was raised.
        throw ApplicationFailure.nonRetryable(
          `project "${projectId}" has no alert channel ${channelIndex} any more`,
        );
      }
      try {
        await sender.send(channel, alert);
        deps.countSend(projectId, channel.type, true);
      } catch (error) {
        deps.countSend(projectId, channel.type, false);
        throw error;
      }
    },
  };
}
