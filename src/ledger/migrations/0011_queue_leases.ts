import { sql, type Kysely, type Migration } from 'kysely';
import type { LedgerFlavor } from '../database';

/**
 * Several worker processes, one set of tenant limits: `queue_leases` names, per connection, the one worker
 * process that polls the connection's API task queue (src/temporal/queue-leases.ts). The holder renews it;
 * an expired lease is free for the next worker. `expires_at` is ISO-8601 UTC text (compared as text).
 */
export function queueLeasesMigration(flavor: LedgerFlavor): Migration {
  const text = flavor === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('queue_leases')
        .addColumn('connection', text, (c) => c.notNull().primaryKey())
        .addColumn('holder', text, (c) => c.notNull())
        .addColumn('acquired_at', text, (c) => c.notNull())
        .addColumn('expires_at', text, (c) => c.notNull())
        .execute();
    },
  };
}
