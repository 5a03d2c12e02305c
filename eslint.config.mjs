import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers',
  'tls', 'tty', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

const NO_SANDBOX = 'The product never imports the simulators (src/sandbox/): reach them by URL like the real APIs.';
const UP_TO_SANDBOX = '^(\\.\\./)+(src/)?sandbox(/|$)';
const UP_TO_TOP_LEVEL = '^(\\.\\./)+(activities|worker|workflows)(/|$)';

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
          { group: ['../src/**', '!../src/contracts', '!../src/contracts/*'], allowTypeImports: true, message: 'Workflow code imports values only from workflows/ and src/contracts/ (workflow-safe); anything else under src/ as types.' },
          { group: ['../worker', '../worker/**'], message: 'Workflow code never reaches the composition root.' },
        ],
      }],
    },
  },
  // The dependency directions (README "Layout"): src/ is the library (clients, ledger, sync logic) and knows
  // nothing above it; activities/ import src/; worker/ (the composition root) imports activities/ and src/;
  // the CLI (src/cli) is the entry point on top. The simulators (src/sandbox/) are never imported by the
  // product: only the `dev` and `sandbox` commands start them.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/sandbox/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: UP_TO_SANDBOX, message: NO_SANDBOX },
          { regex: UP_TO_TOP_LEVEL, message: 'src/ is the library: it never imports activities/, worker/ or workflows/ (they import it).' },
          { regex: '^(\\.\\./)+cli(/|$)', message: 'Only the CLI imports the CLI.' },
        ],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    ignores: ['src/cli/commands/dev.ts', 'src/cli/commands/sandbox.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: UP_TO_SANDBOX, message: `${NO_SANDBOX} (src/cli/commands/dev.ts and sandbox.ts start them).` },
          { regex: '^(\\.\\./)+activities(/|$)', message: 'The CLI reaches activities through the composition root (worker/).' },
        ],
      }],
    },
  },
  {
    // The simulators stand in for the real APIs: they may share the product's neutral modules (the demo
    // credentials, the OAuth scope, XML helpers) but never its service layers.
    files: ['src/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(\\.\\./)+(activities|worker|workflows|cli)(/|$)', message: 'The sandboxes never import the service (activities, worker, workflows, CLI).' },
        ],
      }],
    },
  },
  {
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(\\.\\./)+worker(/|$)', message: 'Activities never import the composition root (worker/): it imports them.' },
          { regex: '^(\\.\\./)+src/cli(/|$)', message: 'Activities never import the CLI.' },
          { regex: '^(\\.\\./)+src/sandbox(/|$)', message: NO_SANDBOX },
          { regex: '^(\\.\\./)+workflows(/|$)', allowTypeImports: true, message: 'Activities import workflow code only as types.' },
        ],
      }],
    },
  },
  {
    files: ['worker/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(\\.\\./)+src/(cli|sandbox)(/|$)', message: 'The composition root builds the product: no CLI, no simulators.' },
        ],
      }],
    },
  },
);
