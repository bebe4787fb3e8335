import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { generateSigningSecret, isValidSigningSecret } from '../security/signing';
import { generateApiKey, hashApiKey } from '../security/api-keys';
import { generateServerSecret } from '../security/server-secret';

/** The credentials of the project `npm start` creates when there is no config file. */
export interface DevCredentials {
  apiKey: string;
  signingSecret: string;
  callbackSecret: string;
}

const credentialsSchema = z.object({
  apiKey: z.string().min(16),
  signingSecret: z.string().refine(isValidSigningSecret),
  callbackSecret: z.string().min(32),
});

const DEV_PROJECT_ID = 'dev';

/**
 * Reads the dev project's credentials from the data folder, creating them on first use, so the key and
 * secret a developer pasted into their receiver keep working across restarts.
 */
export async function loadDevCredentials(dataDir: string): Promise<DevCredentials> {
  const file = path.join(dataDir, 'dev-project.json');
  try {
    return credentialsSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} is unreadable; delete it to get new dev credentials`, { cause: error });
    }
  }
  const credentials: DevCredentials = {
    apiKey: generateApiKey(),
    signingSecret: generateSigningSecret(),
    callbackSecret: generateServerSecret(),
  };
  await mkdir(dataDir, { recursive: true });
  // 'wx' fails if another process created the file in the meantime; then its credentials win.
  try {
    await writeFile(file, JSON.stringify(credentials, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
    return credentials;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadDevCredentials(dataDir);
    throw error;
  }
}

/** What the dev project may reach although it is internal: this machine, where a developer's receiver runs. */
export const DEV_INTERNAL_TARGETS: readonly string[] = ['localhost', '127.0.0.0/8', '::1'];

export function devProjectConfig(
  credentials: DevCredentials,
  baseUrl: string,
  allowInternalTargets: readonly string[] = DEV_INTERNAL_TARGETS,
) {
  return {
    id: DEV_PROJECT_ID,
    apiKeyHashes: [hashApiKey(credentials.apiKey)],
    signingSecrets: [credentials.signingSecret],
    baseUrl,
    allowUrlTargets: true,
    allowInternalTargets,
  };
}
