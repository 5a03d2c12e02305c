import { sql, type Kysely, type Migration } from 'kysely';
import type { LedgerFlavor } from '../database';

/**
 * Failures are revisited, not forgotten: `failing_records` holds every Sage record whose last outcome was
 * `failed` (a refused write, a mapping failure, a row Sage returned malformed, a failed deactivation) so
 * each sync re-reads it by key until it lands. It replaces `write_failures` (refused writes only), whose
 * rows move over as refused. `pending_deactivations` stages a run's deactivations until the run decides
 * them at once, so the mass-change guard sees every path; the ones the guard holds stay for an operator.
 */
export function failingRecordsMigration(flavor: LedgerFlavor): Migration {
  const text = flavor === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('failing_records')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('sage_key', text, (c) => c.notNull())
        .addColumn('sage_id', text)
        .addColumn('reason', text, (c) => c.notNull())
        // 1 when Assignar refused the write for good (a 400): re-sent only when its content or a link it depends on changes.
        .addColumn('refused', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('content_hash', text)
        .addColumn('depends_on', text)
        .addColumn('run_id', text, (c) => c.notNull())
        .addColumn('failed_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('failing_records_pk', ['connection', 'kind', 'sage_key'])
        .execute();
      await sql`insert into failing_records (connection, kind, sage_key, sage_id, reason, refused, content_hash, depends_on, run_id, failed_at)
                select connection, kind, sage_key, null, reason, 1, content_hash, null, '', failed_at from write_failures`.execute(db);
      await db.schema.dropTable('write_failures').execute();

      await db.schema
        .createTable('pending_deactivations')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('run_id', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('sage_key', text, (c) => c.notNull())
        .addColumn('reason', text, (c) => c.notNull())
        // staged: found by this run, decided at its end; held: stopped by the mass-change guard, waits for an operator.
        .addColumn('state', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('pending_deactivations_pk', ['connection', 'run_id', 'kind', 'sage_key'])
        .execute();
      await db.schema.createIndex('pending_deactivations_key_idx').on('pending_deactivations').columns(['connection', 'kind', 'sage_key']).execute();
    },
  };
}
