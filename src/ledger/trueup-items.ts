import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { EntityKindSchema, type EntityKind } from '../config/schema';
import {
  ApproveSchema,
  EvidenceSchema,
  RejectSchema,
  TrueupActionSchema,
  TrueupItemSchema,
  TrueupItemStateSchema,
  type ApproveInput,
  type ApproveResult,
  type TrueupAction,
  type TrueupCounts,
  type TrueupItem,
  type TrueupItemState,
} from '../contracts/trueup';
import { chunk, distinct, lastPerKey, rowsPerStatement } from './batch';
import type { LedgerFlavor } from './database';
import type { Database, TrueupItemsTable } from './schema';
import { KeySchema, LimitSchema, nowIso, parseInput, readJson, writeJson } from './values';

/**
 * The true-up plan (issue 10, migration 0008): one row per item, shaped by src/contracts/trueup.ts. The
 * workflow carries counts and cursors; everything else lives here. An item's life:
 *
 *   proposed → approved (approveTrueupItems, which records the content hash approved) → applied → verified
 *   proposed | approved | withdrawn | failed → rejected (rejectTrueupItems; a listed rejected item may be approved again)
 *   approved | applied → failed (with the reason) → approved again, or applied
 *   approved → withdrawn: a re-diff changed the item (upsertTrueupPlan); the operator approves it again
 *   any state but applied/verified → resolved: a re-diff no longer finds it (resolveUnseenTrueupItems);
 *   found again, it is proposed again
 *
 * Applied and verified items are history: a re-diff only records that it saw them.
 */

// ---------------------------------------------------------------------------------------------------
// Values

/** PostgreSQL `integer`. */
const MAX_INT4 = 2_147_483_647;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text stored as a column (not inside JSON) must read back exactly on both databases: PostgreSQL text
 * cannot hold NUL, and a lone UTF-16 surrogate has no UTF-8 encoding. (Evidence is JSON, which escapes
 * both, so it carries any string.)
 */
function storable<T extends z.ZodString>(schema: T) {
  return schema
    .refine((s) => !s.includes('\u0000'), 'NUL cannot be stored')
    .refine((s) => !LONE_SURROGATE.test(s), 'a lone UTF-16 surrogate cannot be stored');
}
const ItemKeySchema = storable(KeySchema);
const TextSchema = storable(z.string());
const GenerationSchema = z.int().min(0).max(MAX_INT4);
const EvidenceListSchema = z.array(EvidenceSchema);
const itemIdsSchema = z.array(ItemKeySchema).max(100_000);

/** One item of a diff, as the plan builder hands it to upsertTrueupPlan. */
const PlanItemInputSchema = z.strictObject({
  itemId: ItemKeySchema,
  kind: EntityKindSchema,
  action: TrueupActionSchema,
  confidence: TrueupItemSchema.shape.confidence,
  sageKey: ItemKeySchema.nullable(),
  sageId: ItemKeySchema.nullable(),
  assignarId: ItemKeySchema.nullable(),
  summary: TextSchema,
  evidence: EvidenceListSchema,
  contentHash: ItemKeySchema,
  /** Why the item is left / what a person must do; written while the item is proposed. Default null. */
  reason: TextSchema.nullable().optional(),
});
export type TrueupPlanItemInput = z.input<typeof PlanItemInputSchema>;

