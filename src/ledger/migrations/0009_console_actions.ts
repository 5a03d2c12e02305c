import { sql, type Kysely, type Migration } from 'kysely';
import type { LedgerFlavor } from '../database';

/**
 * The operator console's audit (issue 12): one row per action taken from the console (a true-up approval,
 * a rejection, a pause, a held link released…), with who (the operator token's name, `local` on a loopback
 * address), when, what and how it went. The action itself goes through the workflow's signals and updates
 * or the CLI's release path; this row only says that someone asked for it.
 */
export function consoleActionsMigration(flavor: LedgerFlavor): Migration {
  const text = flavor === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('console_actions')
        // Random, unique per action (a UUID).
        .addColumn('action_id', text, (c) => c.notNull().primaryKey())
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('who', text, (c) => c.notNull())
        // trueup.approve | trueup.reject | trueup.pause | trueup.resume | trueup.cancel | link.release (checked in code).
        .addColumn('action', text, (c) => c.notNull())
        // JSON object: what was asked (the selector, the items, the link's kind and key…).
        .addColumn('details', text, (c) => c.notNull())
        // ok | failed (checked in code).
        .addColumn('result', text, (c) => c.notNull())
        // What the workflow or the release answered, or why it failed.
        .addColumn('message', text)
        .addColumn('at', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('console_actions_at_idx').on('console_actions').columns(['connection', 'at']).execute();
    },
  };
}
