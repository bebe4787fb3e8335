import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

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

/** protobuf Durations (seconds as Long, nanos) to and from milliseconds, e.g. a namespace's retention. */
export { msToTs, tsToMs } from '@temporalio/common/lib/time';

export type { History };

/**
 * Workflow histories as canonical Temporal JSON: the proto JSON that `temporal workflow show --output
 * json` writes and the replayer reads (the replay fixtures in test/workflows/histories).
 *
 * This is what historyToJSON / historyFromJSON in @temporalio/common/lib/proto-utils do, but those throw
 * "TypeError: type must be a Type" in this install: protobufjs/ext/protojson checks `type instanceof
 * Type`, and npm gives @temporalio/common, @temporalio/proto and @temporalio/worker each a nested copy of
 * protobufjs 8 (the top-level slot holds the protobufjs 7 that @grpc/proto-loader needs), so common's copy
 * never recognises a type from proto's root. Loading protojson from the copy that @temporalio/proto itself
 * resolves works in this layout and in a deduplicated one alike.
 */
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown;
}

interface HistoryType {
  fromObject(object: History): unknown;
}

const protojson = createRequire(require.resolve('@temporalio/proto'))(
  'protobufjs/ext/protojson',
) as ProtoJson;
// The generated module's types lack lookupType; the patched root has it, as in the SDK's proto-utils.
const protoRoot = patchProtobufRoot(proto) as unknown as { lookupType(name: string): HistoryType };
const historyType = protoRoot.lookupType('temporal.api.history.v1.History');

/** The history as canonical JSON, pretty-printed so that fixture diffs stay readable. */
export function historyToJson(history: History): string {
  return `${JSON.stringify(protojson.toJson(historyType, historyType.fromObject(history)), null, 2)}\n`;
}

/** A history read back from canonical JSON; unknown fields (from a newer server) are ignored, as the SDK does. */
export function historyFromJson(json: unknown): History {
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (history === null || typeof history !== 'object') throw new TypeError('not a workflow history');
  return history;
}
