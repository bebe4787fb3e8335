import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs: number;
  /** What is awaited, for the error message. */
  what: string;
  pollMs?: number;
  /** Called on every poll; throws to stop waiting at once (a process under test has died). */
  check?: () => void;
}

/** Polls until `condition` holds; false if the time ran out (every wait in the suite is bounded). */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  options: WaitOptions,
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.check?.();
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(options.pollMs ?? 50, Math.max(1, deadline - Date.now())));
  }
}

/** Whether a GET of `url` answers 2xx within 2 s: a readiness probe for waitUntil. */
export async function answersOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Like waitUntil, but running out of time is an error. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: WaitOptions,
): Promise<void> {
  if (!(await waitUntil(condition, options))) {
    throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
  }
}
