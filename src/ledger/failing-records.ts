import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { EntityKind } from '../config/schema';
import { chunk, distinct, keyOf, lastPerKey, rowsPerStatement } from './batch';
import type { Database, FailingRecordsTable } from './schema';
import { KeySchema, LimitSchema, LinkKindSchema, nowIso, parseInput } from './values';

/**
 * A Sage record whose last outcome was `failed`. Every sync re-reads these by key until they land; a
 * `refused` one (Assignar said 400) is re-sent only when its content or a link it depends on changed.
 */
export interface FailingRecord {
  connection: string;
  kind: EntityKind;
  sageKey: string;
  sageId: string | null;
  reason: string;
  refused: boolean;
  /** Content hash of the refused payload. */
  contentHash: string | null;
  /** Signature of the links the refused payload referred to (their ids and last writes). */
  dependsOn: string | null;
  /** The run in which it last failed. */
  runId: string;
  failedAt: string;
}

const FailingRecordInputSchema = z.object({
  connection: KeySchema,
  kind: LinkKindSchema,
  sageKey: KeySchema,
  sageId: z.string().nullable().optional(),
  reason: z.string().min(1),
  refused: z.boolean().default(false),
  contentHash: z.string().min(1).nullable().optional(),
  dependsOn: z.string().nullable().optional(),
  runId: KeySchema,
});
export type FailingRecordInput = z.input<typeof FailingRecordInputSchema>;

const COLUMNS = 10;

function toFailing(r: Selectable<FailingRecordsTable>): FailingRecord {
  return {
    connection: r.connection,
    kind: LinkKindSchema.parse(r.kind),
    sageKey: r.sage_key,
    sageId: r.sage_id,
    reason: r.reason,
    refused: Number(r.refused) === 1,
    contentHash: r.content_hash,
    dependsOn: r.depends_on,
    runId: r.run_id,
    failedAt: r.failed_at,
  };
}

export async function getFailingRecords(db: Kysely<Database>, connection: string, kind: EntityKind, sageKeys: readonly string[]): Promise<FailingRecord[]> {
  const keys = distinct(parseInput(z.array(KeySchema), sageKeys, 'sageKeys'));
  const out: FailingRecord[] = [];
  for (const part of chunk(keys, rowsPerStatement(1))) {
    const rows = await db.selectFrom('failing_records').selectAll().where('connection', '=', connection).where('kind', '=', kind).where('sage_key', 'in', part).execute();
    out.push(...rows.map(toFailing));
  }
  return out;
}

export interface ListFailingOptions {
  kinds: readonly EntityKind[];
  /** Keyset paging in (kind, sage_key) order. */
  after?: { kind: EntityKind; sageKey: string };
  /** Leave out records that failed in this run (they were just tried). */
  exceptRunId?: string;
  limit: number;
}

/** A page of a connection's failing records of these kinds, ordered by kind then key. */
export async function listFailingRecords(db: Kysely<Database>, connection: string, options: ListFailingOptions): Promise<FailingRecord[]> {
  const kinds = parseInput(z.array(LinkKindSchema).min(1), options.kinds, 'kinds');
  const limit = parseInput(LimitSchema, options.limit, 'limit');
  let query = db.selectFrom('failing_records').selectAll().where('connection', '=', connection).where('kind', 'in', kinds);
  if (options.exceptRunId !== undefined) query = query.where('run_id', '<>', options.exceptRunId);
  const after = options.after;
  if (after) query = query.where((eb) => eb.or([eb('kind', '>', after.kind), eb.and([eb('kind', '=', after.kind), eb('sage_key', '>', after.sageKey)])]));
  const rows = await query.orderBy('kind').orderBy('sage_key').limit(limit).execute();
  return rows.map(toFailing);
}

/** Remembers failures (one per record; a later failure replaces an earlier one). */
export async function recordFailingRecords(db: Kysely<Database>, rows: readonly FailingRecordInput[]): Promise<void> {
  const parsed = parseInput(z.array(FailingRecordInputSchema), rows, 'failing records');
  if (parsed.length === 0) return;
  const now = nowIso();
  const values = lastPerKey(parsed, (r) => keyOf(r.connection, r.kind, r.sageKey)).map((r) => ({
    connection: r.connection,
    kind: r.kind,
    sage_key: r.sageKey,
    sage_id: r.sageId ?? null,
    reason: r.reason,
    refused: r.refused ? 1 : 0,
    content_hash: r.contentHash ?? null,
    depends_on: r.dependsOn ?? null,
    run_id: r.runId,
    failed_at: now,
  }));
  await db.transaction().execute(async (trx) => {
    for (const part of chunk(values, rowsPerStatement(COLUMNS))) {
      await trx
        .insertInto('failing_records')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['connection', 'kind', 'sage_key']).doUpdateSet((eb) => ({
            sage_id: eb.ref('excluded.sage_id'),
            reason: eb.ref('excluded.reason'),
            refused: eb.ref('excluded.refused'),
            content_hash: eb.ref('excluded.content_hash'),
            depends_on: eb.ref('excluded.depends_on'),
            run_id: eb.ref('excluded.run_id'),
            failed_at: eb.ref('excluded.failed_at'),
          })),
        )
        .execute();
    }
  });
}

/** Forgets failures of records that have since landed (or no longer exist). */
export async function clearFailingRecords(db: Kysely<Database>, connection: string, kind: EntityKind, sageKeys: readonly string[]): Promise<void> {
  const keys = distinct(parseInput(z.array(KeySchema), sageKeys, 'sageKeys'));
  for (const part of chunk(keys, rowsPerStatement(1))) {
    await db.deleteFrom('failing_records').where('connection', '=', connection).where('kind', '=', kind).where('sage_key', 'in', part).execute();
  }
}
