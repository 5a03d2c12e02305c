import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { EntityKind } from '../config/schema';
import { chunk, distinct, keyOf, lastPerKey, rowsPerStatement } from './batch';
import type { Database } from './schema';
import { KeySchema, LinkKindSchema, nowIso, parseInput } from './values';

export const DEACTIVATION_STATES = ['staged', 'held'] as const;
const StateSchema = z.enum(DEACTIVATION_STATES);

/**
 * A deactivation a run found evidence for. `staged` ones are decided together at the end of their run (so
 * the mass-change guard sees every path at once); `held` ones were stopped by the guard and wait for an
 * operator's confirmation, across runs.
 */
export interface PendingDeactivation {
  connection: string;
  runId: string;
  kind: EntityKind;
  sageKey: string;
  reason: string;
  state: (typeof DEACTIVATION_STATES)[number];
  createdAt: string;
}

const StageSchema = z.object({ connection: KeySchema, runId: KeySchema, kind: LinkKindSchema, sageKey: KeySchema, reason: z.string().min(1) });
export type StageDeactivationInput = z.infer<typeof StageSchema>;

/** Stages deactivations for a run; staging the same record again in the same run keeps one row. */
export async function stageDeactivations(db: Kysely<Database>, rows: readonly StageDeactivationInput[]): Promise<void> {
  const parsed = parseInput(z.array(StageSchema), rows, 'deactivations');
  if (parsed.length === 0) return;
  const now = nowIso();
  const values = lastPerKey(parsed, (r) => keyOf(r.connection, r.runId, r.kind, r.sageKey)).map((r) => ({
    connection: r.connection, run_id: r.runId, kind: r.kind, sage_key: r.sageKey, reason: r.reason, state: 'staged', created_at: now,
  }));
  await db.transaction().execute(async (trx) => {
    for (const part of chunk(values, rowsPerStatement(7))) {
      await trx
        .insertInto('pending_deactivations')
        .values(part)
        .onConflict((oc) => oc.columns(['connection', 'run_id', 'kind', 'sage_key']).doUpdateSet((eb) => ({ reason: eb.ref('excluded.reason') })))
        .execute();
    }
  });
}

/**
 * What a run decides for a kind, one row per record: its own staged deactivations, those a real run that
 * ended without deciding them (it failed or was cancelled after finding them) had staged, and every held
 * one. A dry run's rows never count for another run.
 */
export async function listPendingDeactivations(db: Kysely<Database>, connection: string, kind: EntityKind, runId: string): Promise<PendingDeactivation[]> {
  parseInput(LinkKindSchema, kind, 'kind');
  const rows = await db
    .selectFrom('pending_deactivations')
    .selectAll()
    .where('connection', '=', connection)
    .where('kind', '=', kind)
    .where((eb) =>
      eb.or([
        eb('run_id', '=', runId),
        eb('state', '=', 'held'),
        eb('run_id', 'in', eb.selectFrom('runs').select('run_id').where('connection', '=', connection).where('dry_run', '=', 0).where('status', '<>', 'running')),
      ]),
    )
    .orderBy('sage_key')
    .orderBy('created_at')
    .execute();
  // A record staged in this run and also held earlier: the earlier hold stands.
  const byKey = new Map<string, PendingDeactivation>();
  for (const r of rows) {
    const row: PendingDeactivation = { connection: r.connection, runId: r.run_id, kind: LinkKindSchema.parse(r.kind), sageKey: r.sage_key, reason: r.reason, state: StateSchema.parse(r.state), createdAt: r.created_at };
    const seen = byKey.get(row.sageKey);
    if (!seen || (seen.state === 'staged' && row.state === 'held')) byKey.set(row.sageKey, row);
  }
  return [...byKey.values()];
}

/** The guard stopped these: this run's staged rows become held. */
export async function holdDeactivations(db: Kysely<Database>, connection: string, runId: string, kind: EntityKind, sageKeys: readonly string[]): Promise<void> {
  const keys = distinct(parseInput(z.array(KeySchema), sageKeys, 'sageKeys'));
  for (const part of chunk(keys, rowsPerStatement(1))) {
    await db.updateTable('pending_deactivations').set({ state: 'held' }).where('connection', '=', connection).where('run_id', '=', runId).where('kind', '=', kind).where('sage_key', 'in', part).execute();
  }
}

/** Done, or no longer wanted (the record is back in scope): forgets every pending row of these records. */
export async function clearPendingDeactivations(db: Kysely<Database>, connection: string, kind: EntityKind, sageKeys: readonly string[]): Promise<void> {
  const keys = distinct(parseInput(z.array(KeySchema), sageKeys, 'sageKeys'));
  for (const part of chunk(keys, rowsPerStatement(1))) {
    await db.deleteFrom('pending_deactivations').where('connection', '=', connection).where('kind', '=', kind).where('sage_key', 'in', part).execute();
  }
}

/** A dry run's staged rows, once reported: a dry run leaves nothing behind. */
export async function dropStagedDeactivations(db: Kysely<Database>, connection: string, runId: string, kind: EntityKind): Promise<void> {
  await db.deleteFrom('pending_deactivations').where('connection', '=', connection).where('run_id', '=', runId).where('kind', '=', kind).where('state', '=', 'staged').execute();
}
