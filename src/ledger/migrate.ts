import { Migrator } from 'kysely';
import type { OpenedDatabase } from './database';
import { LedgerMigrationError } from './errors';
import { migrationProvider } from './migrations';

export const MIGRATION_TABLE = 'ledger_migration';
export const MIGRATION_LOCK_TABLE = 'ledger_migration_lock';

function migrator(opened: OpenedDatabase): Migrator {
  return new Migrator({
    db: opened.db,
    provider: migrationProvider(opened.flavor),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    // Pin Kysely's bookkeeping tables to the ledger's schema; without it Kysely would find another
    // schema's migration table in the same database and think this one was already set up.
    ...(opened.schema ? { migrationTableSchema: opened.schema } : {}),
  });
}

/**
 * Brings the schema up to date. Safe when several processes open the ledger at once: on PostgreSQL
 * Kysely holds an advisory lock and migrates in a transaction; on SQLite the migration transaction begins
 * IMMEDIATE (see database.ts), so a second process waits on the busy timeout and then finds nothing to do.
 */
export async function migrateToLatest(opened: OpenedDatabase): Promise<string[]> {
  const { error, results } = await migrator(opened).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new LedgerMigrationError(
      `Could not migrate the ledger at ${opened.location}${failed ? ` (migration ${failed})` : ''}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, hint: 'If the database was migrated by a newer version of this service, run that version.' },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Brings the schema up to (and including) migration `name`, or back down to it where migrations can be
 * undone. For tests that need a database as an older release left it; the service always migrates to the latest.
 */
export async function migrateTo(opened: OpenedDatabase, name: string): Promise<string[]> {
  const { error, results } = await migrator(opened).migrateTo(name);
  if (error) throw new LedgerMigrationError(`Could not migrate the ledger at ${opened.location} to ${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations applied to this database, in order. */
export async function appliedMigrations(opened: OpenedDatabase): Promise<string[]> {
  const all = await migrator(opened).getMigrations();
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}
