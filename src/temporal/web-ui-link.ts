import { hookWorkflowId } from '../workflows/hook-record';

/** A Temporal Web UI and the namespace hooks live in. */
export interface TemporalWebUi {
  url: string;
  namespace: string;
}

/** The page of a hook's workflow in the Temporal Web UI; without a run id it opens the latest run. */
export function hookHistoryLink(ui: TemporalWebUi, projectId: string, hookId: string): string {
  const base = ui.url.replace(/\/+$/, '');
  const namespace = encodeURIComponent(ui.namespace);
  return `${base}/namespaces/${namespace}/workflows/${encodeURIComponent(hookWorkflowId(projectId, hookId))}`;
}
