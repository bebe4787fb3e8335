// The workflow a team would write for itself on Temporal: sleep until due, then one activity that POSTs,
// retried by Temporal. No signing, no status, no search attributes. Bundled on its own by the naive worker.
import { proxyActivities, sleep } from '@temporalio/workflow';
import { DELIVERY_TIMEOUT_MS, RETRY } from './systems/delivery-policy';

export interface NaiveHookInput {
  url: string;
  /** Epoch milliseconds. */
  dueAt: number;
  body: string;
}

export interface NaiveActivities {
  postHook(input: NaiveHookInput): Promise<void>;
}

const { postHook } = proxyActivities<NaiveActivities>({
  startToCloseTimeout: DELIVERY_TIMEOUT_MS + 5_000,
  retry: {
    maximumAttempts: RETRY.attempts,
    initialInterval: RETRY.firstDelayMs,
    backoffCoefficient: RETRY.backoffFactor,
    maximumInterval: RETRY.maxDelayMs,
  },
});

export async function naiveHookWorkflow(input: NaiveHookInput): Promise<void> {
  const waitMs = input.dueAt - Date.now();
  if (waitMs > 0) await sleep(waitMs);
  await postHook(input);
}
