import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys are high-entropy random strings, so a plain SHA-256 is enough to store them: the config
 * file never holds a usable key, and no slow password hash is needed on every request.
 */
export function hashApiKey(apiKey: string): string {
  return `sha256:${createHash('sha256').update(apiKey, 'utf8').digest('hex')}`;
}

export function generateApiKey(): string {
  return `hr_${randomBytes(32).toString('base64url')}`;
}
