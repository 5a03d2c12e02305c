import { z } from 'zod';
import { describeIssues, TimesheetExpandedSchema, type AssignarTimesheetExpanded } from '../assignar/schemas';
import { isKnownTimeZone, localDateOf, minutesByLocalDate, type LocalDate } from './calendar';
import type { PayCoding } from './coded-times';

/**
 * One approved Assignar timesheet → the lines it puts on Sage Intacct timesheets (DESIGN.md §2 row 8), or
 * every reason it cannot go yet. Pure (no I/O, no clock, no randomness): imported by activities and safe in
 * workflow code. A timesheet with any problem is held as a whole, never partially exported.
 */

export type { PayCoding } from './coded-times';

/** A worker link's status in the ledger (src/ledger/values.ts LINK_STATUSES). */
export type WorkerLinkStatus = 'active' | 'held' | 'deactivated' | 'drifted';

/**
 * The ledger's links, answered by the caller (loaded per page). Every id is the Assignar id as decimal
 * text; `undefined` means "no link".
 */
export interface ExportLookups {
  worker(assignarUserId: string): { employeeId: string; status: WorkerLinkStatus } | undefined;
  project(assignarProjectId: string): { projectId: string } | undefined;
  /** A work order link; its readable id is `PROJECTID:TASKID`. */
  workOrder(assignarOrderId: string): { projectId: string; taskId: string } | undefined;
  /** An activity (cost code) link: the STANDARDCOSTTYPEID. */
  costCode(assignarActivityId: string): { costTypeId: string } | undefined;
  /** A role (Assignar task) link: the Labor ITEMID. */
  role(assignarTaskId: string): { itemId: string } | undefined;
  /** An asset link: the Equipment ITEMID. */
  asset(assignarAssetId: string): { itemId: string } | undefined;
  /**
   * The coded time of an activity entry (override winning over default), e.g. from `indexCodedTimes`.
   * `undefined`: uncoded (the default time type applies).
   */
  payCodes(activityEntryId: string, context: { timesheetId: string; assignarUserId: string }): PayCoding | undefined;
}

export interface TimesheetLineOptions {
  /** The connection's time zone (`connection.timeZone`): used when an entry has no `start_at_tz`. */
  timeZone: string;
  /**
   * Proposed config `timesheets.splitAtMidnight` (default false): an entry crossing local midnight is
   * booked on its start date (false) or split into one line per local date (true).
   */
  splitAtMidnight?: boolean;
  /** `timesheets.timeTypes`: Assignar pay code → Sage Intacct TIMETYPE name. */
  timeTypes?: Readonly<Record<string, string>>;
  /** `timesheets.defaultTimeType`: for pay codes not in `timeTypes`, uncoded time and equipment time. */
  defaultTimeType?: string;
  /** `timesheets.equipmentCostType`: COSTTYPEID of equipment (asset) time. */
  equipmentCostType: string;
  /**
   * Proposed config `timesheets.approvedStatuses`: the statuses that may be exported. Default: any status
   * starting with `APPROVED` (APPROVED, APPROVED_WITH_PAY_RATES, … — the enum is undocumented).
   */
  approvedStatuses?: readonly string[];
}

/** One piece of time for a Sage Intacct TIMESHEETENTRY, before hours are rounded (plan-groups does that). */
export interface ExportLine {
  /** Assignar timesheet id (decimal text). */
  timesheetId: string;
  /** The approved version: the timesheet's `modified_time`. */
  timesheetVersion: string;
  assignarUserId: string;
  /** EMPLOYEEID. */
  employeeId: string;
  kind: 'labor' | 'equipment';
  /** The Assignar activity entry (labor) or asset entry (equipment) id. */
  entryId: string;
  /** ENTRYDATE as ISO `YYYY-MM-DD`: the local date of the work. */
  entryDate: LocalDate;
  /** Approved minutes (> 0). */
  minutes: number;
  projectId: string;
  /** From the work order; only when the timesheet has one. */
  taskId?: string;
  /** Labor: the activity's cost type; equipment: `equipmentCostType`. Only with a task (Sage needs one). */
  costTypeId?: string;
  /** Labor: the role's item; equipment: the asset's item. */
  itemId?: string;
  timeType?: string;
  /** The Assignar pay code the time was coded with (labor only). */
  payCode?: string;
  /** `Assignar timesheet <id>` plus the comments, at most DESCRIPTION_MAX_CHARS code points. */
  description: string;
}

