import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import * as prettier from 'prettier';
import { historyToJson } from '../../../src/temporal/sdk-internals';
import { pollFor } from '../../support/poll';
import { type Responder, TestReceiver } from '../../support/receiver';
import type { WorkerConfigInput } from '../../../src/config/schema';
import { TestStack, type TestProjectSpec } from '../../support/stack';

/** Where a recorder writes: the folder its command line names, or a new temporary one. */
export async function recordingDir(): Promise<string> {
  return path.resolve(process.argv[2] ?? (await mkdtemp(path.join(tmpdir(), 'hookrelay-histories-'))));
}

/**
 * Writes each workflow's history as `<name>.json` in `outDir`, formatted as the repository's Prettier
 * would, so that lint passes on the recording.
 */
export async function writeHistoryFixtures(
  outDir: string,
  handles: Record<string, WorkflowHandle>,
): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const [name, handle] of Object.entries(handles)) {
    const file = path.join(outDir, `${name}.json`);
    const text = await prettier.format(historyToJson(await handle.fetchHistory()), {
      ...(await prettier.resolveConfig(file)),
      filepath: file,
    });
    await writeFile(file, text);
    console.log(`${name.padEnd(24)} ${String(Buffer.byteLength(text)).padStart(7)} bytes`);
  }
  console.log(`wrote to ${outDir}`);
}

/**
 * A recorder's whole run when it drives one project against one receiver: starts both, writes what
 * `drive` hands back to the folder the command line names, stops everything whatever happens, and sets
 * the exit code on failure.
 */
export function recordAgainstReceiver(
  options: {
    project: (receiverUrl: string) => TestProjectSpec;
    responder?: Responder;
    /** The stack's worker settings, e.g. faster endpoint reports for a recorder that waits on them. */
    worker?: WorkerConfigInput;
  },
  drive: (stack: TestStack, receiver: TestReceiver) => Promise<Record<string, WorkflowHandle>>,
): void {
  const run = async () => {
    const outDir = await recordingDir();
    const receiver = await TestReceiver.start(options.responder);
    let stack: TestStack | undefined;
    try {
      stack = await TestStack.start([options.project(receiver.url)], options.worker);
      await writeHistoryFixtures(outDir, await drive(stack, receiver));
    } finally {
      try {
        await stack?.close();
      } finally {
        await receiver.close();
      }
    }
  };
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

/**
 * The endpoint of a URL, made to appear by one delivered hook, as the API shows it: what a recording of
 * an endpoint's settings starts from.
 */
export async function endpointOfFirstHook(
  stack: TestStack,
  projectId: string,
  url: string,
  waitMs: number,
): Promise<string> {
  const api = stack.api(projectId);
  const first = await stack.schedule(projectId, { url, postIn: '0s', data: { warmUp: true } });
  await stack.waitForHook(projectId, first.id, (hook) => hook.status === 'completed', waitMs);
  const endpointId = (await api.hooks.get(first.id)).endpoint?.id;
  if (!endpointId) throw new Error('the hook has no endpoint');
  await pollFor('the endpoint to appear', () => api.endpoints.get(endpointId).catch(() => undefined), waitMs);
  return endpointId;
}
