// The worker's workflow bundle entry point: every workflow type the worker runs.
export { hookWorkflow } from './hook.workflow';
