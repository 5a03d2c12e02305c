import { sql, type Kysely, type Migration } from 'kysely';
import type { LedgerFlavor } from '../database';

/**
 * The first schema: links, watermarks, runs, per-record outcomes, the timesheet export ledger and
 * true-up items. Conventions (ISO-8601 UTC text timestamps, JSON as text, 0/1 booleans, "C" collation on
 * PostgreSQL) are explained in ../schema.ts.
 */
export function initialMigration(flavor: LedgerFlavor): Migration {
  // Bytewise text ordering on PostgreSQL, as SQLite's BINARY collation: keyset paging and timestamp
  // comparisons then behave identically on both.
  const text = flavor === 'postgres' ? sql`text collate "C"` : sql`text`;

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('links')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('sage_key', text, (c) => c.notNull())
        .addColumn('sage_id', text, (c) => c.notNull())
        .addColumn('assignar_id', text, (c) => c.notNull())
        .addColumn('content_hash', text)
        .addColumn('assignar_modified_at', text)
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('reason', text)
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('links_pk', ['connection', 'kind', 'sage_key'])
        .addUniqueConstraint('links_assignar_id_uq', ['connection', 'kind', 'assignar_id'])
        .execute();
      // listLinks(status=…) pages in sage_key order within one status.
      await db.schema.createIndex('links_status_idx').on('links').columns(['connection', 'kind', 'status', 'sage_key']).execute();

      await db.schema
        .createTable('watermarks')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('stream', text, (c) => c.notNull())
        .addColumn('watermark', text, (c) => c.notNull())
        .addColumn('cursor', text)
        .addColumn('updated_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('watermarks_pk', ['connection', 'kind', 'stream'])
        .execute();

      await db.schema
        .createTable('runs')
        .addColumn('run_id', text, (c) => c.notNull().primaryKey())
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('workflow_type', text, (c) => c.notNull())
        .addColumn('workflow_id', text)
        .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('started_at', text, (c) => c.notNull())
        .addColumn('finished_at', text)
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('summary', text)
        .addColumn('error', text)
        .execute();
      await db.schema.createIndex('runs_connection_started_idx').on('runs').columns(['connection', 'started_at']).execute();
      await db.schema.createIndex('runs_started_idx').on('runs').columns(['started_at']).execute();

      await db.schema
        .createTable('record_outcomes')
        .addColumn('run_id', text, (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('record_key', text, (c) => c.notNull())
        .addColumn('sage_id', text)
        .addColumn('assignar_id', text)
        .addColumn('outcome', text, (c) => c.notNull())
        .addColumn('reason', text)
        .addColumn('details', text)
        .addColumn('at', text, (c) => c.notNull())
        // One outcome per record per run: a retried page overwrites its rows instead of adding more.
        .addPrimaryKeyConstraint('record_outcomes_pk', ['run_id', 'kind', 'record_key'])
        .execute();
      await db.schema.createIndex('record_outcomes_outcome_idx').on('record_outcomes').columns(['run_id', 'outcome']).execute();

      await db.schema
        .createTable('timesheet_exports')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('assignar_timesheet_id', text, (c) => c.notNull())
        .addColumn('group_key', text, (c) => c.notNull())
        .addColumn('control_id', text)
        .addColumn('sage_record_no', text)
        .addColumn('state', text, (c) => c.notNull())
        .addColumn('reason', text)
        .addColumn('run_id', text)
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        // Exactly once: one row per Assignar timesheet and connection, whatever the number of runs.
        .addPrimaryKeyConstraint('timesheet_exports_pk', ['connection', 'assignar_timesheet_id'])
        .execute();
      await db.schema.createIndex('timesheet_exports_state_idx').on('timesheet_exports').columns(['connection', 'state', 'assignar_timesheet_id']).execute();
      await db.schema.createIndex('timesheet_exports_group_idx').on('timesheet_exports').columns(['connection', 'group_key']).execute();

      await db.schema
        .createTable('trueup_items')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('trueup_id', text, (c) => c.notNull())
        .addColumn('item_id', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('action', text, (c) => c.notNull())
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('payload', text, (c) => c.notNull())
        .addColumn('reason', text)
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('trueup_items_pk', ['connection', 'trueup_id', 'item_id'])
        .execute();
      await db.schema.createIndex('trueup_items_status_idx').on('trueup_items').columns(['connection', 'trueup_id', 'status', 'item_id']).execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['trueup_items', 'timesheet_exports', 'record_outcomes', 'runs', 'watermarks', 'links']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
