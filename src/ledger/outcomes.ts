import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { chunk, distinct, keyOf, lastPerKey, rowsPerStatement } from './batch';
import { withConstraintErrors } from './errors';
import type { Database, RecordOutcomesTable } from './schema';
import {
  JsonSchema,
  KeySchema,
  OutcomeSchema,
  RecordKindSchema,
  TimestampSchema,
  parseInput,
  readJson,
  toIso,
  writeJson,
  type Json,
  type Outcome,
  type RecordKind,
} from './values';

/** What happened to one record in one run. */
export interface RecordOutcome {
  runId: string;
  connection: string;
  kind: RecordKind;
  /** Sage key (RECORDNO) for Sage-side records; Assignar id for Assignar-side ones. */
  recordKey: string;
  sageId: string | null;
  assignarId: string | null;
  outcome: Outcome;
  reason: string | null;
  details: Json | null;
  at: string;
}

export interface RecordOutcomeInput {
  runId: string;
  connection: string;
  kind: RecordKind;
  recordKey: string;
  sageId?: string | null;
  assignarId?: string | null;
  outcome: Outcome;
  /** For the operator: why it failed / was held / drifted, and what to fix. */
  reason?: string | null;
  details?: Json | null;
  at?: Date | string;
}

export interface ListOutcomesOptions {
  kind?: RecordKind;
  outcome?: Outcome | readonly Outcome[];
  limit?: number;
  offset?: number;
}

/** Counts per kind per outcome; outcomes with no records are absent. */
export type OutcomeCounts = Partial<Record<RecordKind, Partial<Record<Outcome, number>>>>;

const OutcomeInputSchema = z.object({
  runId: KeySchema,
  connection: KeySchema,
  kind: RecordKindSchema,
  recordKey: KeySchema,
  sageId: z.string().nullable().optional(),
  assignarId: z.string().nullable().optional(),
  outcome: OutcomeSchema,
  reason: z.string().nullable().optional(),
  details: JsonSchema.nullable().optional(),
  at: TimestampSchema.optional(),
});

const OUTCOME_COLUMNS = 10;

function toOutcome(row: Selectable<RecordOutcomesTable>): RecordOutcome {
  return {
    runId: row.run_id,
    connection: row.connection,
    kind: RecordKindSchema.parse(row.kind),
    recordKey: row.record_key,
    sageId: row.sage_id,
    assignarId: row.assignar_id,
    outcome: OutcomeSchema.parse(row.outcome),
    reason: row.reason,
    details: row.details === null ? null : readJson(row.details, JsonSchema, 'record_outcomes.details'),
    at: row.at,
  };
}

/**
 * Records outcomes, one row per (run, kind, record): a retried page overwrites its earlier rows, never
 * adds to them. The run must have been started (startRun) first. One transaction per call.
 */
export async function recordOutcomes(db: Kysely<Database>, rows: readonly RecordOutcomeInput[]): Promise<void> {
  const parsed = parseInput(z.array(OutcomeInputSchema), rows, 'outcomes');
  if (parsed.length === 0) return;
  const now = new Date();
  const values = lastPerKey(parsed, (r) => keyOf(r.runId, r.kind, r.recordKey)).map((r) => ({
    run_id: r.runId,
    connection: r.connection,
    kind: r.kind,
    record_key: r.recordKey,
    sage_id: r.sageId ?? null,
    assignar_id: r.assignarId ?? null,
    outcome: r.outcome,
    reason: r.reason ?? null,
    details: r.details == null ? null : writeJson(r.details, 'details'),
    at: toIso(r.at ?? now, 'at'),
  }));
  await withConstraintErrors('recordOutcomes (was the run started with startRun?)', () =>
    db.transaction().execute(async (trx) => {
      for (const part of chunk(values, rowsPerStatement(OUTCOME_COLUMNS))) {
        await trx
          .insertInto('record_outcomes')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['run_id', 'kind', 'record_key']).doUpdateSet((eb) => ({
              connection: eb.ref('excluded.connection'),
              sage_id: eb.ref('excluded.sage_id'),
              assignar_id: eb.ref('excluded.assignar_id'),
              outcome: eb.ref('excluded.outcome'),
              reason: eb.ref('excluded.reason'),
              details: eb.ref('excluded.details'),
              at: eb.ref('excluded.at'),
            })),
          )
          .execute();
      }
    }),
  );
}

/** The outcomes already recorded in a run for these records (a retried page reads what it did before). */
export async function getOutcomes(db: Kysely<Database>, runId: string, kind: RecordKind, recordKeys: readonly string[]): Promise<RecordOutcome[]> {
  const keys = distinct(parseInput(z.array(KeySchema), recordKeys, 'recordKeys'));
  const out: RecordOutcome[] = [];
  for (const part of chunk(keys, rowsPerStatement(1))) {
    const rows = await db.selectFrom('record_outcomes').selectAll().where('run_id', '=', runId).where('kind', '=', kind).where('record_key', 'in', part).execute();
    out.push(...rows.map(toOutcome));
  }
  return out;
}

export async function outcomeCounts(db: Kysely<Database>, runId: string): Promise<OutcomeCounts> {
  const rows = await db
    .selectFrom('record_outcomes')
    .select(['kind', 'outcome', (eb) => eb.fn.countAll().as('n')])
    .where('run_id', '=', runId)
    .groupBy(['kind', 'outcome'])
    .execute();
  const out: OutcomeCounts = {};
  for (const row of rows) {
    const kind = RecordKindSchema.parse(row.kind);
    (out[kind] ??= {})[OutcomeSchema.parse(row.outcome)] = Number(row.n);
  }
  return out;
}

