import { sql, type Kysely, type Migration } from 'kysely';
import type { LedgerFlavor } from '../database';

/**
 * Staging for one export run (issue 9): the approved timesheets its collect phase read from Assignar,
 * kept until the run ends. An employee-week's timesheets arrive on different pages (Assignar pages by
 * id), and a group can only be planned once all of them are known, so they are staged here and planned a
 * batch of workers at a time. Rows belong to one run and are dropped when it finishes.
 */
export function exportCandidatesMigration(flavor: LedgerFlavor): Migration {
  const text = flavor === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('export_candidates')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('run_id', text, (c) => c.notNull())
        .addColumn('assignar_timesheet_id', text, (c) => c.notNull())
        // '' when the timesheet names no worker (it is held as malformed).
        .addColumn('assignar_user_id', text, (c) => c.notNull())
        .addColumn('version', text, (c) => c.notNull())
        // approved | corrections: the query that found it.
        .addColumn('stream', text, (c) => c.notNull())
        // The timesheet as read (TimesheetExpanded JSON, validated).
        .addColumn('body', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('export_candidates_pk', ['connection', 'run_id', 'assignar_timesheet_id'])
        .execute();
      await db.schema.createIndex('export_candidates_user_idx').on('export_candidates').columns(['connection', 'run_id', 'assignar_user_id']).execute();
    },
  };
}
