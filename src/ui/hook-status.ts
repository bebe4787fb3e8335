import { HOOK_STATUSES, type HookStatus } from '../domain/hook';

export { actionApplies, HOOK_STATUSES } from '../domain/hook';

export function isHookStatus(value: string): value is HookStatus {
  return (HOOK_STATUSES as readonly string[]).includes(value);
}
