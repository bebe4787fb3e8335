import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { HookrelayApiError, HookrelayClient } from '../client';

/**
 * The API key lives in sessionStorage only: it goes when the tab closes, is never written to a URL, and is
 * not shared with other tabs.
 */
const STORAGE_KEY = 'hookrelay.apiKey';

export function storedApiKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function storeApiKey(apiKey: string): void {
  sessionStorage.setItem(STORAGE_KEY, apiKey);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** The API answers on the origin that served the page. */
function clientFor(apiKey: string, fetchWith?: typeof fetch): HookrelayClient {
  return new HookrelayClient({ baseUrl: location.origin, apiKey, fetch: fetchWith });
}

/** Tries the key with the cheapest real call; resolves with why it was refused, or null when it works. */
export async function refusalOf(apiKey: string): Promise<string | null> {
  try {
    await clientFor(apiKey).hooks.list({ limit: 1 });
    return null;
  } catch (error) {
    if (error instanceof HookrelayApiError && error.status === 401)
      return 'This API key was refused. Check that it is a current key of your project.';
    return `The API could not be reached to check the key: ${messageOf(error)}`;
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof HookrelayApiError) return `${error.message} (${error.status} ${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

export interface Session {
  client: HookrelayClient;
  /** Leaves the dashboard; a reason is shown on the sign-in form (e.g. the key stopped working). */
  signOut: (reason?: string) => void;
}

/**
 * The session of a signed-in key. Its client is the one place where a 401 signs out: the key was revoked
 * or rotated, so every page, whether polling or acting, goes back to the sign-in form rather than showing
 * the refusal as an error of its own.
 */
export function sessionOf(apiKey: string, signOut: (reason?: string) => void): Session {
  const signingOut: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (response.status === 401) signOut('The API no longer accepts this key. Sign in again.');
    return response;
  };
  return { client: clientFor(apiKey, signingOut), signOut };
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() outside a signed-in page');
  return session;
}
