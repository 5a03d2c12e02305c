import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers',
  'tls', 'tty', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

export default tseslint.config(
  // Plain-JS bootstrap files (bin/, scripts/, configs, jest global setup) stay outside the TypeScript project.
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', '.data/**', 'src/assignar/openapi-types.ts', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries, and
    // activities only as types (a value import would bundle activity code into the workflow).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          ...nodeBuiltins.flatMap((m) => [{ name: m, message: 'No Node built-ins in workflow code.' }, { name: `node:${m}`, message: 'No Node built-ins in workflow code.' }]),
          { name: 'undici', message: 'No I/O in workflow code: call an activity.' },
          { name: 'pg', message: 'No I/O in workflow code: call an activity.' },
          { name: 'better-sqlite3', message: 'No I/O in workflow code: call an activity.' },
          { name: 'kysely', message: 'No I/O in workflow code: call an activity.' },
          { name: '@temporalio/activity', message: 'Activity APIs do not belong in workflow code.' },
          { name: '@temporalio/client', message: 'Use @temporalio/workflow in workflow code.' },
          { name: '@temporalio/worker', message: 'Use @temporalio/workflow in workflow code.' },
        ],
        patterns: [
          { group: ['../activities', '../activities/*', '**/activities/**'], allowTypeImports: true, message: 'Import activities with `import type` only.' },
          { group: ['../src/sage/*', '../src/assignar/*', '../src/ledger/*', '../src/sandbox/*', '../src/temporal/*', '../src/cli/*'], allowTypeImports: true, message: 'Workflow code may import only types from I/O modules.' },
        ],
      }],
    },
  },
);
