import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { LedgerConstraintError, LedgerNotFoundError } from './errors';
import type { Database, RunsTable } from './schema';
import {
  JsonObjectSchema,
  KeySchema,
  LimitSchema,
  RunStatusSchema,
  TimestampSchema,
  parseInput,
  readJson,
  toIso,
  writeJson,
  type JsonObject,
  type RunStatus,
  type Timestamp,
} from './values';

/** One run of a workflow (or a CLI command) whose per-record outcomes the ledger keeps. */
export interface Run {
  /** Temporal workflow run id, or our own id. */
  runId: string;
  connection: string;
  workflowType: string;
  workflowId: string | null;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  summary: JsonObject | null;
  error: string | null;
}

export interface StartRunInput {
  runId: string;
  connection: string;
  workflowType: string;
  workflowId?: string | null;
  dryRun?: boolean;
  startedAt?: Timestamp;
}

export interface FinishRunInput {
  status: Exclude<RunStatus, 'running'>;
  summary?: JsonObject | null;
  error?: string | null;
  finishedAt?: Timestamp;
}

export interface ListRunsOptions {
  connection?: string;
  workflowType?: string;
  status?: RunStatus | readonly RunStatus[];
  /** Only runs started strictly before this time (paging back through history). */
  startedBefore?: Timestamp;
  limit?: number;
}

const StartRunSchema = z.object({
  runId: KeySchema,
  connection: KeySchema,
  workflowType: KeySchema,
  workflowId: z.string().min(1).nullable().optional(),
  dryRun: z.boolean().optional(),
  startedAt: TimestampSchema.optional(),
});

const FinishRunSchema = z.object({
  status: RunStatusSchema.exclude(['running']),
  summary: JsonObjectSchema.nullable().optional(),
  error: z.string().nullable().optional(),
  finishedAt: TimestampSchema.optional(),
});

function toRun(row: Selectable<RunsTable>): Run {
  return {
    runId: row.run_id,
    connection: row.connection,
    workflowType: row.workflow_type,
    workflowId: row.workflow_id,
    dryRun: Number(row.dry_run) === 1,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: RunStatusSchema.parse(row.status),
    summary: row.summary === null ? null : readJson(row.summary, JsonObjectSchema, 'runs.summary'),
    error: row.error,
  };
}

export async function getRun(db: Kysely<Database>, runId: string): Promise<Run | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
  return row && toRun(row);
}

/**
 * Records that a run started. Idempotent: a retried call (or a continue-as-new that starts again with
 * the same run id) returns the existing run untouched. A run id already used by another connection or
 * workflow type is a LedgerConstraintError.
 */
export async function startRun(db: Kysely<Database>, input: StartRunInput): Promise<Run> {
  const r = parseInput(StartRunSchema, input, 'startRun');
  await db
    .insertInto('runs')
    .values({
      run_id: r.runId,
      connection: r.connection,
      workflow_type: r.workflowType,
      workflow_id: r.workflowId ?? null,
      dry_run: r.dryRun ? 1 : 0,
      started_at: toIso(r.startedAt ?? new Date(), 'startedAt'),
      finished_at: null,
      status: 'running',
      summary: null,
      error: null,
    })
    .onConflict((oc) => oc.column('run_id').doNothing())
    .execute();
  const run = await getRun(db, r.runId);
  if (!run) throw new LedgerNotFoundError(`run ${r.runId} vanished right after it was started`);
  if (run.connection !== r.connection || run.workflowType !== r.workflowType) {
    throw new LedgerConstraintError(`run id ${r.runId} already belongs to ${run.workflowType} on connection ${run.connection}`);
  }
  return run;
}

/** Records how a run ended, with its summary (JSON object). Calling it again overwrites the ending. */
export async function finishRun(db: Kysely<Database>, runId: string, input: FinishRunInput): Promise<Run> {
  const f = parseInput(FinishRunSchema, input, 'finishRun');
  const result = await db
    .updateTable('runs')
    .set({
      status: f.status,
      finished_at: toIso(f.finishedAt ?? new Date(), 'finishedAt'),
      summary: f.summary == null ? null : writeJson(f.summary, 'summary'),
      error: f.error ?? null,
    })
    .where('run_id', '=', runId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new LedgerNotFoundError(`cannot finish run ${runId}: it was never started`);
  const run = await getRun(db, runId);
  if (!run) throw new LedgerNotFoundError(`run ${runId} vanished while it was finished`);
  return run;
}

/**
 * Records how a run ended that could not record it itself (terminated, timed out), only while the ledger
 * still says `running`: an ending the run recorded is never overwritten. Returns the run when it changed.
 */
export async function endStaleRun(db: Kysely<Database>, runId: string, input: FinishRunInput): Promise<Run | undefined> {
  const f = parseInput(FinishRunSchema, input, 'endStaleRun');
  const result = await db
    .updateTable('runs')
    .set({ status: f.status, finished_at: toIso(f.finishedAt ?? new Date(), 'finishedAt'), error: f.error ?? null })
    .where('run_id', '=', runId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 0 ? undefined : getRun(db, runId);
}

/** Most recent runs first. */
export async function listRuns(db: Kysely<Database>, options: ListRunsOptions = {}): Promise<Run[]> {
  const limit = parseInput(LimitSchema, options.limit ?? 50, 'limit');
  let query = db.selectFrom('runs').selectAll();
  if (options.connection !== undefined) query = query.where('connection', '=', options.connection);
  if (options.workflowType !== undefined) query = query.where('workflow_type', '=', options.workflowType);
  if (options.status !== undefined) {
    const statuses = parseInput(z.array(RunStatusSchema).min(1), typeof options.status === 'string' ? [options.status] : options.status, 'status');
    query = query.where('status', 'in', statuses);
  }
  if (options.startedBefore !== undefined) query = query.where('started_at', '<', toIso(options.startedBefore, 'startedBefore'));
  const rows = await query.orderBy('started_at', 'desc').orderBy('run_id', 'desc').limit(limit).execute();
  return rows.map(toRun);
}
