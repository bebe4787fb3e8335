import { ENDPOINT_ID_PATTERN } from '../../domain/endpoint-grouping';
import { HOOK_ID_PATTERN } from '../../domain/hook-ids';
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
