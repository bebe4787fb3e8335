import type { Client } from '@temporalio/client';
import { msToTs, tsToMs } from './sdk-internals';
import type { Logger as PinoLogger } from 'pino';

const DAY_MS = 86_400_000;

/**
 * Makes the namespace keep closed hooks (their history, status and attempts) for `retentionDays`.
 * Applied at start-up, so a changed setting takes effect on the next start. Where the credentials may
 * not change namespace settings (Temporal Cloud API keys, restricted mTLS users) it only warns: the
 * namespace's own retention then applies.
 */
export async function applyRetention(
  client: Client,
  retentionDays: number,
  logger: PinoLogger,
): Promise<void> {
  const { namespace } = client.options;
  const wanted = retentionDays * DAY_MS;
  try {
    const current = await client.workflowService.describeNamespace({ namespace });
    if (tsToMs(current.config?.workflowExecutionRetentionTtl) === wanted) return;
    await client.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: msToTs(wanted) },
    });
    logger.info({ namespace, retentionDays }, 'namespace retention set');
  } catch (error) {
    logger.warn({ namespace, retentionDays, err: error }, 'could not set the namespace retention');
  }
}
