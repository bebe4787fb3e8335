import type { ProjectConfig } from '../config/schema';
import { TargetNotAllowedError } from './errors';
import { fanoutHookId } from './event-ids';
import { resolveTarget } from './new-hook';
import { type EventDelivery, type PublishedEvent, type Subscription, subscriptionsFor } from './subscription';

/**
 * Whether the project still delivers to a subscription's target: one its rules no longer allow (free URLs
 * turned off since, say) is passed over rather than failing the whole event.
 */
function deliversTo(project: ProjectConfig, subscription: Subscription): boolean {
  try {
    resolveTarget(project, subscription.target);
    return true;
  } catch (error) {
    if (error instanceof TargetNotAllowedError) return false;
    throw error;
  }
}

/** The hooks an event becomes: one per enabled subscription that matches it and that the project allows. */
export function eventDeliveries(
  project: ProjectConfig,
  event: PublishedEvent & { id: string },
  subscriptions: readonly Subscription[],
): EventDelivery[] {
  return subscriptionsFor(event, subscriptions)
    .filter((subscription) => deliversTo(project, subscription))
    .map((subscription) => ({
      subscriptionId: subscription.id,
      hookId: fanoutHookId(project.id, event.id, subscription.id),
      target: subscription.target,
    }));
}
