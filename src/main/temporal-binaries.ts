// `npm run temporal-cli` and `npm run temporal-server`: find or build the pinned Temporal binaries named
// on the command line (`cli`, `server`) and print their paths, so that the slow first build happens up
// front (before tests) rather than inside a timed step.
import { obtainTemporalServer } from '../cluster/temporal-server-binaries';
import { obtainTemporalCli } from '../devserver/temporal-cli';

const OBTAIN: Record<string, () => Promise<string[]>> = {
  cli: async () => [await obtainTemporalCli()],
  server: async () => {
    const { server, sqlTool } = await obtainTemporalServer();
    return [server, sqlTool];
  },
};

async function main(names: string[]): Promise<void> {
  const unknown = names.filter((name) => !(name in OBTAIN));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`usage: temporal-binaries.ts ${Object.keys(OBTAIN).join('|')}...`);
  }
  for (const name of names) {
    const binaries = await (OBTAIN[name] as () => Promise<string[]>)();
    process.stdout.write(binaries.map((binary) => `${binary}\n`).join(''));
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