/** A page of a run's outcomes, ordered by kind then record key. */
export async function listOutcomes(db: Kysely<Database>, runId: string, options: ListOutcomesOptions = {}): Promise<RecordOutcome[]> {
  const limit = parseInput(z.int().min(1).max(10_000), options.limit ?? 100, 'limit');
  const offset = parseInput(z.int().min(0), options.offset ?? 0, 'offset');
  let query = db.selectFrom('record_outcomes').selectAll().where('run_id', '=', runId);
  if (options.kind !== undefined) query = query.where('kind', '=', parseInput(RecordKindSchema, options.kind, 'kind'));
  if (options.outcome !== undefined) {
    const outcomes = parseInput(z.array(OutcomeSchema).min(1), typeof options.outcome === 'string' ? [options.outcome] : options.outcome, 'outcome');
    query = query.where('outcome', 'in', outcomes);
  }
  const rows = await query.orderBy('kind').orderBy('record_key').limit(limit).offset(offset).execute();
  return rows.map(toOutcome);
}

/** A record's latest outcome across a connection's real (not dry) runs, with when it last failed. */
export interface CurrentOutcome extends RecordOutcome {
  /** The run in which the record last failed (this run or an earlier one), or null when it never failed. */
  lastFailedRunId: string | null;
  lastFailedAt: string | null;
  lastFailedReason: string | null;
}

export interface CurrentOutcomesOptions {
  /** Latest outcomes to list; default what needs an operator now: `failed` and `held`. */
  outcome?: Outcome | readonly Outcome[];
  kind?: RecordKind;
  limit?: number;
  offset?: number;
}

export const NEEDS_ATTENTION: readonly Outcome[] = ['failed', 'held'];

/**
 * Each record's outcomes across the connection's real runs, newest first (`rn` 1 is the latest): runs
 * of one connection never overlap (one writer), so the run's start orders them, then the outcome's time.
 */
function rankedOutcomes(db: Kysely<Database>, connection: string, onlyFailed: boolean) {
  let query = db
    .selectFrom('record_outcomes as o')
    .innerJoin('runs as r', 'r.run_id', 'o.run_id')
    .selectAll('o')
    .select((eb) =>
      eb.fn
        .agg<number>('row_number')
        .over((ob) => ob.partitionBy(['o.kind', 'o.record_key']).orderBy('r.started_at', 'desc').orderBy('o.at', 'desc').orderBy('o.run_id', 'desc'))
        .as('rn'),
    )
    .where('o.connection', '=', connection)
    .where('r.dry_run', '=', 0);
  if (onlyFailed) query = query.where('o.outcome', '=', 'failed');
  return query;
}

/**
 * What is failing or held now (or any other latest outcome), across runs: for each (kind, record) of the
 * connection, its latest outcome, listed when it is one of `options.outcome`, with the run in which it
 * last failed. Ordered by kind then record key.
 */
export async function currentOutcomes(db: Kysely<Database>, connection: string, options: CurrentOutcomesOptions = {}): Promise<CurrentOutcome[]> {
  const limit = parseInput(z.int().min(1).max(10_000), options.limit ?? 1000, 'limit');
  const offset = parseInput(z.int().min(0), options.offset ?? 0, 'offset');
  const wanted = parseInput(z.array(OutcomeSchema).min(1), typeof options.outcome === 'string' ? [options.outcome] : (options.outcome ?? NEEDS_ATTENTION), 'outcome');
  let query = db
    .with('latest', () => rankedOutcomes(db, connection, false))
    .with('failures', () => rankedOutcomes(db, connection, true))
    .selectFrom('latest as l')
    .leftJoin('failures as f', (join) => join.onRef('f.kind', '=', 'l.kind').onRef('f.record_key', '=', 'l.record_key').on('f.rn', '=', 1))
    .selectAll('l')
    .select(['f.run_id as failed_run_id', 'f.at as failed_at', 'f.reason as failed_reason'])
    .where('l.rn', '=', 1)
    .where('l.outcome', 'in', wanted);
  if (options.kind !== undefined) query = query.where('l.kind', '=', parseInput(RecordKindSchema, options.kind, 'kind'));
  const rows = await query.orderBy('l.kind').orderBy('l.record_key').limit(limit).offset(offset).execute();
  return rows.map((row) => ({
    ...toOutcome(row),
    lastFailedRunId: row.failed_run_id ?? null,
    lastFailedAt: row.failed_at ?? null,
    lastFailedReason: row.failed_reason ?? null,
  }));
}

/** Counts per kind of each record's latest outcome across the connection's real runs. */
export async function currentOutcomeCounts(db: Kysely<Database>, connection: string): Promise<OutcomeCounts> {
  const rows = await db
    .with('latest', () => rankedOutcomes(db, connection, false))
    .selectFrom('latest')
    .select(['kind', 'outcome', (eb) => eb.fn.countAll().as('n')])
    .where('rn', '=', 1)
    .groupBy(['kind', 'outcome'])
    .execute();
  const out: OutcomeCounts = {};
  for (const row of rows) (out[RecordKindSchema.parse(row.kind)] ??= {})[OutcomeSchema.parse(row.outcome)] = Number(row.n);
  return out;
}
