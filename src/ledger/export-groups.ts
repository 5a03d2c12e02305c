import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import { ValidationError } from '../errors';
import { chunk, distinct, keyOf, rowsPerStatement } from './batch';
import { withConstraintErrors } from './errors';
import type { Database, ExportGroupsTable, HeldTimesheetsTable } from './schema';
import {
  ExportGroupStateSchema,
  JsonSchema,
  KeySchema,
  LimitSchema,
  nowIso,
  parseInput,
  readJson,
  writeJson,
  type ExportGroupState,
  type Json,
} from './values';

/**
 * The timesheet export ledger (issue 9, migration 0006). An export group is one Sage Intacct TIMESHEET:
 * an employee-week's approved Assignar timesheets (or one timesheet, when so configured) under a
 * deterministic key, so a crashed or timed-out export re-sends the very same create (same controlid,
 * uniqueid=true) and never creates it twice. Its states (MARK_TRANSITIONS says which moves are allowed):
 *
 *   planned → sent (before every send; counts an attempt) → confirmed (with the RECORDNO) → processed
 *   planned | sent → failed (Sage Intacct refused it, with a reason) → sent (tried again)
 *   planned | failed → superseded (abandoned; it never existed in Sage Intacct)
 *   confirmed | processed → superseded (when a correction replacing it is confirmed)
 *
 * A late approval is a new group for the same employee-week; a correction is a new group that `replaces` a
 * confirmed one (its Sage timesheet is updated, a complete replace, with the new group's lines). A
 * timesheet the export cannot send is held (held_timesheets) with the reason until it exports.
 */

// ---------------------------------------------------------------------------------------------------
// Values

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
/** PostgreSQL `integer`. */
const MAX_INT4 = 2_147_483_647;

