// `npm run temporal-cli`: finds or builds the Temporal CLI the dev server needs and prints its path, so
// that the slow first build happens up front (before tests) rather than inside a timed step.
import { obtainTemporalCli } from '../devserver/temporal-cli';

obtainTemporalCli().then(
  (binary) => {
    process.stdout.write(`${binary}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