export type HoldCode =
  | 'malformed'
  | 'not-approved'
  | 'processed'
  | 'deleted'
  | 'no-worker'
  | 'worker-unlinked'
  | 'worker-held'
  | 'worker-drifted'
  | 'worker-deactivated'
  | 'worker-mismatch'
  | 'no-project'
  | 'project-unlinked'
  | 'work-order-unlinked'
  | 'work-order-project-mismatch'
  | 'no-activity'
  | 'activity-unlinked'
  | 'role-unlinked'
  | 'no-asset'
  | 'asset-unlinked'
  | 'pay-code-unmapped'
  | 'pay-code-invalid'
  | 'leave-time';

/** What must change before a held timesheet can go: `link` ones are released when the link appears. */
export interface HoldReason {
  code: HoldCode;
  /** One sentence: what is wrong, with the Assignar ids, and what to do. No personal data beyond ids. */
  message: string;
  /** The record whose link (or mapping) is missing, so a caller can release holds when it appears. */
  subject?: { kind: 'worker' | 'project' | 'workOrder' | 'costCode' | 'role' | 'asset' | 'payCode'; id: string };
}

export type TimesheetLinesResult = { ok: true; timesheetId: string; lines: ExportLine[] } | { ok: false; timesheetId: string | null; holds: HoldReason[] };

/** The longest DESCRIPTION sent, in Unicode code points (Sage Intacct does not document the limit; 400 is well inside its text fields). */
export const DESCRIPTION_MAX_CHARS = 400;
const MARKER = 'Assignar timesheet';
/** Characters outside XML 1.0's Char production (lone surrogates included). */
const NOT_IN_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * A line's DESCRIPTION: `Assignar timesheet 123` (so a Sage Intacct timesheet can be recognised after a
 * lost response), then `: ` and the comments verbatim when not blank; cut to DESCRIPTION_MAX_CHARS code
 * points (never inside a surrogate pair) ending in `…`. Characters XML 1.0 cannot carry at all (control
 * characters such as form feed, lone surrogates) become a space: Sage Intacct could not store them, and
 * refusing the timesheet over a comment would hold payroll hours. Escaping the rest is the XML layer's job.
 */
export function lineDescription(timesheetId: string, comments: string | null | undefined): string {
  const clean = comments?.replace(NOT_IN_XML, ' ');
  const text = clean && clean.trim() !== '' ? `${MARKER} ${timesheetId}: ${clean}` : `${MARKER} ${timesheetId}`;
  const chars = Array.from(text);
  return chars.length <= DESCRIPTION_MAX_CHARS ? text : `${chars.slice(0, DESCRIPTION_MAX_CHARS - 1).join('')}…`;
}

/** Reasons joined for the ledger's `reason` column. */
export function describeHolds(holds: readonly HoldReason[]): string {
  return holds.map((h) => h.message).join(' | ');
}

const SpanSchema = z.object({ code: z.string(), minutes: z.number() });
const PayCodingSchema = z.union([z.object({ unavailable: z.string() }), z.object({ code: z.string() }), z.array(SpanSchema)]);

type Timesheet = AssignarTimesheetExpanded;
type ActivityEntry = NonNullable<Timesheet['activity_entries']>[number];
type AssetEntry = NonNullable<Timesheet['asset_entries']>[number];

