import type { Client } from '@temporalio/client';
import type { EndpointState } from '../domain/endpoint';
import type { Logger } from 'pino';
import { heldEndpointsQuery } from '../temporal/visibility-query';
import { endpointStateOf } from '../workflows/endpoint-record';

export type HoldingState = Exclude<EndpointState, 'active'>;

/**
 * Which endpoints hold their hooks (paused or disabled), as this worker knows it: one visibility query a
 * second for all of them, so that an attempt checks a map instead of asking Temporal. A pause takes
 * effect on this worker within about a second of its visibility record; a hook that comes due in that
 * second is attempted, as it would be had it come due a moment before the pause.
 */
export class EndpointGate {
  private holding = new Map<string, HoldingState>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly client: Client,
    private readonly refreshIntervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** The state of the endpoint workflow with this id, when it holds hooks. */
  holdingState(endpointWorkflowId: string): HoldingState | undefined {
    return this.holding.get(endpointWorkflowId);
  }

  /** Endpoints held right now, by project and state: for the gauges. */
  heldCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [workflowId, state] of this.holding) {
      const key = `${workflowId.split(':')[1] ?? ''}/${state}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  /** Reads the states once, so that the first attempts already see them, then keeps them fresh. */
  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.refreshing = this.refresh().finally(() => {
        this.refreshing = undefined;
        if (this.timer) this.schedule();
      });
    }, this.refreshIntervalMs);
    this.timer.unref();
  }

  private async refresh(): Promise<void> {
    try {
      const holding = new Map<string, HoldingState>();
      for await (const execution of this.client.workflow.list({ query: heldEndpointsQuery() })) {
        const state = endpointStateOf(execution.typedSearchAttributes);
        if (state === 'paused' || state === 'disabled') holding.set(execution.workflowId, state);
      }
      this.holding = holding;
    } catch (error) {
      // The last known states stay in force until Temporal answers again.
      this.logger.warn({ err: error }, 'could not read which endpoints are paused');
    }
  }
}
