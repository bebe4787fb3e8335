import type { ProjectConfig } from '../../config/schema';
import { ENDPOINT_ID_PATTERN } from '../../domain/endpoint-grouping';
import { EVENT_ID_PATTERN } from '../../domain/event-ids';
import { HOOK_ID_PATTERN } from '../../domain/hook-ids';
import { resolveTarget } from '../../domain/new-hook';
import { SCHEDULE_ID_PATTERN } from '../../domain/schedule';
import type { SubscriptionTarget } from '../../domain/subscription';
import { SUBSCRIPTION_ID_PATTERN } from '../../domain/subscription';
import { ApiError } from '../errors';

/** Either API key header satisfies the routes that carry this. */
export const security: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];

/** Ids that cannot exist are answered like unknown ones, without a round trip to Temporal. */
export function knownHookId(id: string): string {
  if (!HOOK_ID_PATTERN.test(id)) throw new ApiError(404, 'not_found', 'hook not found');
  return id;
}

/** Endpoint ids that cannot exist are answered like unknown ones, without a round trip to Temporal. */
export function knownEndpointId(id: string): string {
  if (!ENDPOINT_ID_PATTERN.test(id)) throw new ApiError(404, 'not_found', 'endpoint not found');
  return id;
}

export function knownSubscriptionId(id: string): string {
  if (!SUBSCRIPTION_ID_PATTERN.test(id)) throw new ApiError(404, 'not_found', 'subscription not found');
  return id;
}

export function knownScheduleId(id: string): string {
  if (!SCHEDULE_ID_PATTERN.test(id)) throw new ApiError(404, 'not_found', 'schedule not found');
  return id;
}

/**
 * The target a subscription's or schedule's body names, under the same rules as a hook's (403 or 400
 * where the project refuses it).
 */
export function checkedTarget(
  project: ProjectConfig,
  body: { path?: string; url?: string },
): SubscriptionTarget {
  return resolveTarget(project, body).target;
}

export function knownEventId(id: string): string {
  if (!EVENT_ID_PATTERN.test(id)) throw new ApiError(404, 'not_found', 'event not found');
  return id;
}

/** `data` within the project's limit, measured as the JSON a receiver gets; 413 beyond it. */
export function checkDataSize(project: ProjectConfig, data: unknown): void {
  const dataBytes = Buffer.byteLength(JSON.stringify(data), 'utf8');
  if (dataBytes > project.maxDataBytes) {
    throw new ApiError(
      413,
      'payload_too_large',
      `data is ${dataBytes} bytes; the limit is ${project.maxDataBytes}`,
    );
  }
}
