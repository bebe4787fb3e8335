// The client process: `node --import tsx bench/client/main.ts <system>`, started by the suite. It plays the
// application that schedules hooks, so that its CPU is measured apart from the harness and receiver.
import { readChildSpec, runChild, sendToParent } from '../child-entry';
import { loadSystem } from '../systems';
import { runPlan } from './load';
import { type FromClient, isToClient } from './protocol';

runChild(async () => {
  const { system, config } = readChildSpec();
  const scheduler = await (await loadSystem(system)).connectClient(config);
  const running = new Map<number, AbortController>();
  const reply = (message: FromClient) => {
    sendToParent(message);
  };

  process.on('message', (message: unknown) => {
    if (!isToClient(message)) return;
    if (message.type === 'abort') {
      running.get(message.id)?.abort();
      return;
    }
    const { id, plan } = message;
    const controller = new AbortController();
    running.set(id, controller);
    runPlan(scheduler, plan, controller.signal)
      .then(
        (outcome) => {
          reply({ type: 'result', id, outcome });
        },
        (error: unknown) => {
          reply({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
        },
      )
      .finally(() => running.delete(id));
  });

  return async () => {
    for (const controller of running.values()) controller.abort();
    await scheduler.close();
  };
});
