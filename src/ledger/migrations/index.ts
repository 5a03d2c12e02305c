import type { Migration, MigrationProvider } from 'kysely';
import type { LedgerFlavor } from '../database';
import { initialMigration } from './0001_initial';
import { linkPayloadMigration } from './0002_link_payload';
import { writeFailuresMigration } from './0003_write_failures';
import { failingRecordsMigration } from './0004_failing_records';
import { writerLeasesMigration } from './0005_writer_leases';
import { exportGroupsMigration } from './0006_export_groups';
import { exportCandidatesMigration } from './0007_export_candidates';
import { trueupPlanMigration } from './0008_trueup_plan';
import { queueLeasesMigration } from './0011_queue_leases';
import { consoleActionsMigration } from './0009_console_actions';
import { sageUsageMigration } from './0010_sage_usage';

/**
 * Every migration, in order. Add new ones at the end with the next number; never edit or reorder one
 * that has shipped (Kysely refuses a database whose applied migrations are not a prefix of this list).
 */
const MIGRATIONS: ReadonlyArray<readonly [name: string, build: (flavor: LedgerFlavor) => Migration]> = [
  ['0001_initial', initialMigration],
  ['0002_link_payload', linkPayloadMigration],
  ['0003_write_failures', writeFailuresMigration],
  ['0004_failing_records', failingRecordsMigration],
  ['0005_writer_leases', writerLeasesMigration],
  ['0006_export_groups', exportGroupsMigration],
  ['0007_export_candidates', exportCandidatesMigration],
  ['0008_trueup_plan', trueupPlanMigration],
  ['0009_console_actions', consoleActionsMigration],
  ['0010_sage_usage', sageUsageMigration],
  ['0011_queue_leases', queueLeasesMigration],
];

export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map(([name]) => name);

/** In-code provider: no file-system globbing, so it works the same under tsx, jest and bundlers. */
export function migrationProvider(flavor: LedgerFlavor): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return Object.fromEntries(MIGRATIONS.map(([name, build]) => [name, build(flavor)]));
    },
  };
}
