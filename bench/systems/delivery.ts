import { DELIVERY_TIMEOUT_MS } from './delivery-policy';

/** The body every alternative posts: the hook's data with its id and due time, as a team would. */
export function deliveryBody(id: string, dueAt: number, data: unknown): string {
  return JSON.stringify({ id, dueAt: new Date(dueAt).toISOString(), data });
}

/**
 * One POST with Node's built-in fetch (pooled keep-alive connections); any answer other than 2xx throws,
 * so that the queue's own retry policy takes over. The alternatives and bare HTTP all deliver with it.
 */
export async function postHook(url: string, body: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
  });
  // Reading the body returns the connection to the pool.
  await response.arrayBuffer();
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`receiver answered ${response.status}`);
  }
}
