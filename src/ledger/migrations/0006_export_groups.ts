import { sql, type Kysely, type Migration } from 'kysely';
import type { LedgerFlavor } from '../database';

/**
 * The timesheet export ledger, redesigned around export groups (issue 9). One Sage Intacct TIMESHEET is
 * one `export_groups` row: its deterministic key (connection, employee, week, the Assignar timesheets and
 * their approved versions), its state (planned → sent → confirmed with the RECORDNO → processed in
 * Assignar), and the exact lines sent. `export_group_timesheets` says which Assignar timesheet (which
 * version) went into which group — a timesheet may sit in several groups: a correction's replacement
 * carries the unchanged timesheets of the group it replaces, and a shift split at midnight across a week
 * boundary lands in two weeks. `held_timesheets` keeps the timesheets an export could not send (invalid,
 * worker link broken, a correction Sage no longer lets us replace) with the reason, until they export.
 *
 * `timesheet_exports` (0001) kept one Sage identity per Assignar timesheet, which cannot say "these rows
 * are one Sage timesheet". No released code path ever wrote to it (its claim API was used by tests only),
 * so it is dropped, not converted: its rows carry no employee, week or lines to build a group from.
 */
export function exportGroupsMigration(flavor: LedgerFlavor): Migration {
  const text = flavor === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('export_groups')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('group_key', text, (c) => c.notNull())
        .addColumn('control_id', text, (c) => c.notNull())
        .addColumn('employee_id', text, (c) => c.notNull())
        .addColumn('week_start', text, (c) => c.notNull())
        // planned | sent | confirmed | processed | failed | superseded (checked in code).
        .addColumn('state', text, (c) => c.notNull())
        .addColumn('sage_record_no', text)
        // JSON array of the TIMESHEETENTRY lines, exactly as sent (an update resends them all).
        .addColumn('lines', text, (c) => c.notNull())
        .addColumn('total_minutes', 'integer', (c) => c.notNull())
        .addColumn('replaces_group_key', text)
        .addColumn('reason', text)
        .addColumn('run_id', text)
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('export_groups_pk', ['connection', 'group_key'])
        // A correction replaces a group the ledger knows (null: not a correction).
        .addForeignKeyConstraint('export_groups_replaces_fk', ['connection', 'replaces_group_key'], 'export_groups', ['connection', 'group_key'])
        .execute();
      // Two groups with one controlid would make Sage Intacct refuse the second create as already done.
      await db.schema.createIndex('export_groups_control_id_uq').on('export_groups').columns(['connection', 'control_id']).unique().execute();
      await db.schema.createIndex('export_groups_state_idx').on('export_groups').columns(['connection', 'state', 'group_key']).execute();
      await db.schema.createIndex('export_groups_week_idx').on('export_groups').columns(['connection', 'employee_id', 'week_start', 'group_key']).execute();

      await db.schema
        .createTable('export_group_timesheets')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('group_key', text, (c) => c.notNull())
        .addColumn('assignar_timesheet_id', text, (c) => c.notNull())
        // The approved version (Assignar modified_time, as the group key was computed from it).
        .addColumn('version', text, (c) => c.notNull())
        // This timesheet's minutes in this group (the sum of its lines there).
        .addColumn('minutes', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('export_group_timesheets_pk', ['connection', 'group_key', 'assignar_timesheet_id'])
        .addForeignKeyConstraint('export_group_timesheets_group_fk', ['connection', 'group_key'], 'export_groups', ['connection', 'group_key'])
        .execute();
      await db.schema
        .createIndex('export_group_timesheets_timesheet_idx')
        .on('export_group_timesheets')
        .columns(['connection', 'assignar_timesheet_id', 'version'])
        .execute();

      await db.schema
        .createTable('held_timesheets')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('assignar_timesheet_id', text, (c) => c.notNull())
        .addColumn('version', text, (c) => c.notNull())
        .addColumn('reason', text, (c) => c.notNull())
        // JSON value, e.g. both versions of a correction that could not be applied.
        .addColumn('details', text)
        .addColumn('run_id', text, (c) => c.notNull())
        // First held (kept while the timesheet stays held) and last held.
        .addColumn('held_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('held_timesheets_pk', ['connection', 'assignar_timesheet_id'])
        .execute();

      await db.schema.dropTable('timesheet_exports').execute();
    },
  };
}
