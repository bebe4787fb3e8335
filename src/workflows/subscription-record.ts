import type { Subscription } from '../domain/subscription';

/**
 * The record Temporal keeps of a project's subscriptions: the workflow id, and the memo that lists them
 * all, so that reads need no worker. The only encoder and decoder of that record. Pure: workflow code
 * imports it.
 */

export function subscriptionsWorkflowId(projectId: string): string {
  return `subscriptions:${projectId}`;
}

const MEMO_KEY = 'subscriptions';

export function subscriptionsMemo(subscriptions: readonly Subscription[]): Record<string, unknown> {
  return { [MEMO_KEY]: subscriptions };
}

/** The subscriptions a memo lists; none before the workflow wrote its first change. */
export function subscriptionsOfMemo(memo: Record<string, unknown> | undefined): Subscription[] {
  return (memo?.[MEMO_KEY] as Subscription[] | undefined) ?? [];
}
