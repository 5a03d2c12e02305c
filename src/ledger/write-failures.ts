import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { EntityKind } from '../config/schema';
import { chunk, distinct, keyOf, lastPerKey, rowsPerStatement } from './batch';
import type { Database } from './schema';
import { KeySchema, LinkKindSchema, nowIso, parseInput } from './values';

/** A write Assignar refused for good, remembered with the content that was refused. */
export interface WriteFailure {
  connection: string;
  kind: EntityKind;
  sageKey: string;
  contentHash: string;
  reason: string;
  failedAt: string;
}

const WriteFailureInputSchema = z.object({
  connection: KeySchema,
  kind: LinkKindSchema,
  sageKey: KeySchema,
  contentHash: z.string().min(1),
  reason: z.string().min(1),
});
export type WriteFailureInput = z.infer<typeof WriteFailureInputSchema>;

export async function getWriteFailures(db: Kysely<Database>, connection: string, kind: EntityKind, sageKeys: readonly string[]): Promise<WriteFailure[]> {
  const keys = distinct(parseInput(z.array(KeySchema), sageKeys, 'sageKeys'));
  const out: WriteFailure[] = [];
  for (const part of chunk(keys, rowsPerStatement(1))) {
    const rows = await db.selectFrom('write_failures').selectAll().where('connection', '=', connection).where('kind', '=', kind).where('sage_key', 'in', part).execute();
    out.push(...rows.map((r) => ({ connection: r.connection, kind: LinkKindSchema.parse(r.kind), sageKey: r.sage_key, contentHash: r.content_hash, reason: r.reason, failedAt: r.failed_at })));
  }
  return out;
}

export async function recordWriteFailures(db: Kysely<Database>, rows: readonly WriteFailureInput[]): Promise<void> {
  const parsed = parseInput(z.array(WriteFailureInputSchema), rows, 'write failures');
  if (parsed.length === 0) return;
  const now = nowIso();
  const values = lastPerKey(parsed, (r) => keyOf(r.connection, r.kind, r.sageKey)).map((r) => ({
    connection: r.connection, kind: r.kind, sage_key: r.sageKey, content_hash: r.contentHash, reason: r.reason, failed_at: now,
  }));
  await db.transaction().execute(async (trx) => {
    for (const part of chunk(values, rowsPerStatement(6))) {
      await trx
        .insertInto('write_failures')
        .values(part)
        .onConflict((oc) => oc.columns(['connection', 'kind', 'sage_key']).doUpdateSet((eb) => ({ content_hash: eb.ref('excluded.content_hash'), reason: eb.ref('excluded.reason'), failed_at: eb.ref('excluded.failed_at') })))
        .execute();
    }
  });
}

export async function clearWriteFailures(db: Kysely<Database>, connection: string, kind: EntityKind, sageKeys: readonly string[]): Promise<void> {
  const keys = distinct(parseInput(z.array(KeySchema), sageKeys, 'sageKeys'));
  for (const part of chunk(keys, rowsPerStatement(1))) {
    await db.deleteFrom('write_failures').where('connection', '=', connection).where('kind', '=', kind).where('sage_key', 'in', part).execute();
  }
}
