import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType, msToTs } from './sdk-internals';

const DAY_MS = 86_400_000;

/**
 * Registers the namespace unless it exists, with the retention given; true if it was registered now. A
 * Temporal server starts with no namespace of ours: the dev server creates one from a flag, a real server
 * needs this.
 */
export async function registerNamespaceIfMissing(
  connection: Connection,
  namespace: string,
  retentionDays: number,
): Promise<boolean> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(retentionDays * DAY_MS),
    });
    return true;
  } catch (error) {
    // Registering an existing namespace fails; a failure that leaves it missing is a real one.
    const exists = await connection.workflowService.describeNamespace({ namespace }).then(
      () => true,
      () => false,
    );
    if (exists) return false;
    throw error;
  }
}

/**
 * Adds the search attributes the namespace lacks; true if any were added. Workflows that upsert an
 * attribute the namespace does not know fail, so every start makes sure of all of them, also those added
 * to hookrelay after the namespace was created.
 */
export async function registerMissingSearchAttributes(
  connection: Connection,
  namespace: string,
  wanted: Readonly<Record<string, SearchAttributeType>>,
): Promise<boolean> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.entries(wanted).filter(([name]) => !(name in customAttributes));
  if (missing.length === 0) return false;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, indexedValueType(type)])),
  });
  return true;
}

function indexedValueType(type: SearchAttributeType) {
  // Options may come from untyped config, where the encoder returns undefined for an unknown name.
  const encoded = encodeSearchAttributeIndexedValueType(type);
  if (encoded === undefined) throw new Error(`Unknown search attribute type ${type}`);
  return encoded;
}
