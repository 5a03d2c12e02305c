import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { EntityKind } from '../config/schema';
import { chunk, distinct, keyOf, lastPerKey, rowsPerStatement } from './batch';
import { withConstraintErrors } from './errors';
import type { Database, LinksTable } from './schema';
import {
  KeySchema,
  LimitSchema,
  LinkKindSchema,
  LinkStatusSchema,
  TimestampSchema,
  nowIso,
  parseInput,
  toIso,
  type JsonObject,
  type LinkStatus,
  type Timestamp,
} from './values';

/** A Sage Intacct record and the Assignar record it feeds. */
export interface Link {
  connection: string;
  kind: EntityKind;
  /** Sage Intacct RECORDNO, as text. */
  sageKey: string;
  /** Readable Sage Intacct ID (EMPLOYEEID, …; PROJECTID:TASKID for work orders). */
  sageId: string;
  /** Assignar id, as decimal text. */
  assignarId: string;
  /** Canonical hash of what was last written to Assignar. */
  contentHash: string | null;
  /** Assignar's modified_time seen right after our last write (ISO-8601 UTC). */
  assignarModifiedAt: string | null;
  /** The payload last written to Assignar; null before the first write. */
  payload: JsonObject | null;
  status: LinkStatus;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

const LinkInputSchema = z.object({
  connection: KeySchema,
  kind: LinkKindSchema,
  sageKey: KeySchema,
  sageId: z.string().min(1),
  assignarId: KeySchema,
  contentHash: z.string().min(1).nullable(),
  assignarModifiedAt: TimestampSchema.nullable().optional(),
  payload: z.record(z.string(), z.unknown()).nullable().optional(),
  status: LinkStatusSchema.optional(),
  reason: z.string().nullable().optional(),
});

/**
 * A link as written by upsertLinks. Every field is written (a missing `assignarModifiedAt` or `reason`
 * is stored as null; a missing `status` as `active`); `createdAt` is kept from the first write.
 */
export interface LinkInput {
  connection: string;
  kind: EntityKind;
  sageKey: string;
  sageId: string;
  assignarId: string;
  contentHash: string | null;
  assignarModifiedAt?: Timestamp | null;
  payload?: JsonObject | null;
  status?: LinkStatus;
  reason?: string | null;
}

export interface ListLinksOptions {
  status?: LinkStatus | readonly LinkStatus[];
  /** Keyset paging: only links whose sage_key sorts after this one (bytewise text order). */
  afterSageKey?: string;
  limit: number;
}

/** A status change applied by markLinks. Fields left undefined are not touched, except `reason` (cleared). */
export interface LinkMark {
  status: LinkStatus;
  reason?: string | null;
  contentHash?: string | null;
  assignarModifiedAt?: Timestamp | null;
  /** Only change links currently in one of these statuses (e.g. release `held` links only). */
  fromStatus?: readonly LinkStatus[];
}

const LINK_COLUMNS = 12;

function toLink(row: Selectable<LinksTable>): Link {
  return {
    connection: row.connection,
    kind: LinkKindSchema.parse(row.kind),
    sageKey: row.sage_key,
    sageId: row.sage_id,
    assignarId: row.assignar_id,
    contentHash: row.content_hash,
    assignarModifiedAt: row.assignar_modified_at,
    payload: row.payload === null ? null : (JSON.parse(row.payload) as JsonObject),
    status: LinkStatusSchema.parse(row.status),
    reason: row.reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const keysSchema = z.array(KeySchema).max(100_000);

async function selectIn(db: Kysely<Database>, connection: string, kind: EntityKind, column: 'sage_key' | 'sage_id' | 'assignar_id', keys: readonly string[]): Promise<Link[]> {
  parseInput(LinkKindSchema, kind, 'link kind');
  const wanted = distinct(parseInput(keysSchema, keys, column));
  if (wanted.length === 0) return [];
  const out: Link[] = [];
  for (const part of chunk(wanted, rowsPerStatement(1))) {
    const rows = await db
      .selectFrom('links')
      .selectAll()
      .where('connection', '=', connection)
      .where('kind', '=', kind)
      .where(column, 'in', part)
      .orderBy(column)
      .execute();
    out.push(...rows.map(toLink));
  }
  return out;
}

/** The links of these Sage keys (RECORDNOs) that exist; one query per page of keys. */
export function getLinksBySageKeys(db: Kysely<Database>, connection: string, kind: EntityKind, sageKeys: readonly string[]): Promise<Link[]> {
  return selectIn(db, connection, kind, 'sage_key', sageKeys);
}

/** The links of these readable Sage Intacct IDs (CUSTOMERID, PROJECTID, …) that exist. */
export function getLinksBySageIds(db: Kysely<Database>, connection: string, kind: EntityKind, sageIds: readonly string[]): Promise<Link[]> {
  return selectIn(db, connection, kind, 'sage_id', sageIds);
}

/** The links of these Assignar ids that exist; one query per page of ids. */
export function getLinksByAssignarIds(db: Kysely<Database>, connection: string, kind: EntityKind, assignarIds: readonly string[]): Promise<Link[]> {
  return selectIn(db, connection, kind, 'assignar_id', assignarIds);
}

/**
 * Inserts or updates links by (connection, kind, sageKey), in one transaction. Idempotent: writing the
 * same rows twice leaves the same state. A row whose Assignar id is already linked to another Sage key
 * fails the whole batch with LedgerConstraintError (two Sage records would feed one Assignar record).
 */
export async function upsertLinks(db: Kysely<Database>, rows: readonly LinkInput[]): Promise<void> {
  const parsed = parseInput(z.array(LinkInputSchema), rows, 'links');
  if (parsed.length === 0) return;
  const now = nowIso();
  const values = lastPerKey(parsed, (r) => keyOf(r.connection, r.kind, r.sageKey)).map((r) => ({
    connection: r.connection,
    kind: r.kind,
    sage_key: r.sageKey,
    sage_id: r.sageId,
    assignar_id: r.assignarId,
    content_hash: r.contentHash,
    assignar_modified_at: r.assignarModifiedAt == null ? null : toIso(r.assignarModifiedAt, 'assignarModifiedAt'),
    payload: r.payload == null ? null : JSON.stringify(r.payload),
    status: r.status ?? 'active',
    reason: r.reason ?? null,
    created_at: now,
    updated_at: now,
  }));
  await withConstraintErrors('upsertLinks', () =>
    db.transaction().execute(async (trx) => {
      for (const part of chunk(values, rowsPerStatement(LINK_COLUMNS))) {
        await trx
          .insertInto('links')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['connection', 'kind', 'sage_key']).doUpdateSet((eb) => ({
              sage_id: eb.ref('excluded.sage_id'),
              assignar_id: eb.ref('excluded.assignar_id'),
              content_hash: eb.ref('excluded.content_hash'),
              assignar_modified_at: eb.ref('excluded.assignar_modified_at'),
              payload: eb.ref('excluded.payload'),
              status: eb.ref('excluded.status'),
              reason: eb.ref('excluded.reason'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
    }),
  );
}

/** One page of links in sage_key order (keyset paging: pass the last sageKey as `afterSageKey`). */
export async function listLinks(db: Kysely<Database>, connection: string, kind: EntityKind, options: ListLinksOptions): Promise<Link[]> {
  parseInput(LinkKindSchema, kind, 'link kind');
  const limit = parseInput(LimitSchema, options.limit, 'limit');
  const statuses = options.status === undefined ? undefined : parseInput(z.array(LinkStatusSchema).min(1), typeof options.status === 'string' ? [options.status] : options.status, 'status');
  let query = db.selectFrom('links').selectAll().where('connection', '=', connection).where('kind', '=', kind);
  if (statuses) query = query.where('status', 'in', statuses);
  if (options.afterSageKey !== undefined) query = query.where('sage_key', '>', options.afterSageKey);
  const rows = await query.orderBy('sage_key').limit(limit).execute();
  return rows.map(toLink);
}

/** Sets the status (and optionally hash / modified time) of these links in one statement; returns how many changed. */
export async function markLinks(db: Kysely<Database>, connection: string, kind: EntityKind, sageKeys: readonly string[], mark: LinkMark): Promise<number> {
  parseInput(LinkKindSchema, kind, 'link kind');
  const status = parseInput(LinkStatusSchema, mark.status, 'status');
  const from = mark.fromStatus === undefined ? undefined : parseInput(z.array(LinkStatusSchema), mark.fromStatus, 'fromStatus');
  const keys = distinct(parseInput(keysSchema, sageKeys, 'sageKeys'));
  if (keys.length === 0 || (from && from.length === 0)) return 0;
  const set: Partial<LinksTable> = { status, reason: mark.reason ?? null, updated_at: nowIso() };
  if (mark.contentHash !== undefined) set.content_hash = mark.contentHash;
  if (mark.assignarModifiedAt !== undefined) set.assignar_modified_at = mark.assignarModifiedAt === null ? null : toIso(mark.assignarModifiedAt, 'assignarModifiedAt');
  let changed = 0;
  await db.transaction().execute(async (trx) => {
    for (const part of chunk(keys, rowsPerStatement(1))) {
      let query = trx.updateTable('links').set(set).where('connection', '=', connection).where('kind', '=', kind).where('sage_key', 'in', part);
      if (from) query = query.where('status', 'in', from);
      const result = await query.executeTakeFirst();
      changed += Number(result.numUpdatedRows);
    }
  });
  return changed;
}

export type LinkCounts = Partial<Record<EntityKind, Partial<Record<LinkStatus, number>>>>;

/** How many links per kind per status a connection has. */
export async function linkCounts(db: Kysely<Database>, connection: string): Promise<LinkCounts> {
  const rows = await db
    .selectFrom('links')
    .select(['kind', 'status', (eb) => eb.fn.countAll().as('n')])
    .where('connection', '=', connection)
    .groupBy(['kind', 'status'])
    .execute();
  const out: LinkCounts = {};
  for (const row of rows) {
    const kind = LinkKindSchema.parse(row.kind);
    (out[kind] ??= {})[LinkStatusSchema.parse(row.status)] = Number(row.n);
  }
  return out;
}
