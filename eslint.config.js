// ESLint: typescript-eslint's recommended rules, and the boundaries of the layout as rules
// (conventions: domain/ is pure, the API never imports worker-only code, the worker serves no routes).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nestRoutes = ['Controller', 'Get', 'Post', 'Put', 'Patch', 'Delete', 'All', 'Sse'];

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'test/generated/**', 'coverage/**', 'artifacts/**', 'bench/profiles/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', performance: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', NodeJS: 'readonly', document: 'readonly', window: 'readonly', EventSource: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Nest's DI and decorators need classes with only a constructor, and empty module classes.
      '@typescript-eslint/no-extraneous-class': 'off',
      // A variable read in a closure before its one assignment (a stream's own unsubscribe) stays let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Tests and the benchmark read HTTP bodies, which are untyped JSON.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['libs/billing/src/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@nestjs/*', '@mikro-orm/*', 'bullmq', 'ioredis', 'pg', 'kysely', 'express'], message: 'domain/ is pure: plain data in, plain data out.' },
          { group: ['../*', '@app/*'], message: 'domain/ imports nothing of the rest of the library.' },
        ],
      }],
    },
  },
  {
    files: ['apps/api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@app/billing/worker', '**/billing/src/worker*', '**/worker/src/**'], message: 'The API never imports worker-only code (the runner, the handlers, the schedulers).' },
          { group: ['**/libs/billing/src/**'], message: 'Apps import the library through @app/billing only.' },
        ],
      }],
    },
  },
  {
    files: ['apps/worker/**/*.ts'],
    ignores: ['apps/worker/src/health/**', 'apps/worker/src/metrics/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: '@nestjs/common', importNames: nestRoutes, message: 'The worker serves no routes but health and metrics.' }],
        patterns: [
          { group: ['**/apps/api/**'], message: 'The worker never imports the API.' },
          { group: ['**/libs/billing/src/**'], message: 'Apps import the library through @app/billing only.' },
        ],
      }],
    },
  },
);
