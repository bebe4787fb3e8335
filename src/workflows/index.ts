// The worker's workflow bundle entry point: every workflow type the worker runs.
export { alertWorkflow } from './alert.workflow';
export { batchWorkflow } from './batch.workflow';
export { endpointWorkflow } from './endpoint.workflow';
export { hookWorkflow } from './hook.workflow';
export { eventWorkflow } from './event.workflow';
export { scheduleRunWorkflow } from './schedule-run.workflow';
export { subscriptionsWorkflow } from './subscriptions.workflow';
export { projectSettingsWorkflow } from './project-settings.workflow';
export { ingestWorkflow } from './ingest.workflow';
