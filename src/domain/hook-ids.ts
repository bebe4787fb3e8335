import { randomBytes } from 'node:crypto';

/** Every hook id has this shape, whether random or derived from an Idempotency-Key. */
export const HOOK_ID_PATTERN = /^hk_[0-9a-f]{32}$/;

/** A random hook id: 128 bits. */
export function newHookId(): string {
  return hookIdFromHex(randomBytes(16).toString('hex'));
}

/** `hex` must be 32 hex digits. */
export function hookIdFromHex(hex: string): string {
  return `hk_${hex}`;
}
