import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The one metrics registry of this process. Whatever runs here (API, worker, or both under `npm start`)
 * registers into it, so a single scrape shows the whole process.
 */
export const registry = new Registry();

// Process and Node.js runtime metrics (CPU, memory, event-loop lag), named process_* and nodejs_*.
collectDefaultMetrics({ register: registry });
