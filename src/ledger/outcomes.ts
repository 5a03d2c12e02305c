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