class Holds {
  private readonly byKey = new Map<string, HoldReason>();
  add(code: HoldCode, message: string, subject?: HoldReason['subject'], key = `${code}|${subject ? `${subject.kind}:${subject.id}` : message}`): void {
    if (!this.byKey.has(key)) this.byKey.set(key, subject ? { code, message, subject } : { code, message });
  }
  get size(): number {
    return this.byKey.size;
  }
  list(): HoldReason[] {
    return [...this.byKey.values()];
  }
}

const str = (n: number | null | undefined): string | undefined => (typeof n === 'number' ? String(n) : undefined);
const has = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';
/** `role Assignar 12 (external_id LAB-1)`; Assignar text is cut to 60 characters (it is data, not a message). */
const named = (what: string, id: string, extra: string | null | undefined, extraName: string) =>
  `${what} ${id}${has(extra) ? ` (${extraName} ${JSON.stringify(Array.from(extra).slice(0, 60).join(''))})` : ''}`;

const NAIVE_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/**
 * Where an entry's time falls, per local date: its `start_at` (UTC) in `start_at_tz`; else its
 * `start_at_naive` wall clock; else `start_at` (or the timesheet's `start_datetime`) in `start_at_tz` when
 * given, else the connection's zone.
 */
function placeEntry(
  entry: ActivityEntry | AssetEntry,
  minutes: number,
  ts: Timesheet,
  shiftStart: string | undefined,
  options: TimesheetLineOptions,
  where: string,
  holds: Holds,
): Array<{ date: LocalDate; minutes: number }> | undefined {
  const split = options.splitAtMidnight === true;
  const tz = has(entry.start_at_tz) ? entry.start_at_tz : undefined;
  if (tz !== undefined && !isKnownTimeZone(tz)) {
    holds.add('malformed', `${where} has an unknown time zone ${JSON.stringify(tz.slice(0, 60))}: correct the entry in Assignar`);
    return undefined;
  }
  const instant = (s: string | null | undefined) => (has(s) && Number.isFinite(Date.parse(s)) ? s : undefined);
  const start = instant(entry.start_at);
  // Not splitting, the whole shift is booked on the local date it started, even an entry that begins
  // after midnight (the second activity of a night shift).
  if (!split && shiftStart && tz) return [{ date: localDateOf(shiftStart, tz), minutes }];
  if (start && tz) return minutesByLocalDate(start, minutes, tz, split);
  const naive = has(entry.start_at_naive) ? NAIVE_RE.exec(entry.start_at_naive.trim()) : null;
  if (naive) {
    // The wall clock read as UTC gives the local date and the minutes left before local midnight.
    const wall = `${naive[1]}T${naive[2]}:${naive[3]}:${naive[4] ?? '00'}Z`;
    if (Number.isFinite(Date.parse(wall)) && localDateOf(wall, 'UTC') === naive[1]) return minutesByLocalDate(wall, minutes, 'UTC', split);
  }
  const fallback = start ?? instant(ts.start_datetime);
  if (fallback) return minutesByLocalDate(fallback, minutes, tz ?? options.timeZone, split);
  holds.add('malformed', `${where} has no start time (start_at): correct the entry in Assignar`);
  return undefined;
}

/** Two chronological partitions of the same minutes → their common refinement. */
function intersect<A, B>(a: ReadonlyArray<{ minutes: number; v: A }>, b: ReadonlyArray<{ minutes: number; v: B }>): Array<{ a: A; b: B; minutes: number }> {
  const out: Array<{ a: A; b: B; minutes: number }> = [];
  let i = 0;
  let j = 0;
  let leftA = a[0]?.minutes ?? 0;
  let leftB = b[0]?.minutes ?? 0;
  while (i < a.length && j < b.length) {
    const take = Math.min(leftA, leftB);
    if (take > 0) {
      const last = out[out.length - 1];
      if (last && last.a === a[i].v && last.b === b[j].v) last.minutes += take;
      else out.push({ a: a[i].v, b: b[j].v, minutes: take });
    }
    leftA -= take;
    leftB -= take;
    if (leftA <= 0 && ++i < a.length) leftA = a[i].minutes;
    if (leftB <= 0 && ++j < b.length) leftB = b[j].minutes;
  }
  return out;
}

