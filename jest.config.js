/** Unit tests run in parallel; integration tests share a machine-wide Temporal CLI and run in band. */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/reliability/**/*.test.ts', '<rootDir>/test/replay/**/*.test.ts', '<rootDir>/test/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.js',
    },
    {
      // The workflow suites again, with their ledgers on PostgreSQL (127.0.0.1:5432 or DATABASE_URL): the
      // import, the incremental sync, one writer per connection, and the crash and fault suites.
      ...common,
      displayName: 'integration-postgres',
      testMatch: [
        '<rootDir>/test/integration/sync/{import,incremental,one-writer}.test.ts',
        '<rootDir>/test/reliability/{worker-killed,export-killed,api-faults}.test.ts',
      ],
      globalSetup: '<rootDir>/test/helpers/global-setup.js',
      setupFiles: ['<rootDir>/test/helpers/use-postgres-ledger.js'],
    },
  ],
  testTimeout: 180_000,
};
