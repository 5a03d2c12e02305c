import { sql, type Kysely, type Migration } from 'kysely';
import type { LedgerFlavor } from '../database';

/**
 * The true-up plan (issue 10, src/contracts/trueup.ts), one row per item of a connection's true-up: what it
 * proposes (kind, action, the keys on both sides, a confidence for matches), the one-line summary and the
 * evidence the operator decides on, and its life (proposed → approved or rejected → applied → verified;
 * failed, withdrawn, resolved). An approval records the content hash it was given for (`approved_hash`):
 * a re-diff that changes the item (`content_hash`) withdraws it, so nothing approved is applied unseen.
 * `generation` is the last diff that saw the item, so a re-diff resolves the items it no longer finds.
 *
 * `trueup_items` (0001) kept an opaque JSON payload and a status per item, which can carry neither the
 * evidence, the confidence nor the approved hash the workflow filters and pages on. No released code path
 * ever wrote to it (its upsert/mark API was used by tests only), so it is dropped, not converted.
 */
export function trueupPlanMigration(flavor: LedgerFlavor): Migration {
  const text = flavor === 'postgres' ? sql`text collate "C"` : sql`text`;
  // An 8-byte float on both (SQLite's REAL is one): a confidence reads back exactly as written, and
  // `confidence >= minConfidence` compares the same values (PostgreSQL's 4-byte `real` would round 0.7 down).
  const real = flavor === 'postgres' ? sql`double precision` : sql`real`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('trueup_items').execute();
      await db.schema
        .createTable('trueup_items')
        .addColumn('connection', text, (c) => c.notNull())
        .addColumn('trueup_id', text, (c) => c.notNull())
        .addColumn('item_id', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        // link | overwrite | accept | recreate | deactivate-duplicate | deactivate-orphan | create-in-sage | leave (checked in code).
        .addColumn('action', text, (c) => c.notNull())
        // proposed | approved | rejected | withdrawn | applied | verified | failed | resolved (checked in code).
        .addColumn('state', text, (c) => c.notNull())
        // 0–1 for matches; null where nothing is guessed.
        .addColumn('confidence', real)
        .addColumn('sage_key', text)
        .addColumn('sage_id', text)
        .addColumn('assignar_id', text)
        .addColumn('summary', text, (c) => c.notNull())
        // JSON array of the fields compared (field, sage, assignar, same).
        .addColumn('evidence', text, (c) => c.notNull())
        .addColumn('content_hash', text, (c) => c.notNull())
        // The content hash the operator approved (kept when a re-diff withdraws the approval).
        .addColumn('approved_hash', text)
        .addColumn('reason', text)
        // The last diff (1, 2, …) that saw the item.
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('decided_by', text)
        .addColumn('decided_at', text)
        .addColumn('applied_at', text)
        .addColumn('verified_at', text)
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('trueup_items_pk', ['connection', 'trueup_id', 'item_id'])
        .execute();
      // Pages of items in one state (what waits for a decision, what may be applied) in item_id order.
      await db.schema.createIndex('trueup_items_state_idx').on('trueup_items').columns(['connection', 'trueup_id', 'state', 'item_id']).execute();
      // Approving one action, and the counts per action and state.
      await db.schema.createIndex('trueup_items_action_idx').on('trueup_items').columns(['connection', 'trueup_id', 'action', 'state']).execute();
    },
  };
}
