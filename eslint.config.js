// Lint rules that guard what the compiler cannot: workflow determinism (no Node built-ins, no
// activity implementations, no I/O libraries in workflow code) and floating promises everywhere.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', 'coverage/', 'dist/', 'db/migrations/', 'bench/results/', 'web/dist/', 'web/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Workflow code and the pure domain code it runs must replay deterministically.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not deterministic; not in workflow code.' })),
            { name: 'pg', message: 'No I/O in workflow code: use an activity.' },
            { name: 'drizzle-orm', message: 'No I/O in workflow code: use an activity.' },
            { name: 'express', message: 'No I/O in workflow code.' },
            { name: '@temporalio/activity', message: 'Activities run in the worker, not in workflows.' },
            { name: '@temporalio/client', message: 'Workflows do not use the client.' },
            {
              name: 'zod',
              allowTypeImports: true,
              message: 'Domain and workflow code reach zod through domain/zod.ts, which the workflow bundle swaps for zod-on-demand.ts.',
            },
          ],
          patterns: [
            {
              group: ['**/activities/*', '**/activities'],
              allowTypeImports: true,
              message: 'Import activities only as types (import type) and call them through proxyActivities.',
            },
            { group: ['**/db/*', '**/api/*', '**/temporal/*', '**/worker/*'], message: 'No I/O modules in workflow code.' },
            { group: ['**/scripts/*'], message: 'Production code never imports from scripts/.' },
            {
              // domain/schemas.ts builds every schema when it is evaluated, and each new workflow
              // evaluates its modules afresh: workflow code takes them from domain/shapes.ts, built on use.
              group: ['**/schemas.js', './schemas.js'],
              allowTypeImports: true,
              message: 'Workflow code imports shapes from domain/shapes.ts (built on first use), not domain/schemas.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The facade itself re-exports domain/shapes.ts; zod.ts and zod-on-demand.ts are the way to zod.
    files: ['domain/schemas.ts', 'domain/zod.ts', 'domain/zod-on-demand.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // What runs in production stands on its own: scripts/ is for development tools only.
    files: ['api/**/*.ts', 'worker/**/*.ts', 'temporal/**/*.ts', 'activities/**/*.ts', 'db/**/*.ts', 'config/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/scripts/*'], message: 'Production code never imports from scripts/.' }] }],
    },
  },
  {
    // The API talks to the read model (db/) and to Temporal (temporal/); activities are the worker's.
    // Type imports too: a type the API needs belongs where both sides can reach it. This block
    // replaces the one above for api/, so it repeats the scripts/ rule.
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/scripts/*'], message: 'Production code never imports from scripts/.' },
            { group: ['**/activities/*', '**/activities'], message: 'The API never imports activities/: shared code lives in db/ or temporal/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
