import type { Client } from '@temporalio/client';
import type { CallbackSignal, CallbackView } from '../domain/async-ack';
import type { HookCallbacks } from '../domain/hook-store';
import { callbackMemoOf, hookStatusOf } from '../workflows/hook-record';
import { callbackSignal } from '../workflows/messages';
import { hookHandle, orHookNotFound } from './hook-handles';

/**
 * Async-ack callbacks through Temporal's own records: the hook's status and the callback memo its
 * workflow publishes are served without a worker, and a signal is kept until a worker applies it.
 */
export class TemporalHookCallbacks implements HookCallbacks {
  constructor(private readonly client: Client) {}

  async callbackView(projectId: string, hookId: string): Promise<CallbackView> {
    const handle = hookHandle(this.client, projectId, hookId);
    const description = await orHookNotFound(() => handle.describe());
    return {
      cancelled: hookStatusOf(description.typedSearchAttributes) === 'cancelled',
      memo: callbackMemoOf(description.memo),
    };
  }

  async sendCallback(projectId: string, hookId: string, signal: CallbackSignal): Promise<void> {
    const handle = hookHandle(this.client, projectId, hookId);
    await orHookNotFound(() => handle.signal(callbackSignal, signal));
  }
}
