import { ENDPOINT_SEARCH_ATTRIBUTES } from '../workflows/endpoint-record';
import { EVENT_SEARCH_ATTRIBUTES } from '../workflows/event-record';
import { HOOK_SEARCH_ATTRIBUTES } from '../workflows/hook-record';

/** Every custom search attribute hookrelay's workflows carry; each Temporal server registers them all. */
export const HOOKRELAY_SEARCH_ATTRIBUTES = [
  ...HOOK_SEARCH_ATTRIBUTES,
  ...ENDPOINT_SEARCH_ATTRIBUTES,
  ...EVENT_SEARCH_ATTRIBUTES,
] as const;
