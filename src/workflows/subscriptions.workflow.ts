import { SubscriptionRegistry, type SubscriptionsWorkflowInput } from './subscription-registry';

/** A project's subscriptions: one workflow per project, run after run (see SubscriptionRegistry). */
export async function subscriptionsWorkflow(input: SubscriptionsWorkflowInput): Promise<never> {
  const registry = new SubscriptionRegistry(input);
  registry.registerHandlers();
  return registry.run();
}
