import { proxyActivities, upsertMemo } from '@temporalio/workflow';
import type { createAlertActivities } from '../activities/send-alert';
import type { AlertView, EndpointAlert } from '../domain/endpoint';
import { alertMemo } from './endpoint-record';

export interface AlertWorkflowInput {
  alert: EndpointAlert;
  /** The project's channels when the alert was raised, by index, as secret-free labels. */
  channels: string[];
}

/**
 * Each channel is tried until it takes the alert, backing off to a try a minute, for up to three days:
 * a mail server or a Slack outage delays the alert, it does not lose it.
 */
const { sendAlert } = proxyActivities<ReturnType<typeof createAlertActivities>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '3 days',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** One alert, sent on each channel of its project; its memo says where it stands on each. */
export async function alertWorkflow({ alert, channels }: AlertWorkflowInput): Promise<AlertView> {
  const view: AlertView = {
    ...alert,
    deliveries: channels.map((channel) => ({ channel, status: 'sending' })),
  };
  await Promise.all(
    channels.map(async (channel, index) => {
      try {
        await sendAlert(alert.projectId, index, alert);
        view.deliveries[index] = { channel, status: 'sent', sentAt: new Date(Date.now()).toISOString() };
      } catch (error) {
        view.deliveries[index] = { channel, status: 'failed', error: failureMessage(error) };
      }
      upsertMemo(alertMemo(view));
    }),
  );
  return view;
}

/** The channel's own error, under Temporal's wrapping of the activity that gave up. */
function failureMessage(error: unknown): string {
  let cause: unknown = error;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? cause.message : String(error);
}
