import { EndpointMonitor, type EndpointWorkflowInput } from './endpoint-monitor';

/** The endpoint workflow: one per endpoint of a project, run after run (see EndpointMonitor). */
export async function endpointWorkflow(input: EndpointWorkflowInput): Promise<never> {
  const monitor = new EndpointMonitor(input);
  monitor.registerHandlers();
  return monitor.run();
}
