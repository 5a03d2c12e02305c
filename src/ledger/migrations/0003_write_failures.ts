import { sql, type Kysely, type Migration } from 'kysely';
import type { LedgerFlavor } from '../database';

/**
 * Writes Assignar refused for a reason retrying cannot fix (a 400), per Sage record and content hash:
 * the same content is not sent again on every sync, only once the Sage record (its hash) changes or an
 * operator clears it (a true-up).
 */
export function writeFailuresMigration(flavor: LedgerFlavor): Migration {
  const text = flavor === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('write_failures')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('sage_key', text, (c) => c.notNull())
        .addColumn('content_hash', text, (c) => c.notNull())
        .addColumn('reason', text, (c) => c.notNull())
        .addColumn('failed_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('write_failures_pk', ['connection', 'kind', 'sage_key'])
        .execute();
    },
  };
}
