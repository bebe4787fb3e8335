// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'node_modules/', 'bench/results/', 'chaos/results/'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // SDK internals change without notice; the one adapter that needs them is src/temporal/sdk-internals.ts.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@temporalio/*/lib/*'],
              message: 'Use the public API, or src/temporal/sdk-internals.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: only the workflow SDK and pure modules.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'undici', 'pino', 'fastify'],
              message: 'Workflows run in a deterministic sandbox without I/O.',
            },
            {
              group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
              message: 'Workflows import only @temporalio/workflow and pure modules.',
            },
            {
              group: ['@temporalio/*/lib/*'],
              message: 'Use the public API, or src/temporal/sdk-internals.ts.',
            },
            {
              group: ['../activities', '../activities/*', '../api/*', '../config/*', '../temporal/*'],
              allowTypeImports: true,
              message: 'Workflows may only import types from modules that do I/O.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/temporal/sdk-internals.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Fastify plugins and hooks are async by contract, whether or not their body awaits.
    files: ['src/api/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // node:test runs the suites and tests it is handed; nothing needs to await describe() or it().
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
