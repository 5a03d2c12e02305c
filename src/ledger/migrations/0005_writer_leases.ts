import { sql, type Kysely, type Migration } from 'kysely';
import type { LedgerFlavor } from '../database';

/**
 * One writer per connection: `writer_leases` holds at most one row per connection, naming the run chain
 * (workflow id + first run id) that may write to it. Also an index for `report` across runs: the latest
 * outcome of each record of a connection.
 */
export function writerLeasesMigration(flavor: LedgerFlavor): Migration {
  const text = flavor === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('writer_leases')
        .addColumn('connection', text, (c) => c.notNull().primaryKey())
        .addColumn('workflow_id', text, (c) => c.notNull())
        .addColumn('workflow_type', text, (c) => c.notNull())
        .addColumn('run_id', text, (c) => c.notNull())
        .addColumn('acquired_at', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('record_outcomes_record_idx').on('record_outcomes').columns(['connection', 'kind', 'record_key', 'at']).execute();
    },
  };
}
