/**
 * Gathers what many attempts tell one workflow within a few milliseconds into one signal: a burst of
 * hooks handed to one endpoint is a handful of signals, not one per hook, each of which would be a
 * write on that one workflow. Every caller learns whether its item was delivered.
 */
export class SignalBatcher<Item> {
  private readonly pending = new Map<string, Array<{ item: Item; done: (sent: boolean) => void }>>();

  constructor(
    private readonly send: (workflowId: string, items: Item[]) => Promise<void>,
    private readonly options: { windowMs: number; onError: (error: unknown, workflowId: string) => void },
  ) {}

  /** Whether the item reached the workflow, once the batch it joined was sent. */
  add(workflowId: string, item: Item): Promise<boolean> {
    return new Promise((resolve) => {
      const batch = this.pending.get(workflowId);
      if (batch) {
        batch.push({ item, done: resolve });
        return;
      }
      this.pending.set(workflowId, [{ item, done: resolve }]);
      setTimeout(() => void this.flush(workflowId), this.options.windowMs);
    });
  }

  private async flush(workflowId: string): Promise<void> {
    const batch = this.pending.get(workflowId) ?? [];
    this.pending.delete(workflowId);
    let sent = false;
    try {
      await this.send(
        workflowId,
        batch.map(({ item }) => item),
      );
      sent = true;
    } catch (error) {
      this.options.onError(error, workflowId);
    }
    for (const { done } of batch) done(sent);
  }
}
