/**
 * The only module that reaches into the Temporal SDK's internals (`@temporalio/x/lib/...`). They are not
 * part of the SDK's public API and may change in any release: when upgrading the SDK, check these first.
 * Everything else in hookrelay uses the public API; the lint configuration enforces it.
 */

/**
 * Decodes a raw visibility record the way `client.workflow.list()` does. Needed because the public list
 * iterator hides the page token, and the API pages by token (its cursors wrap it).
 */
export { executionInfoFromRaw } from '@temporalio/client/lib/helpers';

/** Turns the SDK's search attribute type names into the protocol enum the operator service takes. */
export { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';

/** Canonical Temporal JSON of a history, as `temporal workflow show --output json` writes it. */
export { historyToJSON } from '@temporalio/common/lib/proto-utils';

/** protobuf Durations (seconds as Long, nanos) to and from milliseconds, e.g. a namespace's retention. */
export { msToTs, tsToMs } from '@temporalio/common/lib/time';
