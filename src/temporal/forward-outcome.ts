import { HookNotFoundError } from '../domain/errors';
import type { HookReads } from '../domain/hook-store';
import { type ForwardOutcome, outcomeOf } from '../workflows/ingest-record';

/**
 * How the hooks of an ingested event's forward ended, read from their own records (no worker needed);
 * undefined while one is still under way. A hook past its retention period says nothing any more.
 */
export async function forwardOutcome(
  reads: HookReads,
  projectId: string,
  hookIds: readonly string[],
): Promise<ForwardOutcome | undefined> {
  const hooks = await Promise.all(
    hookIds.map((hookId) =>
      reads.get(projectId, hookId).catch((error: unknown) => {
        if (error instanceof HookNotFoundError) return undefined;
        throw error;
      }),
    ),
  );
  return outcomeOf(hooks.filter((hook) => hook !== undefined));
}
