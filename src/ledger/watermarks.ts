import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { Database, WatermarksTable } from './schema';
import { KeySchema, TimestampSchema, nowIso, parseInput, toIso, type Timestamp } from './values';

/** How far a change stream has been read. */
export interface Watermark {
  connection: string;
  /** An entity kind, or the Sage Intacct object a stream reads (ITEM serves both role and asset). */
  kind: string;
  /** 'modified' | 'created' | 'audit' | … */
  stream: string;
  /** ISO-8601 UTC. */
  at: string;
  cursor: string | null;
  updatedAt: string;
}

export interface WatermarkInput {
  connection: string;
  kind: string;
  stream: string;
  at: Timestamp;
  cursor?: string | null;
}

const WatermarkInputSchema = z.object({
  connection: KeySchema,
  kind: KeySchema,
  stream: KeySchema,
  at: TimestampSchema,
  cursor: z.string().nullable().optional(),
});

function toWatermark(row: Selectable<WatermarksTable>): Watermark {
  return { connection: row.connection, kind: row.kind, stream: row.stream, at: row.watermark, cursor: row.cursor, updatedAt: row.updated_at };
}

export async function getWatermark(db: Kysely<Database>, connection: string, kind: string, stream: string): Promise<Watermark | undefined> {
  const row = await db
    .selectFrom('watermarks')
    .selectAll()
    .where('connection', '=', connection)
    .where('kind', '=', kind)
    .where('stream', '=', stream)
    .executeTakeFirst();
  return row && toWatermark(row);
}

/** Every watermark of a connection, ordered by kind and stream. */
export async function listWatermarks(db: Kysely<Database>, connection: string): Promise<Watermark[]> {
  const rows = await db.selectFrom('watermarks').selectAll().where('connection', '=', connection).orderBy('kind').orderBy('stream').execute();
  return rows.map(toWatermark);
}

/**
 * Sets watermarks (insert or replace), all in one statement. The ledger does not refuse to move a
 * watermark backwards: the sync applies its lookback when reading, and an operator may rewind on purpose.
 */
export async function setWatermarks(db: Kysely<Database>, inputs: readonly WatermarkInput[]): Promise<Watermark[]> {
  const parsed = parseInput(z.array(WatermarkInputSchema), inputs, 'watermarks');
  if (parsed.length === 0) return [];
  const now = nowIso();
  const byKey = new Map(parsed.map((w) => [`${w.connection}\u0000${w.kind}\u0000${w.stream}`, w]));
  const values = [...byKey.values()].map((w) => ({
    connection: w.connection,
    kind: w.kind,
    stream: w.stream,
    watermark: toIso(w.at, 'at'),
    cursor: w.cursor ?? null,
    updated_at: now,
  }));
  await db
    .insertInto('watermarks')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['connection', 'kind', 'stream']).doUpdateSet((eb) => ({
        watermark: eb.ref('excluded.watermark'),
        cursor: eb.ref('excluded.cursor'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
  return values.map((v) => ({ connection: v.connection, kind: v.kind, stream: v.stream, at: v.watermark, cursor: v.cursor, updatedAt: v.updated_at }));
}