/** A calendar date `YYYY-MM-DD` that exists. */
const LocalDateSchema = z
  .string()
  .regex(LOCAL_DATE, 'expected a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, 'not a calendar date');

export const EXPORT_LINE_KINDS = ['labor', 'equipment'] as const;

/**
 * One TIMESHEETENTRY as sent. Strict: a field the ledger does not know is refused rather than dropped, so
 * a resend or a replace never silently loses part of a line. Optional fields are absent, not null.
 */
const ExportLineSchema = z.strictObject({
  /** ENTRYDATE: the local date of the work, YYYY-MM-DD, within the group's week. */
  entryDate: LocalDateSchema,
  /** QTY: hours as sent (rounded per configuration). */
  qty: z.number().min(0),
  /** The approved minutes behind `qty`. */
  minutes: z.int().min(0).max(MAX_INT4),
  projectId: z.string().min(1),
  taskId: z.string().min(1).optional(),
  costTypeId: z.string().min(1).optional(),
  itemId: z.string().min(1).optional(),
  timeType: z.string().min(1).optional(),
  description: z.string().optional(),
  /** The Assignar timesheet the line comes from (one of the group's timesheets). */
  assignarTimesheetId: KeySchema,
  kind: z.enum(EXPORT_LINE_KINDS),
});
export type ExportLine = z.infer<typeof ExportLineSchema>;
const LinesSchema = z.array(ExportLineSchema);

const TimesheetRefSchema = z.object({ assignarTimesheetId: KeySchema, version: KeySchema });

const PlanSchema = z
  .object({
    connection: KeySchema,
    /** `exportGroupKey()` of the group's identity. */
    groupKey: KeySchema,
    /** `controlIdOf(groupKey)`: the Sage function controlid (1–256 characters). */
    controlId: z.string().min(1).max(256),
    employeeId: KeySchema,
    weekStart: LocalDateSchema,
    timesheets: z.array(TimesheetRefSchema).min(1),
    lines: LinesSchema.min(1),
    replacesGroupKey: KeySchema.nullable().optional(),
    runId: KeySchema.nullable().optional(),
  })
  .superRefine((g, ctx) => {
    const ids = new Set<string>();
    for (const [i, t] of g.timesheets.entries()) {
      if (ids.has(t.assignarTimesheetId)) ctx.addIssue({ code: 'custom', path: ['timesheets', i], message: `timesheet ${t.assignarTimesheetId} is in the group twice` });
      ids.add(t.assignarTimesheetId);
    }
    const weekEnd = new Date(Date.parse(`${g.weekStart}T00:00:00Z`) + 6 * DAY_MS).toISOString().slice(0, 10);
    let total = 0;
    for (const [i, line] of g.lines.entries()) {
      if (!ids.has(line.assignarTimesheetId)) {
        ctx.addIssue({ code: 'custom', path: ['lines', i, 'assignarTimesheetId'], message: `timesheet ${line.assignarTimesheetId} is not one of the group's timesheets` });
      }
      if (line.entryDate < g.weekStart || line.entryDate > weekEnd) {
        ctx.addIssue({ code: 'custom', path: ['lines', i, 'entryDate'], message: `${line.entryDate} is outside the week ${g.weekStart}..${weekEnd}` });
      }
      total += line.minutes;
    }
    if (total > MAX_INT4) ctx.addIssue({ code: 'custom', path: ['lines'], message: `${total} minutes in one group` });
    if (g.replacesGroupKey === g.groupKey) ctx.addIssue({ code: 'custom', path: ['replacesGroupKey'], message: 'a group cannot replace itself' });
  });
/** What the export plans: one Sage Intacct TIMESHEET, its identity and its lines. */
export type ExportGroupPlan = z.input<typeof PlanSchema>;

/** One Assignar timesheet (in one approved version) in a group. */
export interface ExportGroupTimesheet {
  assignarTimesheetId: string;
  version: string;
  /** Its minutes in this group (the sum of its lines here). */
  minutes: number;
}

export interface ExportGroup {
  connection: string;
  groupKey: string;
  controlId: string;
  employeeId: string;
  weekStart: string;
  state: ExportGroupState;
  /** RECORDNO of the Sage Intacct TIMESHEET, once confirmed. */
  sageRecordNo: string | null;
  /** In Assignar timesheet id order (bytewise). */
  timesheets: ExportGroupTimesheet[];
  lines: ExportLine[];
  totalMinutes: number;
  /** The confirmed group whose Sage timesheet this correction replaces. */
  replacesGroupKey: string | null;
  reason: string | null;
  runId: string | null;
  /** How many times it was sent. */
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

/** The transitions markExportGroups makes, and the states each may come from. */
const MARK_TRANSITIONS = {
  /** Before each send: the create may happen from here on. Counts an attempt. */
  sent: ['planned', 'sent', 'failed'],
  /** Its timesheets are marked processed in Assignar. */
  processed: ['confirmed'],
  /** Sage Intacct refused it (a reason is required); it may be sent again under the same controlid. */
  failed: ['planned', 'sent'],
  /** Abandoned before it existed in Sage Intacct (e.g. re-planned with a later approval). */
  superseded: ['planned', 'failed'],
} as const satisfies Record<string, readonly ExportGroupState[]>;
type MarkState = keyof typeof MARK_TRANSITIONS;
const MarkStateSchema = z.enum(Object.keys(MARK_TRANSITIONS) as [MarkState, ...MarkState[]]);

const MarkSchema = z
  .object({
    state: MarkStateSchema,
    /** Required when failing; otherwise cleared (null) when omitted. */
    reason: z.string().min(1).nullable().optional(),
    runId: KeySchema.nullable().optional(),
    /** Compare-and-set: only groups in one of these (default: every state the target may come from). */
    fromStates: z.array(ExportGroupStateSchema).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.state === 'failed' && !m.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a failed group needs a reason' });
    const allowed: readonly ExportGroupState[] = MARK_TRANSITIONS[m.state];
    for (const [i, from] of (m.fromStates ?? []).entries()) {
      if (!allowed.includes(from)) ctx.addIssue({ code: 'custom', path: ['fromStates', i], message: `a group never moves from ${from} to ${m.state} (only from ${allowed.join(', ')})` });
    }
  });
export type ExportGroupMark = z.input<typeof MarkSchema>;

const ConfirmationSchema = z.object({ groupKey: KeySchema, sageRecordNo: KeySchema });
export type ExportGroupConfirmation = z.infer<typeof ConfirmationSchema>;

export interface ListExportGroupsOptions {
  states?: readonly ExportGroupState[];
  employeeId?: string;
  /** YYYY-MM-DD */
  weekStart?: string;
  /** Keyset paging on the group key. */
  afterKey?: string;
  /** Only keys sorting before this one (a key range, with afterKey). */
  beforeKey?: string;
  /** False: groups come without their lines (`lines: []`), for callers that only need their timesheets. */
  withLines?: boolean;
  limit: number;
}

/** Where one Assignar timesheet (one version) went: a row per group it is in. */
export interface TimesheetExportRecord {
  assignarTimesheetId: string;
  version: string;
  minutes: number;
  groupKey: string;
  state: ExportGroupState;
  sageRecordNo: string | null;
  employeeId: string;
  weekStart: string;
  replacesGroupKey: string | null;
  groupCreatedAt: string;
}

const HoldSchema = z.object({
  connection: KeySchema,
  assignarTimesheetId: KeySchema,
  version: KeySchema,
  reason: z.string().min(1),
  details: JsonSchema.nullable().optional(),
  runId: KeySchema,
});
export type HoldTimesheetInput = z.input<typeof HoldSchema>;

/** An approved timesheet the export could not send, and why. Never marked processed while held. */
export interface HeldTimesheet {
  connection: string;
  assignarTimesheetId: string;
  /** The version last held. */
  version: string;
  reason: string;
  details: Json | null;
  /** The run that last held it. */
  runId: string;
  /** First held (kept while it stays held). */
  heldAt: string;
  updatedAt: string;
}

export interface ListHeldTimesheetsOptions {
  /** Keyset paging on the Assignar timesheet id (bytewise text order). */
  afterId?: string;
  limit: number;
}

const GROUP_COLUMNS = 15;
const MEMBER_COLUMNS = 5;
const HOLD_COLUMNS = 8;
const CONFIRM_ROWS = 1000;
const keysSchema = z.array(KeySchema).max(100_000);

// ---------------------------------------------------------------------------------------------------
// Helpers

/** Distinct values in bytewise order (the order of the "C" collation and SQLite's BINARY). */
function sortedDistinct(values: readonly string[]): string[] {
  return distinct(values).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function firstPerKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) if (!byKey.has(key(row))) byKey.set(key(row), row);
  return [...byKey.values()];
}

function minutesOf(lines: readonly ExportLine[]): number {
  return lines.reduce((sum, l) => sum + l.minutes, 0);
}

function toGroup(row: Selectable<ExportGroupsTable>, timesheets: ExportGroupTimesheet[], withLines = true): ExportGroup {
  return {
    connection: row.connection,
    groupKey: row.group_key,
    controlId: row.control_id,
    employeeId: row.employee_id,
    weekStart: row.week_start,
    state: ExportGroupStateSchema.parse(row.state),
    sageRecordNo: row.sage_record_no,
    timesheets,
    lines: withLines ? readJson(row.lines, LinesSchema, 'export_groups.lines') : [],
    totalMinutes: Number(row.total_minutes),
    replacesGroupKey: row.replaces_group_key,
    reason: row.reason,
    runId: row.run_id,
    attempts: Number(row.attempts),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Groups with their timesheets, for rows already read: one more statement per page of keys. */
async function withTimesheets(db: Kysely<Database>, connection: string, rows: readonly Selectable<ExportGroupsTable>[], withLines = true): Promise<ExportGroup[]> {
  const members = new Map<string, ExportGroupTimesheet[]>();
  for (const part of chunk(rows.map((r) => r.group_key), rowsPerStatement(1))) {
    const found = await db
      .selectFrom('export_group_timesheets')
      .select(['group_key', 'assignar_timesheet_id', 'version', 'minutes'])
      .where('connection', '=', connection)
      .where('group_key', 'in', part)
      .orderBy('group_key')
      .orderBy('assignar_timesheet_id')
      .execute();
    for (const m of found) {
      let list = members.get(m.group_key);
      if (!list) members.set(m.group_key, (list = []));
      list.push({ assignarTimesheetId: m.assignar_timesheet_id, version: m.version, minutes: Number(m.minutes) });
    }
  }
  return rows.map((r) => toGroup(r, members.get(r.group_key) ?? [], withLines));
}

async function selectGroups(db: Kysely<Database>, connection: string, groupKeys: readonly string[]): Promise<ExportGroup[]> {
  const rows: Selectable<ExportGroupsTable>[] = [];
  for (const part of chunk(sortedDistinct(groupKeys), rowsPerStatement(1))) {
    rows.push(...(await db.selectFrom('export_groups').selectAll().where('connection', '=', connection).where('group_key', 'in', part).orderBy('group_key').execute()));
  }
  return withTimesheets(db, connection, rows);
}

// ---------------------------------------------------------------------------------------------------
// Groups

/**
 * Records planned groups with their timesheets, in one transaction, and returns every given group as it
 * is now stored, in the order given. Idempotent: a key already stored keeps its state, RECORDNO, attempts
 * and timesheets, so a redone activity sees what was planned (and perhaps sent or confirmed) before. Only a
 * group that never reached Sage Intacct (planned or failed) is re-planned: it takes the new lines (the same
 * approved timesheets mapped again after a configuration or link fix) and the planning run, and is then
 * sent under its own controlid; a planned or failed group that no run re-plans is abandoned by the export. A key given twice in one call counts once (the first).
 */
export async function planExportGroups(db: Kysely<Database>, plans: readonly ExportGroupPlan[]): Promise<ExportGroup[]> {
  const parsed = firstPerKey(parseInput(z.array(PlanSchema), plans, 'export groups'), (g) => keyOf(g.connection, g.groupKey));
  if (parsed.length === 0) return [];
  const now = nowIso();
  const values = parsed.map((g) => ({
    connection: g.connection,
    group_key: g.groupKey,
    control_id: g.controlId,
    employee_id: g.employeeId,
    week_start: g.weekStart,
    state: 'planned',
    sage_record_no: null,
    lines: writeJson(g.lines, 'lines'),
    total_minutes: minutesOf(g.lines),
    replaces_group_key: g.replacesGroupKey ?? null,
    reason: null,
    run_id: g.runId ?? null,
    attempts: 0,
    created_at: now,
    updated_at: now,
  }));
  const members = new Map(
    parsed.map((g) => [
      keyOf(g.connection, g.groupKey),
      g.timesheets.map((t) => ({
        connection: g.connection,
        group_key: g.groupKey,
        assignar_timesheet_id: t.assignarTimesheetId,
        version: t.version,
        minutes: minutesOf(g.lines.filter((l) => l.assignarTimesheetId === t.assignarTimesheetId)),
      })),
    ]),
  );
  return withConstraintErrors('planning export groups', () =>
    db.transaction().execute(async (trx) => {
      const written: Array<{ connection: string; group_key: string }> = [];
      for (const part of chunk(values, rowsPerStatement(GROUP_COLUMNS))) {
        const rows = await trx
          .insertInto('export_groups')
          .values(part)
          .onConflict((oc) =>
            oc
              .columns(['connection', 'group_key'])
              .doUpdateSet((eb) => ({
                lines: eb.ref('excluded.lines'),
                total_minutes: eb.ref('excluded.total_minutes'),
                run_id: eb.ref('excluded.run_id'),
                updated_at: eb.ref('excluded.updated_at'),
              }))
              .where('export_groups.state', 'in', ['planned', 'failed']),
          )
          .returning(['connection', 'group_key'])
          .execute();
        written.push(...rows);
      }
      // Timesheets of the groups inserted or re-planned now (replacing what a re-planned one had); a
      // stored group keeps its own.
      for (const connection of distinct(written.map((w) => w.connection))) {
        const keys = written.filter((w) => w.connection === connection).map((w) => w.group_key);
        for (const part of chunk(keys, rowsPerStatement(1))) {
          await trx.deleteFrom('export_group_timesheets').where('connection', '=', connection).where('group_key', 'in', part).execute();
        }
      }
      const memberRows = written.flatMap((w) => members.get(keyOf(w.connection, w.group_key)) ?? []);
      for (const part of chunk(memberRows, rowsPerStatement(MEMBER_COLUMNS))) {
        await trx.insertInto('export_group_timesheets').values(part).execute();
      }
      const stored = new Map<string, ExportGroup>();
      for (const connection of distinct(parsed.map((g) => g.connection))) {
        const keys = parsed.filter((g) => g.connection === connection).map((g) => g.groupKey);
        for (const g of await selectGroups(trx, connection, keys)) stored.set(keyOf(connection, g.groupKey), g);
      }
      return parsed.map((g) => stored.get(keyOf(g.connection, g.groupKey))!);
    }),
  );
}

/** These groups as stored, in group key order (bytewise); unknown keys are left out. */
export async function getExportGroups(db: Kysely<Database>, connection: string, groupKeys: readonly string[]): Promise<ExportGroup[]> {
  return selectGroups(db, parseInput(KeySchema, connection, 'connection'), parseInput(keysSchema, groupKeys, 'groupKeys'));
}

/** A page of a connection's groups in group key order, optionally by state and employee-week. */
export async function listExportGroups(db: Kysely<Database>, connection: string, options: ListExportGroupsOptions): Promise<ExportGroup[]> {
  parseInput(KeySchema, connection, 'connection');
  const limit = parseInput(LimitSchema, options.limit, 'limit');
  let query = db.selectFrom('export_groups').selectAll().where('connection', '=', connection);
  if (options.states !== undefined) query = query.where('state', 'in', parseInput(z.array(ExportGroupStateSchema).min(1), options.states, 'states'));
  if (options.employeeId !== undefined) query = query.where('employee_id', '=', parseInput(KeySchema, options.employeeId, 'employeeId'));
  if (options.weekStart !== undefined) query = query.where('week_start', '=', parseInput(LocalDateSchema, options.weekStart, 'weekStart'));
  if (options.afterKey !== undefined) query = query.where('group_key', '>', options.afterKey);
  if (options.beforeKey !== undefined) query = query.where('group_key', '<', options.beforeKey);
  const rows = await query.orderBy('group_key').limit(limit).execute();
  return withTimesheets(db, connection, rows, options.withLines ?? true);
}

/**
 * Moves groups to `sent`, `processed`, `failed` or `superseded`, compare-and-set on their current state
 * (`fromStates`, by default every state the target may come from; see MARK_TRANSITIONS). Moving to `sent`
 * counts an attempt. Confirming takes a RECORDNO per group: confirmExportGroups. Returns how many changed;
 * a stale transition (the group moved on meanwhile) changes nothing.
 */
export async function markExportGroups(db: Kysely<Database>, connection: string, groupKeys: readonly string[], mark: ExportGroupMark): Promise<number> {
  parseInput(KeySchema, connection, 'connection');
  const m = parseInput(MarkSchema, mark, 'mark');
  const keys = distinct(parseInput(keysSchema, groupKeys, 'groupKeys'));
  const from = m.fromStates ?? MARK_TRANSITIONS[m.state];
  if (keys.length === 0 || from.length === 0) return 0;
  let changed = 0;
  await db.transaction().execute(async (trx) => {
    for (const part of chunk(keys, rowsPerStatement(1))) {
      const result = await trx
        .updateTable('export_groups')
        .set((eb) => ({
          state: m.state,
          reason: m.reason ?? null,
          updated_at: nowIso(),
          ...(m.runId !== undefined ? { run_id: m.runId } : {}),
          ...(m.state === 'sent' ? { attempts: eb('attempts', '+', 1) } : {}),
        }))
        .where('connection', '=', connection)
        .where('group_key', 'in', part)
        .where('state', 'in', from)
        .executeTakeFirst();
      changed += Number(result.numUpdatedRows);
    }
  });
  return changed;
}

/**
 * Records the RECORDNO of each created (or, for a correction, updated) Sage Intacct timesheet: `sent` →
 * `confirmed`, in one transaction. A confirmed correction supersedes the group it replaces (when that one
 * is confirmed or processed). Returns how many groups were confirmed now; a group not `sent` (already
 * confirmed, or never sent) is left as it is, its RECORDNO never overwritten.
 */
export async function confirmExportGroups(
  db: Kysely<Database>,
  connection: string,
  confirmations: readonly ExportGroupConfirmation[],
  options: { runId?: string | null } = {},
): Promise<number> {
  parseInput(KeySchema, connection, 'connection');
  const runId = parseInput(KeySchema.nullable().optional(), options.runId, 'runId');
  const parsed = parseInput(z.array(ConfirmationSchema).max(100_000), confirmations, 'confirmations');
  const byKey = new Map<string, string>();
  for (const c of parsed) {
    const seen = byKey.get(c.groupKey);
    if (seen !== undefined && seen !== c.sageRecordNo) throw new ValidationError(`confirmations: group ${c.groupKey} is given two RECORDNOs (${seen}, ${c.sageRecordNo})`);
    byKey.set(c.groupKey, c.sageRecordNo);
  }
  if (byKey.size === 0) return 0;
  let changed = 0;
  await db.transaction().execute(async (trx) => {
    const now = nowIso();
    // Each row binds its key twice (CASE and IN) and its RECORDNO once; a CASE is searched linearly for
    // every row it updates, so statements stay at CONFIRM_ROWS rows.
    for (const part of chunk([...byKey], Math.min(CONFIRM_ROWS, rowsPerStatement(3)))) {
      const recordNo = sql<string>`case group_key ${sql.join(
        part.map(([key, no]) => sql`when ${key} then ${no}`),
        sql` `,
      )} end`;
      const confirmed = await trx
        .updateTable('export_groups')
        .set({ state: 'confirmed', sage_record_no: recordNo, reason: null, updated_at: now, ...(runId !== undefined ? { run_id: runId } : {}) })
        .where('connection', '=', connection)
        .where('group_key', 'in', part.map(([key]) => key))
        .where('state', '=', 'sent')
        .returning(['group_key', 'replaces_group_key'])
        .execute();
      changed += confirmed.length;
      const replaced = confirmed.filter((r) => r.replaces_group_key !== null);
      if (replaced.length === 0) continue;
      const why = sql<string>`case group_key ${sql.join(
        replaced.map((r) => sql`when ${r.replaces_group_key} then ${`replaced by the correction ${r.group_key}`}`),
        sql` `,
      )} end`;
      await trx
        .updateTable('export_groups')
        .set({ state: 'superseded', reason: why, updated_at: now })
        .where('connection', '=', connection)
        .where('group_key', 'in', replaced.map((r) => r.replaces_group_key!))
        .where('state', 'in', ['confirmed', 'processed'])
        .execute();
    }
  });
  return changed;
}

/**
 * Every group any version of these Assignar timesheets went into, with the group's state: no row means
 * never exported (a late approval goes into a new group); a row under another version means a
 * correction. Ordered by timesheet id, version, group key (bytewise).
 */
export async function exportsOfTimesheets(db: Kysely<Database>, connection: string, assignarTimesheetIds: readonly string[]): Promise<TimesheetExportRecord[]> {
  parseInput(KeySchema, connection, 'connection');
  const ids = sortedDistinct(parseInput(keysSchema, assignarTimesheetIds, 'assignarTimesheetIds'));
  const out: TimesheetExportRecord[] = [];
  for (const part of chunk(ids, rowsPerStatement(1))) {
    const rows = await db
      .selectFrom('export_group_timesheets as t')
      .innerJoin('export_groups as g', (j) => j.onRef('g.connection', '=', 't.connection').onRef('g.group_key', '=', 't.group_key'))
      .select([
        't.assignar_timesheet_id',
        't.version',
        't.minutes',
        't.group_key',
        'g.state',
        'g.sage_record_no',
        'g.employee_id',
        'g.week_start',
        'g.replaces_group_key',
        'g.created_at',
      ])
      .where('t.connection', '=', connection)
      .where('t.assignar_timesheet_id', 'in', part)
      .orderBy('t.assignar_timesheet_id')
      .orderBy('t.version')
      .orderBy('t.group_key')
      .execute();
    out.push(
      ...rows.map((r) => ({
        assignarTimesheetId: r.assignar_timesheet_id,
        version: r.version,
        minutes: Number(r.minutes),
        groupKey: r.group_key,
        state: ExportGroupStateSchema.parse(r.state),
        sageRecordNo: r.sage_record_no,
        employeeId: r.employee_id,
        weekStart: r.week_start,
        replacesGroupKey: r.replaces_group_key,
        groupCreatedAt: r.created_at,
      })),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Held timesheets

function toHeld(row: Selectable<HeldTimesheetsTable>): HeldTimesheet {
  return {
    connection: row.connection,
    assignarTimesheetId: row.assignar_timesheet_id,
    version: row.version,
    reason: row.reason,
    details: row.details === null ? null : readJson(row.details, JsonSchema, 'held_timesheets.details'),
    runId: row.run_id,
    heldAt: row.held_at,
    updatedAt: row.updated_at,
  };
}

/** Holds timesheets with a reason (one row per timesheet: holding it again replaces the reason, keeps heldAt). */
export async function holdTimesheets(db: Kysely<Database>, rows: readonly HoldTimesheetInput[]): Promise<void> {
  const parsed = parseInput(z.array(HoldSchema), rows, 'held timesheets');
  if (parsed.length === 0) return;
  const now = nowIso();
  const byKey = new Map<string, Selectable<HeldTimesheetsTable>>();
  for (const r of parsed) {
    const key = keyOf(r.connection, r.assignarTimesheetId);
    byKey.delete(key); // last one wins
    byKey.set(key, {
      connection: r.connection,
      assignar_timesheet_id: r.assignarTimesheetId,
      version: r.version,
      reason: r.reason,
      details: r.details === undefined || r.details === null ? null : writeJson(r.details, 'details'),
      run_id: r.runId,
      held_at: now,
      updated_at: now,
    });
  }
  await db.transaction().execute(async (trx) => {
    for (const part of chunk([...byKey.values()], rowsPerStatement(HOLD_COLUMNS))) {
      await trx
        .insertInto('held_timesheets')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['connection', 'assignar_timesheet_id']).doUpdateSet((eb) => ({
            version: eb.ref('excluded.version'),
            reason: eb.ref('excluded.reason'),
            details: eb.ref('excluded.details'),
            run_id: eb.ref('excluded.run_id'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  });
}

/** Forgets holds of timesheets that have since exported (or were fixed); returns how many were held. */
export async function releaseHeldTimesheets(db: Kysely<Database>, connection: string, assignarTimesheetIds: readonly string[]): Promise<number> {
  parseInput(KeySchema, connection, 'connection');
  const ids = distinct(parseInput(keysSchema, assignarTimesheetIds, 'assignarTimesheetIds'));
  let released = 0;
  await db.transaction().execute(async (trx) => {
    for (const part of chunk(ids, rowsPerStatement(1))) {
      const result = await trx.deleteFrom('held_timesheets').where('connection', '=', connection).where('assignar_timesheet_id', 'in', part).executeTakeFirst();
      released += Number(result.numDeletedRows);
    }
  });
  return released;
}

/** A page of a connection's held timesheets in timesheet id order (bytewise). */
export async function listHeldTimesheets(db: Kysely<Database>, connection: string, options: ListHeldTimesheetsOptions): Promise<HeldTimesheet[]> {
  parseInput(KeySchema, connection, 'connection');
  const limit = parseInput(LimitSchema, options.limit, 'limit');
  let query = db.selectFrom('held_timesheets').selectAll().where('connection', '=', connection);
  if (options.afterId !== undefined) query = query.where('assignar_timesheet_id', '>', options.afterId);
  const rows = await query.orderBy('assignar_timesheet_id').limit(limit).execute();
  return rows.map(toHeld);
}
