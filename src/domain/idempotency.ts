import { createHash } from 'node:crypto';
import { stableStringify } from '../lib/stable-json';
import { hookIdFromHex } from './hook-ids';

/**
 * Idempotency-Key semantics: the same project and key always name the same hook, so a repeated or
 * concurrent request finds the hook the first one created; the request's fingerprint tells a true repeat
 * (answered with that hook) from a reuse of the key for something else (a conflict).
 */

export function idempotentHookId(projectId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${projectId}\0${idempotencyKey}`, 'utf8').digest('hex');
  return hookIdFromHex(digest.slice(0, 32));
}

/** Equal for requests that mean the same, whatever the order of their JSON keys. */
export function requestFingerprint(request: unknown): string {
  return createHash('sha256').update(stableStringify(request)).digest('hex');
}
