import { Counter } from 'prom-client';
import { registry } from './registry';

const batchesSent = new Counter({
  name: 'hookrelay_batches_sent_total',
  help:
    'Batch requests sent, each attempt of a batch once, by outcome. Each member of the batch also counts ' +
    'the attempt in hookrelay_attempts_total.',
  labelNames: ['project', 'outcome'] as const,
  registers: [registry],
});

export function countBatchSent(projectId: string, outcome: 'success' | 'failure' | 'timeout'): void {
  batchesSent.labels(projectId, outcome).inc();
}
