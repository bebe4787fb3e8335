import { SYSTEM_NAMES, type SystemDefinition, type SystemName } from './types';

// Loaded on demand: a BullMQ worker process must not carry the Temporal SDK in its memory, or the
// other way round, since worker memory is one of the things measured. The node16 module setting wants
// an extension on import(); tsx resolves `.js` to the TypeScript file.
const loaders: Record<SystemName, () => Promise<SystemDefinition>> = {
  hookrelay: async () => (await import('./hookrelay.js')).hookrelaySystem,
  'hookrelay-before': async () => (await import('./hookrelay-before.js')).hookrelayBeforeSystem,
  'hookrelay-cluster': async () => (await import('./hookrelay-cluster.js')).hookrelayClusterSystem,
  'hookrelay-untracked': async () => (await import('./hookrelay-untracked.js')).hookrelayUntrackedSystem,
  'naive-temporal': async () => (await import('./naive-temporal.js')).naiveTemporalSystem,
  'naive-temporal-tuned': async () => (await import('./naive-temporal-tuned.js')).naiveTemporalTunedSystem,
  bullmq: async () => (await import('./bullmq.js')).bullmqSystem,
  pgboss: async () => (await import('./pgboss.js')).pgbossSystem,
  'bare-http': async () => (await import('./bare-http.js')).bareHttpSystem,
};

export function loadSystem(name: SystemName): Promise<SystemDefinition> {
  return loaders[name]();
}

export function isSystemName(value: string): value is SystemName {
  return (SYSTEM_NAMES as readonly string[]).includes(value);
}
