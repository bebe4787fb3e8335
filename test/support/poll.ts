/**
 * Polls `probe` until it gives a value, and returns it; fails naming `what` after the timeout. Visibility,
 * endpoint health and alerts all catch up a moment after the change that moves them, so tests wait this way.
 * `what` may be a function, to describe the last state seen in the failure.
 */
export async function pollFor<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
