import { createHash, randomBytes } from 'node:crypto';

/** Random hook ids carry 128 bits; ids derived from an Idempotency-Key have the same shape. */
export function newHookId(): string {
  return `hk_${randomBytes(16).toString('hex')}`;
}

/** The same project and Idempotency-Key always give the same hook id, hence the same workflow. */
export function idempotentHookId(projectId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${projectId}\0${idempotencyKey}`, 'utf8').digest('hex');
  return `hk_${digest.slice(0, 32)}`;
}

export const HOOK_ID_PATTERN = /^hk_[0-9a-f]{32}$/;

/** The project is part of the workflow id, so one project can never reach another's hook. */
export function hookWorkflowId(projectId: string, hookId: string): string {
  return `hook:${projectId}:${hookId}`;
}
