import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { Database, WriterLeasesTable } from './schema';
import { KeySchema, nowIso, parseInput } from './values';

/** The run chain allowed to write to a connection (see migration 0005). */
export interface WriterLease {
  connection: string;
  workflowId: string;
  workflowType: string;
  /** The holder's ledger run id (the first Temporal run id of its chain). */
  runId: string;
  acquiredAt: string;
}

const HolderSchema = z.object({ connection: KeySchema, workflowId: KeySchema, workflowType: KeySchema, runId: KeySchema });
export type WriterLeaseInput = z.infer<typeof HolderSchema>;

function toLease(row: Selectable<WriterLeasesTable>): WriterLease {
  return { connection: row.connection, workflowId: row.workflow_id, workflowType: row.workflow_type, runId: row.run_id, acquiredAt: row.acquired_at };
}

export async function getWriterLease(db: Kysely<Database>, connection: string): Promise<WriterLease | undefined> {
  const row = await db.selectFrom('writer_leases').selectAll().where('connection', '=', connection).executeTakeFirst();
  return row && toLease(row);
}

/**
 * Takes the connection's lease when nobody holds it; idempotent for the holder. Returns the lease as it
 * now stands: `acquired` is whether `input` holds it.
 */
export async function acquireWriterLease(db: Kysely<Database>, input: WriterLeaseInput): Promise<{ acquired: boolean; lease: WriterLease }> {
  const h = parseInput(HolderSchema, input, 'writer lease');
  await db
    .insertInto('writer_leases')
    .values({ connection: h.connection, workflow_id: h.workflowId, workflow_type: h.workflowType, run_id: h.runId, acquired_at: nowIso() })
    .onConflict((oc) => oc.column('connection').doNothing())
    .execute();
  const lease = await getWriterLease(db, h.connection);
  if (!lease) return acquireWriterLease(db, input); // released between the insert and the read: try again
  return { acquired: lease.runId === h.runId, lease };
}

/**
 * Hands the lease from `fromRunId` (a holder proven gone) to `to`. Compare-and-swap: false when the lease
 * is no longer held by `fromRunId` (someone else took it over first, or it was released).
 */
export async function takeOverWriterLease(db: Kysely<Database>, connection: string, fromRunId: string, to: WriterLeaseInput): Promise<boolean> {
  const h = parseInput(HolderSchema, to, 'writer lease');
  const result = await db
    .updateTable('writer_leases')
    .set({ workflow_id: h.workflowId, workflow_type: h.workflowType, run_id: h.runId, acquired_at: nowIso() })
    .where('connection', '=', connection)
    .where('run_id', '=', fromRunId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Releases the lease when `runId` holds it; true when it did. Releasing a lease one does not hold is a no-op. */
export async function releaseWriterLease(db: Kysely<Database>, connection: string, runId: string): Promise<boolean> {
  const result = await db.deleteFrom('writer_leases').where('connection', '=', connection).where('run_id', '=', runId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
