import { getExternalWorkflowHandle, workflowInfo } from '@temporalio/workflow';
import { heldHookAttemptedSignal, holdHookSignal } from './endpoint-messages';

/**
 * What a workflow held by its endpoint (a hook's, or a batch's) tells that endpoint itself, when its
 * activity could not (or, in histories from before activities did, never tried).
 */

/** Asks the endpoint to hold this workflow until it lets it go; false when the endpoint is gone. */
export async function askEndpointToHold(endpointWorkflowId: string, dueAt: string): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(endpointWorkflowId).signal(holdHookSignal, {
      workflowId: workflowInfo().workflowId,
      dueAt,
    });
    return true;
  } catch {
    return false;
  }
}

/** Tells the endpoint that let this workflow's attempt go that it is made, so the next one may go. */
export async function reportAttemptMade(endpointWorkflowId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(endpointWorkflowId).signal(
      heldHookAttemptedSignal,
      workflowInfo().workflowId,
    );
  } catch {
    // The endpoint is gone: nobody waits for this.
  }
}
