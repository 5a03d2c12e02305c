import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import { chunk, distinct, lastPerKey, rowsPerStatement } from './batch';
import type { Database, TimesheetExportsTable } from './schema';
import { KeySchema, LimitSchema, TimesheetExportStateSchema, nowIso, parseInput, type TimesheetExportState } from './values';

/** The export ledger row of one Assignar timesheet: the guard that makes the export exactly-once. */
export interface TimesheetExport {
  connection: string;
  assignarTimesheetId: string;
  groupKey: string;
  controlId: string | null;
  sageRecordNo: string | null;
  state: TimesheetExportState;
  reason: string | null;
  runId: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

export interface TimesheetClaim {
  assignarTimesheetId: string;
  /** The Sage Intacct timesheet it goes into (e.g. employee + week). */
  groupKey: string;
  /** Deterministic controlid of the Sage create function. */
  controlId?: string | null;
}

export interface TimesheetExportMark {
  state: TimesheetExportState;
  sageRecordNo?: string | null;
  controlId?: string | null;
  /** Set on held / failed; cleared (null) when omitted. */
  reason?: string | null;
  runId?: string | null;
  /** Only change rows currently in one of these states (e.g. created → processed only). */
  fromStates?: readonly TimesheetExportState[];
}

export interface ListTimesheetExportsOptions {
  state?: TimesheetExportState | readonly TimesheetExportState[];
  /** Keyset paging on the Assignar timesheet id (bytewise text order). */
  afterId?: string;
  limit: number;
}

const ClaimSchema = z.object({ assignarTimesheetId: KeySchema, groupKey: KeySchema, controlId: z.string().min(1).nullable().optional() });
const MarkSchema = z.object({
  state: TimesheetExportStateSchema,
  sageRecordNo: z.string().min(1).nullable().optional(),
  controlId: z.string().min(1).nullable().optional(),
  reason: z.string().nullable().optional(),
  runId: z.string().min(1).nullable().optional(),
  fromStates: z.array(TimesheetExportStateSchema).optional(),
});
const idsSchema = z.array(KeySchema).max(100_000);
const CLAIM_COLUMNS = 11;

function toExport(row: Selectable<TimesheetExportsTable>): TimesheetExport {
  return {
    connection: row.connection,
    assignarTimesheetId: row.assignar_timesheet_id,
    groupKey: row.group_key,
    controlId: row.control_id,
    sageRecordNo: row.sage_record_no,
    state: TimesheetExportStateSchema.parse(row.state),
    reason: row.reason,
    runId: row.run_id,
    attempts: Number(row.attempts),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function selectByIds(db: Kysely<Database>, connection: string, ids: readonly string[]): Promise<TimesheetExport[]> {
  const out: TimesheetExport[] = [];
  for (const part of chunk(distinct(ids), rowsPerStatement(1))) {
    const rows = await db
      .selectFrom('timesheet_exports')
      .selectAll()
      .where('connection', '=', connection)
      .where('assignar_timesheet_id', 'in', part)
      .orderBy('assignar_timesheet_id')
      .execute();
    out.push(...rows.map(toExport));
  }
  return out;
}

export function getTimesheetExports(db: Kysely<Database>, connection: string, assignarTimesheetIds: readonly string[]): Promise<TimesheetExport[]> {
  return selectByIds(db, connection, parseInput(idsSchema, assignarTimesheetIds, 'assignarTimesheetIds'));
}

/**
 * Claims timesheets for export, in one transaction, and returns their rows as they now stand:
 * - unknown timesheets are inserted as `pending` (attempts 1);
 * - `held` and `failed` ones are claimed again: back to `pending` with the new group and controlid;
 * - `pending`, `created` and `processed` ones are left exactly as they are (a pending row keeps its
 *   controlid, so re-sending the create is refused by Sage Intacct as a duplicate, not done twice).
 * The caller exports only the rows that come back `pending`, and skips the rest.
 */
export async function claimTimesheetExports(
  db: Kysely<Database>,
  connection: string,
  claims: readonly TimesheetClaim[],
  options: { runId?: string | null } = {},
): Promise<TimesheetExport[]> {
  parseInput(KeySchema, connection, 'connection');
  const parsed = lastPerKey(parseInput(z.array(ClaimSchema), claims, 'claims'), (c) => c.assignarTimesheetId);
  if (parsed.length === 0) return [];
  const now = nowIso();
  const values = parsed.map((c) => ({
    connection,
    assignar_timesheet_id: c.assignarTimesheetId,
    group_key: c.groupKey,
    control_id: c.controlId ?? null,
    sage_record_no: null,
    state: 'pending',
    reason: null,
    run_id: options.runId ?? null,
    attempts: 1,
    created_at: now,
    updated_at: now,
  }));
  return db.transaction().execute(async (trx) => {
    for (const part of chunk(values, rowsPerStatement(CLAIM_COLUMNS))) {
      await trx
        .insertInto('timesheet_exports')
        .values(part)
        .onConflict((oc) =>
          oc
            .columns(['connection', 'assignar_timesheet_id'])
            .doUpdateSet((eb) => ({
              state: 'pending',
              group_key: eb.ref('excluded.group_key'),
              control_id: eb.ref('excluded.control_id'),
              sage_record_no: null,
              reason: null,
              run_id: eb.ref('excluded.run_id'),
              attempts: sql<number>`timesheet_exports.attempts + 1`,
              updated_at: eb.ref('excluded.updated_at'),
            }))
            .where('timesheet_exports.state', 'in', ['held', 'failed']),
        )
        .execute();
    }
    return selectByIds(trx, connection, values.map((v) => v.assignar_timesheet_id));
  });
}

/** Moves these timesheets to a state (one statement per page of ids); returns how many changed. */
export async function markTimesheetExports(
  db: Kysely<Database>,
  connection: string,
  assignarTimesheetIds: readonly string[],
  mark: TimesheetExportMark,
): Promise<number> {
  const m = parseInput(MarkSchema, mark, 'mark');
  const ids = distinct(parseInput(idsSchema, assignarTimesheetIds, 'assignarTimesheetIds'));
  if (ids.length === 0 || (m.fromStates && m.fromStates.length === 0)) return 0;
  const set: Partial<TimesheetExportsTable> = { state: m.state, reason: m.reason ?? null, updated_at: nowIso() };
  if (m.sageRecordNo !== undefined) set.sage_record_no = m.sageRecordNo;
  if (m.controlId !== undefined) set.control_id = m.controlId;
  if (m.runId !== undefined) set.run_id = m.runId;
  let changed = 0;
  await db.transaction().execute(async (trx) => {
    for (const part of chunk(ids, rowsPerStatement(1))) {
      let query = trx.updateTable('timesheet_exports').set(set).where('connection', '=', connection).where('assignar_timesheet_id', 'in', part);
      if (m.fromStates) query = query.where('state', 'in', m.fromStates);
      changed += Number((await query.executeTakeFirst()).numUpdatedRows);
    }
  });
  return changed;
}

export async function listTimesheetExports(db: Kysely<Database>, connection: string, options: ListTimesheetExportsOptions): Promise<TimesheetExport[]> {
  const limit = parseInput(LimitSchema, options.limit, 'limit');
  let query = db.selectFrom('timesheet_exports').selectAll().where('connection', '=', connection);
  if (options.state !== undefined) {
    const states = parseInput(z.array(TimesheetExportStateSchema).min(1), typeof options.state === 'string' ? [options.state] : options.state, 'state');
    query = query.where('state', 'in', states);
  }
  if (options.afterId !== undefined) query = query.where('assignar_timesheet_id', '>', options.afterId);
  const rows = await query.orderBy('assignar_timesheet_id').limit(limit).execute();
  return rows.map(toExport);
}
