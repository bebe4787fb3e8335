/**
 * Records a real Temporal history of a project's settings workflow, as a JSON fixture for replay.test.ts:
 *
 *   npx tsx test/workflows/record-project-settings-histories.ts [outDir]
 *
 * Through the real API: the project's endpoint limits set, changed, refused out of range, and cleared.
 * Recorded: the project's settings workflow (`project-settings`), still running, as it runs for good.
 * Nothing is written unless every change was answered as expected.
 */
import { projectSettingsWorkflowId } from '../../src/workflows/project-settings-record';
import type { TestStack } from '../support/stack';
import { recordAgainstReceiver } from './support/history-fixture';

const PROJECT = 'rec-project-settings';

async function drive(stack: TestStack) {
  const changes: Array<[object, number]> = [
    [{ endpointLimits: { ratePerSecond: 5 } }, 200],
    [{ endpointLimits: { maxInFlight: 2 } }, 200],
    [{ endpointLimits: { maxInFlight: -1 } }, 400],
    [{ endpointLimits: null }, 200],
  ];
  for (const [body, status] of changes) {
    const answer = await stack.request(PROJECT, 'PATCH', '/v1/project', body);
    if (answer.statusCode !== status)
      throw new Error(`${JSON.stringify(body)}: ${answer.statusCode} ${answer.body}`);
  }
  return { 'project-settings': stack.client.workflow.getHandle(projectSettingsWorkflowId(PROJECT)) };
}

recordAgainstReceiver({ project: () => ({ id: PROJECT, allowUrlTargets: true }) }, drive);