function isApproved(status: string | null | undefined, approved: readonly string[] | undefined): boolean {
  if (!has(status)) return false;
  return approved ? approved.includes(status) : status.startsWith('APPROVED');
}

/**
 * The export lines of one Assignar timesheet (TimesheetExpanded, validated here with zod), or all the
 * reasons it is held. Labor: one line per activity entry (per pay code span and, with splitAtMidnight,
 * per local date); equipment: one per asset entry, on the same (operator's) timesheet. Zero-minute entries
 * give no line; an approved timesheet with no time gives `ok` with no lines.
 */
export function buildTimesheetLines(input: unknown, lookups: ExportLookups, options: TimesheetLineOptions): TimesheetLinesResult {
  const parsed = TimesheetExpandedSchema.safeParse(input);
  if (!parsed.success) {
    const rawId = (input as { id?: unknown } | null | undefined)?.id;
    const timesheetId = typeof rawId === 'number' && Number.isInteger(rawId) ? String(rawId) : null;
    const issues = describeIssues(parsed.error, 'timesheet').slice(0, 10).join('; ');
    return {
      ok: false,
      timesheetId,
      holds: [{ code: 'malformed', message: `Assignar timesheet ${timesheetId ?? '(no id)'} is malformed (${issues}): check the timesheet in Assignar; it is retried on the next export` }],
    };
  }
  const ts = parsed.data;
  const timesheetId = String(ts.id);
  const sheet = `Assignar timesheet ${timesheetId}`;
  const holds = new Holds();

  // Eligibility: approved, not processed, not deleted.
  if ((ts as { is_processed?: unknown }).is_processed === true) {
    holds.add('processed', `${sheet} is already marked processed in Assignar: it was exported before (or by hand) and is not sent again`);
  }
  if (has(ts.deleted_time)) holds.add('deleted', `${sheet} was deleted in Assignar: it is not exported`);
  if (!isApproved(ts.status, options.approvedStatuses)) {
    holds.add('not-approved', `${sheet} is ${has(ts.status) ? ts.status : 'without a status'}, not approved: it is exported once a supervisor approves it`);
  }
  if (!has(ts.modified_time)) holds.add('malformed', `${sheet} has no modified_time (its approved version): read timesheets with that field`);

  // Worker → EMPLOYEEID.
  const userId = str(ts.user_id) ?? str(ts.user?.user_id);
  const assignarEmployeeId = has(ts.user?.employee_id) ? ts.user!.employee_id!.trim() : undefined;
  let employeeId: string | undefined;
  if (userId === undefined) {
    holds.add('no-worker', `${sheet} names no worker (user_id): correct it in Assignar`);
  } else {
    const who = assignarEmployeeId ? `${assignarEmployeeId} (Assignar user ${userId})` : `Assignar user ${userId} (no employee_id)`;
    const subject = { kind: 'worker' as const, id: userId };
    const link = lookups.worker(userId);
    if (!link) {
      holds.add(
        'worker-unlinked',
        `worker ${who} is not linked to a Sage Intacct employee: make the employee active in Sage Intacct with the worker's email (unique among employees) and EMPLOYEEID, then run a sync or link it in the true-up; the timesheet is exported once the link exists`,
        subject,
      );
    } else if (link.status === 'held') {
      holds.add(
        'worker-held',
        `worker ${who} is held: its link to Sage Intacct employee ${link.employeeId} was broken by a change in Assignar; resolve it in the true-up (or \`intacct-assignar links release --kind worker\`) and the timesheet is exported`,
        subject,
      );
    } else if (link.status === 'drifted') {
      holds.add(
        'worker-drifted',
        `worker ${who} was changed in Assignar and no longer matches Sage Intacct employee ${link.employeeId}: let the next sync restore it or resolve it in the true-up; the timesheet is exported once the link is active`,
        subject,
      );
    } else if (link.status === 'deactivated') {
      holds.add(
        'worker-deactivated',
        `Sage Intacct employee ${link.employeeId} (Assignar user ${userId}) is inactive or outside the sync's filter, so its worker was deactivated: reactivate the employee and run a sync, or move the time to the right worker in Assignar`,
        subject,
      );
    } else if (assignarEmployeeId !== undefined && assignarEmployeeId !== link.employeeId.trim()) {
      holds.add(
        'worker-mismatch',
        `worker Assignar user ${userId} has employee_id ${assignarEmployeeId} in Assignar but is linked to Sage Intacct employee ${link.employeeId}: correct employee_id in Assignar (or resolve it in the true-up)`,
        subject,
      );
    } else {
      employeeId = link.employeeId;
    }
  }

  // Project and work order → PROJECTID, TASKID.
  const projectAssignarId = str(ts.project_id);
  const orderAssignarId = str(ts.order_id) ?? str(ts.order?.id);
  let projectId: string | undefined;
  let taskId: string | undefined;
  let projectFromLink: string | undefined;
  if (projectAssignarId !== undefined) {
    const link = lookups.project(projectAssignarId);
    if (link) projectFromLink = link.projectId;
    else {
      holds.add(
        'project-unlinked',
        `${named('project', `Assignar ${projectAssignarId}`, ts.project?.external_id, 'external_id')} is not linked to a Sage Intacct project: make sure the project is active in Sage Intacct and inside the sync's filter, then run a sync`,
        { kind: 'project', id: projectAssignarId },
      );
    }
  }
  if (orderAssignarId !== undefined) {
    const link = lookups.workOrder(orderAssignarId);
    const orderName = named('work order', `Assignar ${orderAssignarId}`, ts.order?.job_number ?? ts.job_number, 'job_number');
    if (!link) {
      holds.add('work-order-unlinked', `${orderName} is not linked to a Sage Intacct project task: make sure the task is active in Sage Intacct (and its project in scope), then run a sync`, {
        kind: 'workOrder',
        id: orderAssignarId,
      });
    } else if (projectFromLink !== undefined && projectFromLink !== link.projectId) {
      holds.add(
        'work-order-project-mismatch',
        `${orderName} is task ${link.taskId} of Sage Intacct project ${link.projectId}, but the timesheet's project is ${projectFromLink}: correct the timesheet's project or work order in Assignar`,
        { kind: 'workOrder', id: orderAssignarId },
      );
    } else {
      projectId = link.projectId;
      taskId = link.taskId;
    }
  } else {
    projectId = projectFromLink;
  }
  if (projectAssignarId === undefined && orderAssignarId === undefined) {
    holds.add('no-project', `${sheet} has no project or work order: set them in Assignar (Sage Intacct project time needs a PROJECTID)`);
  }

  // Role → labor ITEMID.
  const roleAssignarId = str(ts.task_id);
  let laborItemId: string | undefined;
  if (roleAssignarId !== undefined) {
    const link = lookups.role(roleAssignarId);
    if (link) laborItemId = link.itemId;
    else {
      holds.add(
        'role-unlinked',
        `${named('role', `Assignar ${roleAssignarId}`, ts.task?.external_id, 'external_id')} is not linked to a Sage Intacct item in the Labor GL group: make sure the item is active and in that GL group, then run a sync`,
        { kind: 'role', id: roleAssignarId },
      );
    }
  }

  // Leave is not time on a project: say so rather than drop it.
  const leave = (ts.leave_request_entries ?? []).filter((e) => (e.duration ?? 0) > 0);
  if (leave.length > 0) {
    const minutes = leave.reduce((s, e) => s + (e.duration ?? 0), 0);
    holds.add(
      'leave-time',
      `${sheet} holds ${leave.length} leave entr${leave.length === 1 ? 'y' : 'ies'} (${minutes} minutes), which the export does not send to Sage Intacct: record the leave in Sage Intacct and move it off the timesheet in Assignar`,
    );
  }

  // The shift's first minute: its earliest entry (else the timesheet's start).
  const validInstant = (t: string | null | undefined): t is string => has(t) && Number.isFinite(Date.parse(t));
  const entryStarts = [...(ts.activity_entries ?? []), ...(ts.asset_entries ?? [])].map((e) => e.start_at).filter(validInstant);
  const shiftStart = entryStarts.length > 0 ? entryStarts.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a)) : validInstant(ts.start_datetime) ? ts.start_datetime : undefined;
  const timeTypeOf = (code: string): string | undefined => (Object.hasOwn(options.timeTypes ?? {}, code) ? options.timeTypes![code] : options.defaultTimeType);
  const description = lineDescription(timesheetId, ts.comments);
  const lines: ExportLine[] = [];
  type Draft = Omit<ExportLine, 'timesheetId' | 'timesheetVersion' | 'assignarUserId' | 'employeeId' | 'projectId' | 'description'>;
  const drafts: Draft[] = [];

  // Labor: activity entries.
  (ts.activity_entries ?? []).forEach((entry, i) => {
    const entryId = str(entry.id);
    const where = `activity entry ${entryId ?? `#${i + 1}`} of ${sheet}`;
    if (entryId === undefined) return holds.add('malformed', `${where} has no id: read timesheets with activity_entries.id`);
    const minutes = entry.duration;
    if (typeof minutes !== 'number' || minutes < 0) return holds.add('malformed', `${where} has no valid duration: correct it in Assignar`);
    if (minutes === 0) return;
    let costTypeId: string | undefined;
    const activityId = str(entry.activity?.id);
    if (orderAssignarId !== undefined) {
      // COSTTYPEID needs a project and a task in Sage Intacct: only timesheets on a work order carry one.
      if (activityId === undefined) {
        holds.add('no-activity', `${where} has no activity (cost code): set its cost code in Assignar`);
      } else {
        const link = lookups.costCode(activityId);
        if (link) costTypeId = link.costTypeId;
        else {
          holds.add(
            'activity-unlinked',
            `${named('cost code', `Assignar activity ${activityId}`, entry.activity?.external_id, 'external_id')} is not linked to a Sage Intacct standard cost type: make sure it is active in Sage Intacct, then run a sync`,
            { kind: 'costCode', id: activityId },
          );
        }
      }
    }
    // Pay codes: chronological spans (the rest uncoded) → time types.
    const rawCoding = userId === undefined ? undefined : lookups.payCodes(entryId, { timesheetId, assignarUserId: userId });
    const coding = rawCoding === undefined ? undefined : PayCodingSchema.safeParse(rawCoding);
    const spans: Array<{ minutes: number; v: string | null }> = [];
    if (coding && !coding.success) return holds.add('pay-code-invalid', `the coded times of ${where} are malformed: recode the timesheet in Assignar`);
    const value = coding?.data;
    if (value && 'unavailable' in value) return holds.add('pay-code-invalid', `${where} cannot be given a time type: ${value.unavailable}`);
    if (value && 'code' in value) spans.push({ minutes, v: value.code.trim() });
    else if (Array.isArray(value)) {
      let coded = 0;
      for (const s of value) {
        if (!Number.isInteger(s.minutes) || s.minutes <= 0 || s.code.trim() === '') {
          return holds.add('pay-code-invalid', `the coded times of ${where} hold an empty pay code or a non-positive duration: recode the timesheet in Assignar`);
        }
        spans.push({ minutes: s.minutes, v: s.code.trim() });
        coded += s.minutes;
      }
      if (coded > minutes) {
        return holds.add('pay-code-invalid', `the coded times of ${where} add up to ${coded} minutes but the entry has ${minutes}: recode the timesheet in Assignar`);
      }
      if (coded < minutes) spans.push({ minutes: minutes - coded, v: null });
    } else spans.push({ minutes, v: null });
    if (spans.some((s) => s.v === '')) return holds.add('pay-code-invalid', `the coded time of ${where} has an empty pay code: recode the timesheet in Assignar`);
    for (const s of spans) {
      if (s.v !== null && timeTypeOf(s.v) === undefined) {
        holds.add(
          'pay-code-unmapped',
          `pay code ${s.v} has no Sage Intacct time type: add it to timesheets.timeTypes in the connection's configuration ("${s.v}": "<time type name>") or set timesheets.defaultTimeType`,
          { kind: 'payCode', id: s.v },
        );
      }
    }
    const days = placeEntry(entry, minutes, ts, shiftStart, options, where, holds);
    if (!days) return;
    for (const piece of intersect(
      days.map((d) => ({ minutes: d.minutes, v: d.date })),
      spans,
    )) {
      const draft: Draft = { kind: 'labor', entryId, entryDate: piece.a, minutes: piece.minutes };
      if (taskId !== undefined) draft.taskId = taskId;
      if (costTypeId !== undefined) draft.costTypeId = costTypeId;
      if (laborItemId !== undefined) draft.itemId = laborItemId;
      const timeType = piece.b === null ? options.defaultTimeType : timeTypeOf(piece.b);
      if (timeType !== undefined) draft.timeType = timeType;
      if (piece.b !== null) draft.payCode = piece.b;
      drafts.push(draft);
    }
  });

  // Equipment: asset entries, on the operator's timesheet.
  const activityMinutes = (ts.activity_entries ?? []).reduce((s, e) => s + Math.max(0, e.duration ?? 0), 0);
  (ts.asset_entries ?? []).forEach((entry, i) => {
    const entryId = str(entry.id);
    const where = `asset entry ${entryId ?? `#${i + 1}`} of ${sheet}`;
    if (entryId === undefined) return holds.add('malformed', `${where} has no id: read timesheets with asset_entries.id`);
    const minutes = typeof entry.duration === 'number' ? entry.duration : entry.uses_whole_shift === true ? activityMinutes : undefined;
    if (minutes === undefined || minutes < 0) return holds.add('malformed', `${where} has no valid duration: correct it in Assignar`);
    if (minutes === 0) return;
    const assetId = str(entry.asset?.id);
    let itemId: string | undefined;
    if (assetId === undefined) holds.add('no-asset', `${where} names no equipment: set the asset in Assignar`);
    else {
      const link = lookups.asset(assetId);
      if (link) itemId = link.itemId;
      else {
        holds.add(
          'asset-unlinked',
          `${named('equipment', `Assignar asset ${assetId}`, entry.asset?.external_id, 'external_id')} is not linked to a Sage Intacct item in the Equipment GL group: make sure the item is active and in that GL group, then run a sync`,
          { kind: 'asset', id: assetId },
        );
      }
    }
    const days = placeEntry(entry, minutes, ts, shiftStart, options, where, holds);
    if (!days || itemId === undefined) return;
    for (const d of days) {
      const draft: Draft = { kind: 'equipment', entryId, entryDate: d.date, minutes: d.minutes, itemId };
      if (taskId !== undefined) {
        draft.taskId = taskId;
        draft.costTypeId = options.equipmentCostType;
      }
      if (options.defaultTimeType !== undefined) draft.timeType = options.defaultTimeType;
      drafts.push(draft);
    }
  });

  if (holds.size > 0 || employeeId === undefined || projectId === undefined || userId === undefined) {
    if (holds.size === 0) holds.add('malformed', `${sheet} could not be mapped: report this as a bug`);
    return { ok: false, timesheetId, holds: holds.list() };
  }
  for (const d of drafts) {
    lines.push({
      timesheetId,
      timesheetVersion: ts.modified_time!,
      assignarUserId: userId,
      employeeId,
      projectId,
      description,
      ...d,
    });
  }
  return { ok: true, timesheetId, lines };
}
