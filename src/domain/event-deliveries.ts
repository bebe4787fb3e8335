import type { ProjectConfig } from '../config/schema';
import { fanoutHookId } from './event-ids';
import { targetRefusal } from './new-hook';
import { type EventDelivery, type PublishedEvent, type Subscription, subscriptionsFor } from './subscription';

/**
 * The hooks an event becomes: one per enabled subscription that matches it. A subscription whose target
 * the project's rules no longer allow (free URLs turned off since, say) is passed over rather than
 * failing the whole event.
 */
export function eventDeliveries(
  project: ProjectConfig,
  event: PublishedEvent & { id: string },
  subscriptions: readonly Subscription[],
): EventDelivery[] {
  return subscriptionsFor(event, subscriptions)
    .filter((subscription) => !targetRefusal(project, subscription.target))
    .map((subscription) => ({
      subscriptionId: subscription.id,
      hookId: fanoutHookId(project.id, event.id, subscription.id),
      target: subscription.target,
    }));
}