/** A plan item as stored: the contract's TrueupItem and its history. */
export interface TrueupPlanItem extends TrueupItem {
  /** The last diff that saw the item. */
  generation: number;
  decidedBy: string | null;
  decidedAt: string | null;
  appliedAt: string | null;
  verifiedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What one upsertTrueupPlan did, per item given. */
export interface TrueupPlanResult {
  /** New items (proposed). */
  added: number;
  /** Items whose content changed (fields replaced, state kept), and resolved items found again (proposed again). */
  changed: number;
  /** Approved items whose content changed: their approval is withdrawn and the operator must approve them again. */
  withdrawn: number;
  /** Items seen again as they were (and applied or verified items, which a re-diff never changes). */
  unchanged: number;
}

/** `approve`'s selector: the contract's ApproveInput without `by` (which approveTrueupItems takes apart). */
export type TrueupApproveSelector = Omit<ApproveInput, 'by'>;

export interface TrueupRejectResult {
  rejected: number;
  errors: ApproveResult['errors'];
}

export interface ListTrueupItemsOptions {
  states?: readonly TrueupItemState[];
  actions?: readonly TrueupAction[];
  kind?: EntityKind;
  /** Only items with a confidence at or above this (items without one are left out). */
  minConfidence?: number;
  /** Keyset paging on the item id (bytewise order). */
  afterItemId?: string;
  limit: number;
}

const ListOptionsSchema = z.object({
  states: z.array(TrueupItemStateSchema).min(1).optional(),
  actions: z.array(TrueupActionSchema).min(1).optional(),
  kind: EntityKindSchema.optional(),
  minConfidence: z.number().min(0).max(1).optional(),
  afterItemId: z.string().optional(),
  limit: LimitSchema,
});

/** The transitions markTrueupItems makes (what applying and verifying record), and the states each may come from. */
const MARK_TRANSITIONS = {
  /** Written to the systems (a failed item the apply found done after all may be marked applied too). */
  applied: ['approved', 'failed'],
  /** Checked against both systems after applying. */
  verified: ['applied'],
  /** Applying or verifying failed (a reason is required); approving it again retries it. */
  failed: ['approved', 'applied'],
} as const satisfies Record<string, readonly TrueupItemState[]>;
type MarkState = keyof typeof MARK_TRANSITIONS;
const MarkStateSchema = z.enum(Object.keys(MARK_TRANSITIONS) as [MarkState, ...MarkState[]]);

const MarkSchema = z
  .object({
    state: MarkStateSchema,
    /** Required when failing; otherwise cleared (null) when omitted. */
    reason: TextSchema.min(1).nullable().optional(),
    /** Compare-and-set: only items in one of these (default: every state the target may come from). */
    fromStates: z.array(TrueupItemStateSchema).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.state === 'failed' && !m.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a failed item needs a reason' });
    const allowed: readonly TrueupItemState[] = MARK_TRANSITIONS[m.state];
    for (const [i, from] of (m.fromStates ?? []).entries()) {
      if (!allowed.includes(from)) ctx.addIssue({ code: 'custom', path: ['fromStates', i], message: `an item never moves from ${from} to ${m.state} (only from ${allowed.join(', ')})` });
    }
  });
export type TrueupItemMark = z.input<typeof MarkSchema>;

/** Columns per inserted row (TrueupItemsTable). */
const ITEM_COLUMNS = 22;
/** States a bulk approval picks up; a listed item may also be approved out of `rejected`. */
const APPROVABLE: readonly TrueupItemState[] = ['proposed', 'withdrawn', 'failed'];
const APPROVABLE_LISTED: readonly TrueupItemState[] = [...APPROVABLE, 'rejected'];
const REJECTABLE: readonly TrueupItemState[] = ['proposed', 'withdrawn', 'approved', 'failed'];
/** States a re-diff resolves when it no longer finds the item. */
const RESOLVABLE: readonly TrueupItemState[] = ['proposed', 'approved', 'withdrawn', 'failed', 'rejected'];

export const withdrawnReason = (generation: number): string => `changed by re-diff ${generation}: approve it again`;
export const resolvedReason = (generation: number): string => `no longer found by re-diff ${generation}`;

// ---------------------------------------------------------------------------------------------------
// Helpers

function toItem(row: Selectable<TrueupItemsTable>): TrueupPlanItem {
  return {
    itemId: row.item_id,
    kind: EntityKindSchema.parse(row.kind),
    action: TrueupActionSchema.parse(row.action),
    state: TrueupItemStateSchema.parse(row.state),
    confidence: row.confidence === null ? null : Number(row.confidence),
    sageKey: row.sage_key,
    sageId: row.sage_id,
    assignarId: row.assignar_id,
    summary: row.summary,
    evidence: readJson(row.evidence, EvidenceListSchema, 'trueup_items.evidence'),
    contentHash: row.content_hash,
    approvedHash: row.approved_hash,
    reason: row.reason,
    generation: Number(row.generation),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    appliedAt: row.applied_at,
    verifiedAt: row.verified_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function checkScope(connection: string, trueupId: string): void {
  parseInput(ItemKeySchema, connection, 'connection');
  parseInput(ItemKeySchema, trueupId, 'trueupId');
}

type ItemRow = Selectable<TrueupItemsTable>;

/**
 * The stored rows of these items (unknown ids left out), a statement per bind-parameter budget. With
 * `lock` (PostgreSQL, inside a transaction) the rows stay locked until it ends, so what is decided from
 * them still holds when it is written.
 */
async function selectRows(db: Kysely<Database>, connection: string, trueupId: string, itemIds: readonly string[], lock = false): Promise<ItemRow[]> {
  const rows: ItemRow[] = [];
  for (const part of chunk(distinct(itemIds), rowsPerStatement(1))) {
    rows.push(
      ...(await db
        .selectFrom('trueup_items')
        .selectAll()
        .where('connection', '=', connection)
        .where('trueup_id', '=', trueupId)
        .where('item_id', 'in', part)
        .$if(lock, (q) => q.forUpdate())
        .orderBy('item_id')
        .execute()),
    );
  }
  return rows;
}

/** Why a listed item cannot be approved or rejected, for the states neither can move from. */
function finalStateError(row: ItemRow | undefined): string | undefined {
  if (!row) return 'unknown item';
  if (row.state === 'applied') return 'already applied';
  if (row.state === 'verified') return 'already applied and verified';
  if (row.state === 'resolved') return `no longer needed: ${row.reason ?? 'a re-diff no longer finds it'}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// The plan

/**
 * Records one diff's items (generation 1, 2, … one per re-diff; a large diff may come in several calls of
 * the same generation), in one transaction:
 * - a new item is `proposed`;
 * - an item seen again with the same content hash only records the generation (an approval stands);
 * - an item whose content hash changed takes the new fields and keeps its state, except that an
 *   `approved` one is `withdrawn` (its approved hash kept, the reason says to approve it again) and a
 *   `resolved` one is `proposed` again (as it is when it comes back unchanged);
 * - `applied` and `verified` items are never changed: only the generation moves.
 * An item given twice counts once (the last). Returns what happened, per item given.
 */
export async function upsertTrueupPlan(
  db: Kysely<Database>,
  flavor: LedgerFlavor,
  connection: string,
  trueupId: string,
  generation: number,
  items: readonly TrueupPlanItemInput[],
): Promise<TrueupPlanResult> {
  checkScope(connection, trueupId);
  const gen = parseInput(GenerationSchema, generation, 'generation');
  const parsed = lastPerKey(parseInput(z.array(PlanItemInputSchema), items, 'true-up items'), (i) => i.itemId);
  const result: TrueupPlanResult = { added: 0, changed: 0, withdrawn: 0, unchanged: 0 };
  if (parsed.length === 0) return result;
  const now = nowIso();
  type Parsed = (typeof parsed)[number];
  const toRow = (item: Parsed, state: TrueupItemState, reason: string | null) => ({
    connection,
    trueup_id: trueupId,
    item_id: item.itemId,
    kind: item.kind,
    action: item.action,
    state,
    confidence: item.confidence,
    sage_key: item.sageKey,
    sage_id: item.sageId,
    assignar_id: item.assignarId,
    summary: item.summary,
    evidence: writeJson(item.evidence, `${item.itemId}.evidence`),
    content_hash: item.contentHash,
    approved_hash: null,
    reason,
    generation: gen,
    decided_by: null,
    decided_at: null,
    applied_at: null,
    verified_at: null,
    created_at: now,
    updated_at: now,
  });

  await db.transaction().execute(async (trx) => {
    const stored = new Map((await selectRows(trx, connection, trueupId, parsed.map((i) => i.itemId), flavor === 'postgres')).map((r) => [r.item_id, r]));
    const writes: Array<ReturnType<typeof toRow>> = [];
    const touched: string[] = [];
    for (const item of parsed) {
      const old = stored.get(item.itemId);
      const state = old && TrueupItemStateSchema.parse(old.state);
      if (!old || !state) {
        result.added += 1;
        writes.push(toRow(item, 'proposed', item.reason ?? null));
      } else if (state === 'applied' || state === 'verified' || (old.content_hash === item.contentHash && state !== 'resolved')) {
        result.unchanged += 1;
        touched.push(item.itemId);
      } else if (state === 'resolved' || state === 'proposed') {
        result.changed += 1;
        writes.push(toRow(item, 'proposed', item.reason ?? null));
      } else if (state === 'approved' || state === 'withdrawn') {
        // A withdrawn item changed again is still withdrawn; the reason names the latest re-diff.
        result[state === 'approved' ? 'withdrawn' : 'changed'] += 1;
        writes.push(toRow(item, 'withdrawn', withdrawnReason(gen)));
      } else {
        // rejected, failed: the operator's decision (and its reason, or the failure's) stands.
        result.changed += 1;
        writes.push(toRow(item, state, old.reason));
      }
    }
    for (const part of chunk(writes, rowsPerStatement(ITEM_COLUMNS))) {
      await trx
        .insertInto('trueup_items')
        .values(part)
        .onConflict((oc) =>
          // approved_hash, the decision and the apply/verify times are the item's history: kept.
          oc.columns(['connection', 'trueup_id', 'item_id']).doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            action: eb.ref('excluded.action'),
            state: eb.ref('excluded.state'),
            confidence: eb.ref('excluded.confidence'),
            sage_key: eb.ref('excluded.sage_key'),
            sage_id: eb.ref('excluded.sage_id'),
            assignar_id: eb.ref('excluded.assignar_id'),
            summary: eb.ref('excluded.summary'),
            evidence: eb.ref('excluded.evidence'),
            content_hash: eb.ref('excluded.content_hash'),
            reason: eb.ref('excluded.reason'),
            generation: eb.ref('excluded.generation'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
    for (const part of chunk(touched, rowsPerStatement(1))) {
      await trx
        .updateTable('trueup_items')
        .set({ generation: gen, updated_at: now })
        .where('connection', '=', connection)
        .where('trueup_id', '=', trueupId)
        .where('item_id', 'in', part)
        .execute();
    }
  });
  return result;
}

/**
 * After every item of diff `generation` is recorded: the items it did not see (an older generation) that
 * still wait for a decision or an apply (proposed, approved, withdrawn, failed, rejected) are `resolved`,
 * fixed elsewhere. Applied and verified items stay. Returns how many were resolved.
 */
export async function resolveUnseenTrueupItems(db: Kysely<Database>, connection: string, trueupId: string, generation: number): Promise<number> {
  checkScope(connection, trueupId);
  const gen = parseInput(GenerationSchema, generation, 'generation');
  const result = await db
    .updateTable('trueup_items')
    .set({ state: 'resolved', reason: resolvedReason(gen), updated_at: nowIso() })
    .where('connection', '=', connection)
    .where('trueup_id', '=', trueupId)
    .where('generation', '<', gen)
    .where('state', 'in', RESOLVABLE)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// ---------------------------------------------------------------------------------------------------
// Decisions

/**
 * Approves the items the selector names (several criteria: all of them must hold): `all`, one `action`,
 * a `minConfidence` (items without a confidence never match it), listed `items`. Approving records the
 * item's content hash (`approved_hash`), who and when, and clears the reason. Items proposed, withdrawn or
 * failed qualify, and a rejected one when it is listed; `leave` items never do. Bulk criteria skip what
 * does not qualify; each listed item that cannot be approved is an error with the reason (unknown, already
 * applied, no longer needed, nothing to apply, not matching the other criteria). A listed item already
 * approved is neither an error nor counted. One transaction.
 */
export async function approveTrueupItems(
  db: Kysely<Database>,
  connection: string,
  trueupId: string,
  selector: TrueupApproveSelector,
  by?: string,
): Promise<ApproveResult> {
  checkScope(connection, trueupId);
  const s = parseInput(ApproveSchema, { ...selector, ...(by !== undefined ? { by } : {}) }, 'approve');
  if (s.items) parseInput(itemIdsSchema, s.items, 'approve.items');
  if (s.by !== undefined) parseInput(TextSchema, s.by, 'approve.by');
  const now = nowIso();
  const set = { state: 'approved', decided_by: s.by ?? null, decided_at: now, reason: null, updated_at: now } as const;

  return db.transaction().execute(async (trx) => {
    if (!s.items) {
      let query = trx
        .updateTable('trueup_items')
        .set((eb) => ({ ...set, approved_hash: eb.ref('content_hash') }))
        .where('connection', '=', connection)
        .where('trueup_id', '=', trueupId)
        .where('state', 'in', APPROVABLE)
        .where('action', '<>', 'leave');
      if (s.action !== undefined) query = query.where('action', '=', s.action);
      if (s.minConfidence !== undefined) query = query.where('confidence', '>=', s.minConfidence);
      return { approved: Number((await query.executeTakeFirst()).numUpdatedRows), errors: [] };
    }

    const ids = distinct(s.items);
    const rows = new Map((await selectRows(trx, connection, trueupId, ids)).map((r) => [r.item_id, r]));
    const errors: ApproveResult['errors'] = [];
    const eligible: string[] = [];
    for (const itemId of ids) {
      const row = rows.get(itemId);
      let reason = finalStateError(row);
      if (!reason && row) {
        if (row.state === 'approved') continue;
        if (row.action === 'leave') reason = `nothing to apply (leave)${row.reason ? `: ${row.reason}` : ''}`;
        else if (s.action !== undefined && row.action !== s.action) reason = `not a ${s.action} item (it is ${row.action})`;
        else if (s.minConfidence !== undefined && (row.confidence === null || Number(row.confidence) < s.minConfidence)) {
          reason = `confidence ${row.confidence === null ? 'none' : String(Number(row.confidence))} is below ${s.minConfidence}`;
        }
      }
      if (reason) errors.push({ itemId, reason });
      else eligible.push(itemId);
    }
    let approved = 0;
    for (const part of chunk(eligible, rowsPerStatement(1))) {
      const result = await trx
        .updateTable('trueup_items')
        .set((eb) => ({ ...set, approved_hash: eb.ref('content_hash') }))
        .where('connection', '=', connection)
        .where('trueup_id', '=', trueupId)
        .where('item_id', 'in', part)
        .where('state', 'in', APPROVABLE_LISTED)
        .where('action', '<>', 'leave')
        .executeTakeFirst();
      approved += Number(result.numUpdatedRows);
    }
    return { approved, errors };
  });
}

/**
 * Rejects listed items (proposed, withdrawn, approved or failed), recording who, when and why; a rejected
 * item is never applied (approving it by id again is allowed). Unknown, applied, verified and resolved
 * items are errors; an item already rejected is neither an error nor counted. One transaction.
 */
export async function rejectTrueupItems(
  db: Kysely<Database>,
  connection: string,
  trueupId: string,
  itemIds: readonly string[],
  by?: string,
  reason?: string,
): Promise<TrueupRejectResult> {
  checkScope(connection, trueupId);
  const r = parseInput(
    RejectSchema,
    { items: itemIds, ...(by !== undefined ? { by } : {}), ...(reason !== undefined ? { reason } : {}) },
    'reject',
  );
  parseInput(itemIdsSchema, r.items, 'reject.items');
  if (r.by !== undefined) parseInput(TextSchema, r.by, 'reject.by');
  if (r.reason !== undefined) parseInput(TextSchema, r.reason, 'reject.reason');
  const now = nowIso();
  return db.transaction().execute(async (trx) => {
    const ids = distinct(r.items);
    const rows = new Map((await selectRows(trx, connection, trueupId, ids)).map((row) => [row.item_id, row]));
    const errors: TrueupRejectResult['errors'] = [];
    const eligible: string[] = [];
    for (const itemId of ids) {
      const row = rows.get(itemId);
      const error = finalStateError(row);
      if (error) errors.push({ itemId, reason: error });
      else if (row?.state !== 'rejected') eligible.push(itemId);
    }
    let rejected = 0;
    for (const part of chunk(eligible, rowsPerStatement(1))) {
      const result = await trx
        .updateTable('trueup_items')
        .set({ state: 'rejected', reason: r.reason ?? null, decided_by: r.by ?? null, decided_at: now, updated_at: now })
        .where('connection', '=', connection)
        .where('trueup_id', '=', trueupId)
        .where('item_id', 'in', part)
        .where('state', 'in', REJECTABLE)
        .executeTakeFirst();
      rejected += Number(result.numUpdatedRows);
    }
    return { rejected, errors };
  });
}

// ---------------------------------------------------------------------------------------------------
// Reading

/** A page of a true-up's items in item id order (bytewise), filtered by state, action, kind and confidence. */
export async function listTrueupItems(db: Kysely<Database>, connection: string, trueupId: string, options: ListTrueupItemsOptions): Promise<TrueupPlanItem[]> {
  checkScope(connection, trueupId);
  const o = parseInput(ListOptionsSchema, options, 'options');
  let query = db.selectFrom('trueup_items').selectAll().where('connection', '=', connection).where('trueup_id', '=', trueupId);
  if (o.states) query = query.where('state', 'in', o.states);
  if (o.actions) query = query.where('action', 'in', o.actions);
  if (o.kind !== undefined) query = query.where('kind', '=', o.kind);
  if (o.minConfidence !== undefined) query = query.where('confidence', '>=', o.minConfidence);
  if (o.afterItemId !== undefined) query = query.where('item_id', '>', o.afterItemId);
  const rows = await query.orderBy('item_id').limit(o.limit).execute();
  return rows.map(toItem);
}

/** These items as stored, in item id order (bytewise); unknown ids are left out. */
export async function getTrueupItems(db: Kysely<Database>, connection: string, trueupId: string, itemIds: readonly string[]): Promise<TrueupPlanItem[]> {
  checkScope(connection, trueupId);
  const rows = await selectRows(db, connection, trueupId, parseInput(itemIdsSchema, itemIds, 'itemIds'));
  // Chunks are each in order; the whole is sorted bytewise as the databases sort.
  return rows.sort((a, b) => Buffer.compare(Buffer.from(a.item_id), Buffer.from(b.item_id))).map(toItem);
}

/**
 * A page of what may be applied: approved items whose approval is for their current content
 * (approved_hash = content_hash), in item id order.
 */
export async function listApprovedTrueupItems(
  db: Kysely<Database>,
  connection: string,
  trueupId: string,
  options: { afterItemId?: string; limit: number },
): Promise<TrueupPlanItem[]> {
  checkScope(connection, trueupId);
  const limit = parseInput(LimitSchema, options.limit, 'limit');
  let query = db
    .selectFrom('trueup_items')
    .selectAll()
    .where('connection', '=', connection)
    .where('trueup_id', '=', trueupId)
    .where('state', '=', 'approved')
    .whereRef('approved_hash', '=', 'content_hash');
  if (options.afterItemId !== undefined) query = query.where('item_id', '>', parseInput(z.string(), options.afterItemId, 'afterItemId'));
  const rows = await query.orderBy('item_id').limit(limit).execute();
  return rows.map(toItem);
}

/**
 * Records applying and verifying: items move to `applied` (setting applied_at), `verified` (setting
 * verified_at) or `failed` (with the reason), compare-and-set on their current state (`fromStates`, by
 * default every state the target may come from; see MARK_TRANSITIONS). Returns how many changed; an item
 * that moved on meanwhile (withdrawn by a re-diff, rejected) changes nothing.
 */
export async function markTrueupItems(db: Kysely<Database>, connection: string, trueupId: string, itemIds: readonly string[], mark: TrueupItemMark): Promise<number> {
  checkScope(connection, trueupId);
  const m = parseInput(MarkSchema, mark, 'mark');
  const ids = distinct(parseInput(itemIdsSchema, itemIds, 'itemIds'));
  const from = m.fromStates ?? MARK_TRANSITIONS[m.state];
  if (ids.length === 0 || from.length === 0) return 0;
  const now = nowIso();
  let changed = 0;
  await db.transaction().execute(async (trx) => {
    for (const part of chunk(ids, rowsPerStatement(1))) {
      const result = await trx
        .updateTable('trueup_items')
        .set({
          state: m.state,
          reason: m.reason ?? null,
          updated_at: now,
          ...(m.state === 'applied' ? { applied_at: now } : {}),
          ...(m.state === 'verified' ? { verified_at: now } : {}),
        })
        .where('connection', '=', connection)
        .where('trueup_id', '=', trueupId)
        .where('item_id', 'in', part)
        .where('state', 'in', from)
        .executeTakeFirst();
      changed += Number(result.numUpdatedRows);
    }
  });
  return changed;
}

/** Items per action per state, as the true-up's `status` shows them. */
export async function trueupCounts(db: Kysely<Database>, connection: string, trueupId: string): Promise<TrueupCounts> {
  checkScope(connection, trueupId);
  const rows = await db
    .selectFrom('trueup_items')
    .select(['action', 'state', (eb) => eb.fn.countAll().as('n')])
    .where('connection', '=', connection)
    .where('trueup_id', '=', trueupId)
    .groupBy(['action', 'state'])
    .execute();
  const out: TrueupCounts = {};
  for (const row of rows) (out[row.action] ??= {})[TrueupItemStateSchema.parse(row.state)] = Number(row.n);
  return out;
}
