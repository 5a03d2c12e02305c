import type { Kysely } from 'kysely';
import { z } from 'zod';
import { chunk, lastPerKey, rowsPerStatement } from './batch';
import type { Database } from './schema';
import { KeySchema, nowIso, parseInput } from './values';

const DaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a UTC day YYYY-MM-DD');

const UsageInputSchema = z.object({ connection: KeySchema, day: DaySchema, transactions: z.int().positive() });
export type SageUsageInput = z.infer<typeof UsageInputSchema>;

export interface SageUsageDay {
  connection: string;
  day: string;
  transactions: number;
}

/** Adds transactions to each connection's day (one statement per row; callers batch many requests into a row). */
export async function addSageUsage(db: Kysely<Database>, rows: readonly SageUsageInput[]): Promise<void> {
  const valid = parseInput(z.array(UsageInputSchema), rows, 'sage usage');
  if (valid.length === 0) return;
  await db.transaction().execute(async (tx) => {
    for (const r of valid) {
      await tx
        .insertInto('sage_usage')
        .values({ connection: r.connection, day: r.day, transactions: r.transactions })
        .onConflict((oc) => oc.columns(['connection', 'day']).doUpdateSet((eb) => ({ transactions: eb('sage_usage.transactions', '+', eb.ref('excluded.transactions')) })))
        .execute();
    }
  });
}

/** Per connection per day, between two UTC days inclusive (all connections unless one is named). */
export async function listSageUsage(db: Kysely<Database>, options: { fromDay: string; toDay: string; connection?: string }): Promise<SageUsageDay[]> {
  const o = parseInput(z.object({ fromDay: DaySchema, toDay: DaySchema, connection: KeySchema.optional() }), options, 'sage usage range');
  let q = db.selectFrom('sage_usage').selectAll().where('day', '>=', o.fromDay).where('day', '<=', o.toDay);
  if (o.connection) q = q.where('connection', '=', o.connection);
  const rows = await q.orderBy('connection').orderBy('day').execute();
  return rows.map((r) => ({ connection: r.connection, day: r.day, transactions: Number(r.transactions) }));
}

const ClaimSchema = z.object({ eventKey: KeySchema, connection: KeySchema, event: KeySchema });
export type NotificationClaim = z.infer<typeof ClaimSchema>;

/**
 * Claims notification events: returns the keys this caller is to send (not claimed before), so each event
 * is sent once however many workers or activity retries see it.
 */
export async function claimNotifications(db: Kysely<Database>, claims: readonly NotificationClaim[]): Promise<string[]> {
  const valid = lastPerKey(parseInput(z.array(ClaimSchema), claims, 'notifications'), (c) => c.eventKey);
  if (valid.length === 0) return [];
  const sentAt = nowIso();
  return db.transaction().execute(async (tx) => {
    const claimed: string[] = [];
    for (const part of chunk(valid, rowsPerStatement(4))) {
      const rows = await tx
        .insertInto('notifications_sent')
        .values(part.map((c) => ({ event_key: c.eventKey, connection: c.connection, event: c.event, sent_at: sentAt })))
        .onConflict((oc) => oc.column('event_key').doNothing())
        .returning('event_key')
        .execute();
      claimed.push(...rows.map((r) => r.event_key));
    }
    return claimed;
  });
}

/** Gives claims back (the webhook could not be reached), so the next sighting of the events sends them. */
export async function releaseNotifications(db: Kysely<Database>, eventKeys: readonly string[]): Promise<void> {
  for (const part of chunk([...eventKeys], rowsPerStatement(1))) await db.deleteFrom('notifications_sent').where('event_key', 'in', part).execute();
}
