// The worker process of an alternative: `node --import tsx bench/worker-main.ts <system>`, started by the suite.
import { readChildSpec, runChild } from './child-entry';
import { loadSystem } from './systems';

runChild(async () => {
  const { system, config } = readChildSpec();
  const definition = await loadSystem(system);
  if (!definition.runWorker) throw new Error(`${system} has no benchmark worker`);
  const worker = await definition.runWorker(config);
  return () => worker.stop();
});
