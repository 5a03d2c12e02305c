import { sql, type Kysely, type Migration } from 'kysely';
import type { LedgerFlavor } from '../database';

/**
 * Observability (issue 11). `sage_usage`: the Sage Intacct API transactions each connection sent, per UTC
 * day (Sage Intacct bills them by the month), added to by every worker in batches; `intacct-assignar usage`
 * and preflight's budget check read it. `notifications_sent`: one row per webhook event already sent (a run
 * failed, records newly failing or held, a true-up waiting for approval), so each is sent once however many
 * workers or activity retries see it.
 */
export function sageUsageMigration(flavor: LedgerFlavor): Migration {
  const text = flavor === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('sage_usage')
        .addColumn('connection', text, (c) => c.notNull())
        // YYYY-MM-DD, UTC.
        .addColumn('day', text, (c) => c.notNull())
        .addColumn('transactions', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sage_usage_pk', ['connection', 'day'])
        .execute();
      await db.schema
        .createTable('notifications_sent')
        // What the event is about, e.g. `run-failed:<runId>` (built in src/notifications/events.ts).
        .addColumn('event_key', text, (c) => c.notNull().primaryKey())
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('event', text, (c) => c.notNull())
        .addColumn('sent_at', text, (c) => c.notNull())
        .execute();
    },
  };
}
