import type { HookState, HookWorkflowInput } from '../domain/hook';
import { HookLifecycle } from './hook-lifecycle';

/** The hook workflow: one run per hook, whatever happens to it (see HookLifecycle). */
export async function hookWorkflow(input: HookWorkflowInput): Promise<HookState> {
  const lifecycle = new HookLifecycle(input);
  lifecycle.registerHandlers();
  return lifecycle.run();
}
