#!/usr/bin/env node
// The package runs its TypeScript through tsx (a runtime dependency), with no build step: registering tsx
// here lets the CLI load src/ as it is. The sources compile to CommonJS (the package is not "type":
// "module"), so they are required rather than imported.
import { createRequire } from 'node:module';
import process from 'node:process';
import 'tsx';

const { main } = createRequire(import.meta.url)('../src/cli/main.ts');
process.exitCode = await main(process.argv);
