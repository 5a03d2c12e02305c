import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { Database, QueueLeasesTable } from './schema';
import { KeySchema, parseInput } from './values';

/** Which worker process polls a connection's API task queue, until when (see migration 0011). */
export interface QueueLease {
  connection: string;
  holder: string;
  acquiredAt: string;
  expiresAt: string;
}

const ClaimSchema = z.object({ connection: KeySchema, holder: KeySchema, ttlMs: z.int().min(1000).max(10 * 60_000) });
export type QueueLeaseClaim = z.infer<typeof ClaimSchema>;

function toLease(row: Selectable<QueueLeasesTable>): QueueLease {
  return { connection: row.connection, holder: row.holder, acquiredAt: row.acquired_at, expiresAt: row.expires_at };
}

export async function getQueueLease(db: Kysely<Database>, connection: string): Promise<QueueLease | undefined> {
  const row = await db.selectFrom('queue_leases').selectAll().where('connection', '=', connection).executeTakeFirst();
  return row && toLease(row);
}

/**
 * Takes the lease when it is free or expired, or extends it for its holder: one statement, so two workers
 * claiming at once cannot both win. Returns the lease as it now stands; `held` is whether `holder` has it.
 */
export async function claimQueueLease(db: Kysely<Database>, input: QueueLeaseClaim, now = Date.now()): Promise<{ held: boolean; lease: QueueLease }> {
  const c = parseInput(ClaimSchema, input, 'queue lease');
  const at = new Date(now).toISOString();
  const expires = new Date(now + c.ttlMs).toISOString();
  await db
    .insertInto('queue_leases')
    .values({ connection: c.connection, holder: c.holder, acquired_at: at, expires_at: expires })
    .onConflict((oc) =>
      oc.column('connection').doUpdateSet((eb) => ({
        // A renewal keeps its acquisition time; a takeover starts a new one.
        acquired_at: eb.case().when('queue_leases.holder', '=', c.holder).then(eb.ref('queue_leases.acquired_at')).else(at).end(),
        holder: c.holder,
        expires_at: expires,
      }))
        .where((eb) => eb.or([eb('queue_leases.holder', '=', c.holder), eb('queue_leases.expires_at', '<', at)])),
    )
    .execute();
  const lease = await getQueueLease(db, c.connection);
  if (!lease) return claimQueueLease(db, input, now); // released between the write and the read
  return { held: lease.holder === c.holder, lease };
}

/** Gives the lease up when `holder` has it (a worker shutting down), so the next worker need not wait it out. */
export async function releaseQueueLease(db: Kysely<Database>, connection: string, holder: string): Promise<boolean> {
  const result = await db.deleteFrom('queue_leases').where('connection', '=', connection).where('holder', '=', holder).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
