import { registry } from './registry';

/** The Prometheus text format, as served by every /metrics endpoint of this process. */
export const METRICS_CONTENT_TYPE = registry.contentType;

/** A scrape must not hang on the SDK's exporter; it is on loopback and answers in milliseconds. */
const SDK_METRICS_TIMEOUT_MS = 1_000;

let sdkMetricsUrl: string | undefined;

/**
 * Makes every scrape include the Temporal SDK's own metrics (worker polls, task latencies, sticky
 * cache...), which the SDK's native core serves on its own loopback endpoint.
 */
export function includeSdkMetricsFrom(url: string): void {
  sdkMetricsUrl = url;
}

/** This process's metrics followed by the SDK's (temporal_*), or ours alone if the SDK does not answer. */
export async function renderMetrics(): Promise<string> {
  const [ours, sdk] = await Promise.all([registry.metrics(), fetchSdkMetrics()]);
  return sdk ? `${ours.endsWith('\n') ? ours : `${ours}\n`}${sdk}` : ours;
}

async function fetchSdkMetrics(): Promise<string | undefined> {
  if (!sdkMetricsUrl) return undefined;
  try {
    const response = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(SDK_METRICS_TIMEOUT_MS) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}
