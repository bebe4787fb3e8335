import type { Client } from '@temporalio/client';
import type { HookStore } from '../domain/hook-store';
import type { EndpointGrouping } from '../domain/endpoint-grouping';
import type { CursorSeal } from '../security/server-secret';
import { TemporalEndpointStore } from './endpoint-store';
import { type HookCommandOptions, TemporalHookCommands } from './hook-commands';
import { TemporalHookCallbacks } from './hook-callbacks';
import { TemporalHookReads } from './hook-reads';
import { TemporalStoreHealth } from './store-health';

export interface TemporalHookStoreOptions extends HookCommandOptions {
  /** Seals list cursors, so that only cursors this service handed out are accepted. */
  cursors: CursorSeal;
  /** A project's endpoint grouping rule, or undefined if it does not track endpoints. */
  endpointGroupingOf: (projectId: string) => EndpointGrouping | undefined;
}

/** Hooks kept entirely in Temporal, through one client. */
export function temporalHookStore(client: Client, options: TemporalHookStoreOptions): HookStore {
  const reads = new TemporalHookReads(client, options.cursors);
  return {
    commands: new TemporalHookCommands(client, reads, options),
    reads,
    callbacks: new TemporalHookCallbacks(client),
    health: new TemporalStoreHealth(client),
    endpoints: new TemporalEndpointStore(client, {
      groupingOf: options.endpointGroupingOf,
      cursors: options.cursors,
    }),
  };
}
