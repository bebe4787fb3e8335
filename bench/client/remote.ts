import { ChildHandle, startBenchChild } from '../child-process';
import type { ProcessProbe } from '../process-stats';
import type { ProcessConfig, SystemName } from '../systems/types';
import { type FromClient, isFromClient, type LoadOutcome, type LoadPlan, type ToClient } from './protocol';

/** Extra time over a plan's own limit before the harness gives up on hearing back. */
const REPLY_GRACE_MS = 60_000;

/** The harness's handle on the client process. */
export class ClientProcess {
  private nextId = 0;

  private constructor(private readonly child: ChildHandle) {}

  static async start(system: SystemName, config: ProcessConfig): Promise<ClientProcess> {
    return new ClientProcess(
      await startBenchChild({ role: 'client', script: 'bench/client/main.ts', system, config }),
    );
  }

  get probe(): ProcessProbe {
    return this.child.probe;
  }

  assertRunning(): void {
    this.child.assertRunning();
  }

  /** Runs a plan in the client process; aborting the signal stops it scheduling more hooks. */
  async run(plan: LoadPlan, signal?: AbortSignal): Promise<LoadOutcome> {
    const id = ++this.nextId;
    const reply = this.child.nextMessage(
      (message) => (isFromClient(message) && message.id === id ? message : undefined),
      plan.timeLimitMs + REPLY_GRACE_MS,
      `the outcome of ${plan.tag}`,
    );
    const send = (message: ToClient) => {
      this.child.send(message);
    };
    send({ type: 'run', id, plan });
    const onAbort = () => {
      send({ type: 'abort', id });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const message: FromClient = await reply;
      if (message.type === 'failed') throw new Error(`client failed on ${plan.tag}: ${message.message}`);
      return message.outcome;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
