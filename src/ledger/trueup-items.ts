import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { chunk, distinct, lastPerKey, rowsPerStatement } from './batch';
import type { Database, TrueupItemsTable } from './schema';
import {
  JsonSchema,
  KeySchema,
  LimitSchema,
  TrueupItemStatusSchema,
  nowIso,
  parseInput,
  readJson,
  writeJson,
  type Json,
  type TrueupItemStatus,
} from './values';

/** One line of a true-up plan: what it would change, and whether the operator approved it. */
export interface TrueupItem {
  connection: string;
  trueupId: string;
  itemId: string;
  /** Entity kind the item is about. */
  kind: string;
  /** e.g. link | overwrite | recreate | deactivate */
  action: string;
  status: TrueupItemStatus;
  payload: Json;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TrueupItemInput {
  connection: string;
  trueupId: string;
  itemId: string;
  kind: string;
  action: string;
  /** Written when given; a new item without one is `proposed`, an existing one keeps its status. */
  status?: TrueupItemStatus;
  payload: Json;
  reason?: string | null;
}

export interface ListTrueupItemsOptions {
  status?: TrueupItemStatus | readonly TrueupItemStatus[];
  kind?: string;
  afterItemId?: string;
  limit: number;
}

export interface TrueupItemMark {
  status: TrueupItemStatus;
  reason?: string | null;
  fromStatus?: readonly TrueupItemStatus[];
}

export type TrueupItemCounts = Record<string, Partial<Record<TrueupItemStatus, number>>>;

const ItemSchema = z.object({
  connection: KeySchema,
  trueupId: KeySchema,
  itemId: KeySchema,
  kind: KeySchema,
  action: KeySchema,
  status: TrueupItemStatusSchema.optional(),
  payload: JsonSchema,
  reason: z.string().nullable().optional(),
});
const ITEM_COLUMNS = 10;

function toItem(row: Selectable<TrueupItemsTable>): TrueupItem {
  return {
    connection: row.connection,
    trueupId: row.trueup_id,
    itemId: row.item_id,
    kind: row.kind,
    action: row.action,
    status: TrueupItemStatusSchema.parse(row.status),
    payload: readJson(row.payload, JsonSchema, 'trueup_items.payload'),
    reason: row.reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Inserts or replaces plan items in one transaction (a re-diff rewrites what each item would change). */
export async function upsertTrueupItems(db: Kysely<Database>, rows: readonly TrueupItemInput[]): Promise<void> {
  const parsed = lastPerKey(parseInput(z.array(ItemSchema), rows, 'trueup items'), (r) => `${r.connection}\u0000${r.trueupId}\u0000${r.itemId}`);
  if (parsed.length === 0) return;
  const now = nowIso();
  const toRow = (r: (typeof parsed)[number]) => ({
    connection: r.connection,
    trueup_id: r.trueupId,
    item_id: r.itemId,
    kind: r.kind,
    action: r.action,
    status: r.status ?? 'proposed',
    payload: writeJson(r.payload, 'payload'),
    reason: r.reason ?? null,
    created_at: now,
    updated_at: now,
  });
  // Rows that carry a status overwrite it; rows without one keep the stored status: two statement shapes.
  const groups = [parsed.filter((r) => r.status !== undefined), parsed.filter((r) => r.status === undefined)];
  await db.transaction().execute(async (trx) => {
    for (const [index, group] of groups.entries()) {
      for (const part of chunk(group.map(toRow), rowsPerStatement(ITEM_COLUMNS))) {
        await trx
          .insertInto('trueup_items')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['connection', 'trueup_id', 'item_id']).doUpdateSet((eb) => ({
              kind: eb.ref('excluded.kind'),
              action: eb.ref('excluded.action'),
              payload: eb.ref('excluded.payload'),
              reason: eb.ref('excluded.reason'),
              updated_at: eb.ref('excluded.updated_at'),
              ...(index === 0 ? { status: eb.ref('excluded.status') } : {}),
            })),
          )
          .execute();
      }
    }
  });
}

export async function listTrueupItems(db: Kysely<Database>, connection: string, trueupId: string, options: ListTrueupItemsOptions): Promise<TrueupItem[]> {
  const limit = parseInput(LimitSchema, options.limit, 'limit');
  let query = db.selectFrom('trueup_items').selectAll().where('connection', '=', connection).where('trueup_id', '=', trueupId);
  if (options.status !== undefined) {
    const statuses = parseInput(z.array(TrueupItemStatusSchema).min(1), typeof options.status === 'string' ? [options.status] : options.status, 'status');
    query = query.where('status', 'in', statuses);
  }
  if (options.kind !== undefined) query = query.where('kind', '=', options.kind);
  if (options.afterItemId !== undefined) query = query.where('item_id', '>', options.afterItemId);
  const rows = await query.orderBy('item_id').limit(limit).execute();
  return rows.map(toItem);
}

/** Sets the status of these items (approve, reject, applied…); returns how many changed. */
export async function markTrueupItems(db: Kysely<Database>, connection: string, trueupId: string, itemIds: readonly string[], mark: TrueupItemMark): Promise<number> {
  const status = parseInput(TrueupItemStatusSchema, mark.status, 'status');
  const from = mark.fromStatus === undefined ? undefined : parseInput(z.array(TrueupItemStatusSchema), mark.fromStatus, 'fromStatus');
  const ids = distinct(parseInput(z.array(KeySchema), itemIds, 'itemIds'));
  if (ids.length === 0 || (from && from.length === 0)) return 0;
  let changed = 0;
  await db.transaction().execute(async (trx) => {
    for (const part of chunk(ids, rowsPerStatement(1))) {
      let query = trx
        .updateTable('trueup_items')
        .set({ status, reason: mark.reason ?? null, updated_at: nowIso() })
        .where('connection', '=', connection)
        .where('trueup_id', '=', trueupId)
        .where('item_id', 'in', part);
      if (from) query = query.where('status', 'in', from);
      changed += Number((await query.executeTakeFirst()).numUpdatedRows);
    }
  });
  return changed;
}

/** Items per kind per status, for the true-up's `status` query. */
export async function trueupItemCounts(db: Kysely<Database>, connection: string, trueupId: string): Promise<TrueupItemCounts> {
  const rows = await db
    .selectFrom('trueup_items')
    .select(['kind', 'status', (eb) => eb.fn.countAll().as('n')])
    .where('connection', '=', connection)
    .where('trueup_id', '=', trueupId)
    .groupBy(['kind', 'status'])
    .execute();
  const out: TrueupItemCounts = {};
  for (const row of rows) (out[row.kind] ??= {})[TrueupItemStatusSchema.parse(row.status)] = Number(row.n);
  return out;
}
