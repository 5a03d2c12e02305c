import path from 'node:path';
import { Client } from 'pg';
import { openLedger, type Ledger, type OpenLedgerOptions } from '../../src/ledger';

/**
 * Where a workflow suite's ledger lives. By default a SQLite file in the test's temp dir; in the jest
 * project `integration-postgres` (INTACCT_ASSIGNAR_TEST_LEDGER=postgres) a schema of its own on the
 * machine's PostgreSQL (DATABASE_URL, else 127.0.0.1:5432 database `test`), dropped by `cleanup()`. There
 * the suite fails, not skips, when PostgreSQL does not answer.
 */
export interface TestLedgerTarget {
  flavor: 'sqlite' | 'postgres';
  options: OpenLedgerOptions;
  /** Environment for a worker or CLI process that must use the same ledger. */
  env: Record<string, string>;
  /** Configuration's `ledger` block for those processes (SQLite only; PostgreSQL comes from `env`). */
  configLedger: { sqlitePath: string };
  open(): Promise<Ledger>;
  cleanup(): Promise<void>;
}

export const POSTGRES_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export function usesPostgres(): boolean {
  return process.env.INTACCT_ASSIGNAR_TEST_LEDGER === 'postgres';
}

let schemas = 0;

/** `flavor` forces one database (a test that is about PostgreSQL); default: as the jest project says. */
export function testLedgerTarget(dir: string, flavor: 'sqlite' | 'postgres' = usesPostgres() ? 'postgres' : 'sqlite'): TestLedgerTarget {
  const sqlitePath = path.join(dir, 'ledger.sqlite');
  if (flavor === 'sqlite') {
    const options = { sqlitePath };
    return { flavor: 'sqlite', options, env: { DATABASE_URL: '' }, configLedger: { sqlitePath }, open: () => openLedger(options), cleanup: async () => undefined };
  }
  schemas += 1;
  const schema = `wf_test_${Date.now()}_${process.pid}_${schemas}`;
  const options = { databaseUrl: POSTGRES_URL, schema };
  return {
    flavor: 'postgres',
    options,
    env: { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema },
    configLedger: { sqlitePath },
    open: () => openLedger(options),
    async cleanup() {
      const client = new Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
        // Schemas a crashed run left behind, once they are a day old.
        const { rows } = await client.query<{ name: string }>("select nspname as name from pg_namespace where nspname like 'wf_test_%'");
        for (const { name } of rows) if (Date.now() - Number(name.split('_')[2]) > 86_400_000) await client.query(`drop schema if exists "${name}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
