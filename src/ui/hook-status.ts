import type { HookStatus } from '../client';

export const HOOK_STATUSES: readonly HookStatus[] = ['pending', 'retry', 'completed', 'failed', 'cancelled'];

export function isHookStatus(value: string): value is HookStatus {
  return (HOOK_STATUSES as readonly string[]).includes(value);
}

/** Which operations the API accepts in each status (others answer 409). */
export const HOOK_ACTIONS = {
  retry: (status: HookStatus) => status === 'failed',
  replay: (status: HookStatus) => status === 'completed' || status === 'failed' || status === 'cancelled',
  cancel: (status: HookStatus) => status === 'pending' || status === 'retry',
  reschedule: (status: HookStatus) => status === 'pending',
};
