import type { Kysely, Migration } from 'kysely';
import type { LedgerFlavor } from '../database';

/**
 * The payload last written to Assignar, on the link: drift `overwrite` puts it back and a deactivation
 * carries the fields Assignar requires on every PUT, both without reading Sage Intacct or Assignar again. Also an index to find links by readable Sage ID.
 */
export function linkPayloadMigration(_flavor: LedgerFlavor): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('links').addColumn('payload', 'text').execute();
      // Projects and work orders find their client's / project's link by the readable Sage ID.
      await db.schema.createIndex('links_sage_id_idx').on('links').columns(['connection', 'kind', 'sage_id']).execute();
    },
  };
}
