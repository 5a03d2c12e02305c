import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { chunk, keyOf, lastPerKey, rowsPerStatement } from './batch';
import type { Database } from './schema';
import { ValidationError } from '../errors';
import { JsonSchema, KeySchema, LimitSchema, nowIso, parseInput, writeJson, type Json } from './values';

/**
 * The approved timesheets one export run has read (migration 0007): staged by the collect phase, read back
 * a batch of workers at a time by the build phase, dropped when the run ends (or by the next run, after a
 * crash). Staging is what lets an employee-week be planned whole although Assignar pages by id.
 */

const CandidateSchema = z.object({
  connection: KeySchema,
  runId: KeySchema,
  assignarTimesheetId: KeySchema,
  /** '' when the timesheet names no worker. */
  assignarUserId: z.string(),
  version: KeySchema,
  stream: z.enum(['approved', 'corrections']),
  body: JsonSchema,
});
export type ExportCandidateInput = z.input<typeof CandidateSchema>;
export type ExportCandidate = z.infer<typeof CandidateSchema>;

const CANDIDATE_COLUMNS = 8;

/** Stages timesheets for a run; the same timesheet staged again (a redone page) replaces its row. */
export async function stageExportCandidates(db: Kysely<Database>, rows: readonly ExportCandidateInput[]): Promise<void> {
  const parsed = lastPerKey(parseInput(z.array(CandidateSchema), rows, 'export candidates'), (r) => keyOf(r.connection, r.runId, r.assignarTimesheetId));
  if (parsed.length === 0) return;
  const now = nowIso();
  const values = parsed.map((r) => ({
    connection: r.connection,
    run_id: r.runId,
    assignar_timesheet_id: r.assignarTimesheetId,
    assignar_user_id: r.assignarUserId,
    version: r.version,
    stream: r.stream,
    body: writeJson(r.body, 'body'),
    created_at: now,
  }));
  await db.transaction().execute(async (trx) => {
    for (const part of chunk(values, rowsPerStatement(CANDIDATE_COLUMNS))) {
      await trx
        .insertInto('export_candidates')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['connection', 'run_id', 'assignar_timesheet_id']).doUpdateSet((eb) => ({
            assignar_user_id: eb.ref('excluded.assignar_user_id'),
            version: eb.ref('excluded.version'),
            stream: eb.ref('excluded.stream'),
            body: eb.ref('excluded.body'),
          })),
        )
        .execute();
    }
  });
}

/** The next workers (Assignar user ids, bytewise order) with staged timesheets after `afterUserId`. */
export async function listCandidateWorkers(db: Kysely<Database>, connection: string, runId: string, options: { afterUserId?: string | null; limit: number }): Promise<string[]> {
  parseInput(KeySchema, connection, 'connection');
  parseInput(KeySchema, runId, 'runId');
  const limit = parseInput(LimitSchema, options.limit, 'limit');
  let query = db.selectFrom('export_candidates').select('assignar_user_id').distinct().where('connection', '=', connection).where('run_id', '=', runId);
  if (options.afterUserId !== undefined && options.afterUserId !== null) query = query.where('assignar_user_id', '>', options.afterUserId);
  const rows = await query.orderBy('assignar_user_id').limit(limit).execute();
  return rows.map((r) => r.assignar_user_id);
}

/** The staged timesheets of these workers, by worker then timesheet id (bytewise). */
export async function getExportCandidates(db: Kysely<Database>, connection: string, runId: string, assignarUserIds: readonly string[]): Promise<ExportCandidate[]> {
  const out: ExportCandidate[] = [];
  for (const part of chunk([...new Set(assignarUserIds)], rowsPerStatement(1))) {
    const rows = await db
      .selectFrom('export_candidates')
      .selectAll()
      .where('connection', '=', connection)
      .where('run_id', '=', runId)
      .where('assignar_user_id', 'in', part)
      .orderBy('assignar_user_id')
      .orderBy('assignar_timesheet_id')
      .execute();
    for (const r of rows) {
      out.push({
        connection: r.connection,
        runId: r.run_id,
        assignarTimesheetId: r.assignar_timesheet_id,
        assignarUserId: r.assignar_user_id,
        version: r.version,
        stream: r.stream === 'corrections' ? 'corrections' : 'approved',
        // Staged by this run from a response already validated; any JSON is fine here (the line builder
        // validates each timesheet), so it is only parsed, not walked again.
        body: parseStaged(r.body),
      });
    }
  }
  return out;
}

/**
 * Forgets the holds of timesheets this run did not read: no longer approved and unprocessed in Assignar
 * (deleted, un-approved, or processed by someone else), so there is nothing left to hold. Call only after a
 * complete collect. Returns how many were released.
 */
export async function releaseHoldsNotStaged(db: Kysely<Database>, connection: string, runId: string): Promise<number> {
  const result = await db
    .deleteFrom('held_timesheets')
    .where('connection', '=', connection)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('export_candidates as c')
            .select(sql<number>`1`.as('one'))
            .where('c.connection', '=', connection)
            .where('c.run_id', '=', runId)
            .whereRef('c.assignar_timesheet_id', '=', 'held_timesheets.assignar_timesheet_id'),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

function parseStaged(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new ValidationError(`ledger column export_candidates.body holds invalid JSON: ${(err as Error).message}`);
  }
}

/** Drops a connection's staged timesheets: one run's (`runId`), or every run's but `exceptRunId`'s. */
export async function clearExportCandidates(db: Kysely<Database>, connection: string, which: { runId: string } | { exceptRunId: string }): Promise<void> {
  let query = db.deleteFrom('export_candidates').where('connection', '=', connection);
  query = 'runId' in which ? query.where('run_id', '=', which.runId) : query.where('run_id', '<>', which.exceptRunId);
  await query.execute();
}
