import { badRequest, notFound } from './errors';
import { compact } from './resources/common';
import { WORKER_USER_TYPE_ID } from './resources/users';
import type { Row, Store } from './store';
import { DATE_RE, hhmm, toNaive } from './time';
import { isApproved, visibleTimesheet, type ActivityEntryRow, type AssetEntryRow } from './timesheets';

/**
 * Pay codes, where the spec models them: time coding (`GET /timesheets/coded-worker-times`, schemas
 * CodedWorkerTimes → CodedTimesheet → TimesheetTime → CodedTime with `default_pay_code` and
 * `override_pay_code`). TimesheetExpanded carries no pay code, so this is where an export finds the time
 * type of each minute.
 *
 * The tenant has one time code group ("Standard", version 1) whose rules code an approved timesheet's
 * activity time in start order: the first 8 hours ORD (NIGHT when the shift starts 18:00-04:59 local),
 * the next 2 hours OT15, the rest OT20. A supervisor may override an entry's pay code (the entry's
 * `pay_code`); the generator uses WET ("Inclement weather"), a code a typical time-type mapping does not
 * list. Coding is computed when read, so a correction after approval is recoded. Timesheets that are not
 * approved are not coded yet (`coded_times: []`).
 */

interface TimeCode {
  id: number;
  code: string;
  name: string;
  description: string;
  is_default: boolean;
}

export interface PayCodeDef {
  id: number;
  code: string;
  label: string;
  time_code_id: number;
  /** Id of the TimeCodeGroupPayCode linking it into the Standard group. */
  groupPayCodeId: number;
}

const TIME_CODES: TimeCode[] = [
  { id: 1, code: 'ORD', name: 'Ordinary', description: 'Ordinary hours', is_default: true },
  { id: 2, code: 'OT', name: 'Overtime', description: 'Hours beyond the ordinary day', is_default: false },
  { id: 3, code: 'NIGHT', name: 'Night shift', description: 'Ordinary hours of a night shift', is_default: false },
  { id: 4, code: 'WET', name: 'Inclement weather', description: 'Time stood down for weather', is_default: false },
];

export const PAY_CODES: readonly PayCodeDef[] = [
  { id: 11, code: 'ORD', label: 'Ordinary Time', time_code_id: 1, groupPayCodeId: 21 },
  { id: 12, code: 'OT15', label: 'Overtime x1.5', time_code_id: 2, groupPayCodeId: 22 },
  { id: 13, code: 'OT20', label: 'Overtime x2', time_code_id: 2, groupPayCodeId: 23 },
  { id: 14, code: 'NIGHT', label: 'Night Shift', time_code_id: 3, groupPayCodeId: 24 },
  { id: 15, code: 'WET', label: 'Inclement Weather', time_code_id: 4, groupPayCodeId: 25 },
];

/** The pay codes the rules assign (a typical mapping covers these). */
export const RULE_PAY_CODES = ['ORD', 'OT15', 'OT20', 'NIGHT'] as const;
/** The override the generator uses, absent from a typical time-type mapping. */
export const UNUSUAL_PAY_CODE = 'WET';

const RULES: Record<string, { id: number; time_code_id: number; description: string }> = {
  ORD: { id: 31, time_code_id: 1, description: 'First 8 hours of the shift' },
  NIGHT: { id: 34, time_code_id: 3, description: 'First 8 hours of a night shift (starting 18:00-04:59)' },
  OT15: { id: 32, time_code_id: 2, description: 'Hours 8 to 10 of the shift' },
  OT20: { id: 33, time_code_id: 2, description: 'After 10 hours of the shift' },
};

const GROUP = { id: 1, name: 'Standard', description: 'Standard construction award', is_default: true };
const GROUP_VERSION = { id: 1, time_code_group_id: 1, version: 1 };

const ORDINARY_MINUTES = 480;
const OT15_MINUTES = 600;

export function payCode(code: string): PayCodeDef | undefined {
  return PAY_CODES.find((p) => p.code === code);
}

function payCodeJson(p: PayCodeDef): Record<string, unknown> {
  return { id: p.id, code: p.code, label: p.label, time_code_id: p.time_code_id };
}

function groupPayCodeJson(p: PayCodeDef): Record<string, unknown> {
  const tc = TIME_CODES.find((t) => t.id === p.time_code_id)!;
  return { id: p.groupPayCodeId, time_code_id: p.time_code_id, pay_code_id: p.id, time_code: { ...tc }, pay_code: payCodeJson(p) };
}

/** Whether a timesheet is a night shift: it starts 18:00-04:59 local. */
export function isNightShift(row: Row): boolean {
  const hour = Number(String(row.start_time ?? '').slice(0, 2));
  return Number.isFinite(hour) && (hour >= 18 || hour < 5);
}

export interface CodedSpan {
  /** Coded time id: the activity entry id × 10 + the span's index in the entry. */
  id: number;
  entryId: number;
  start: number;
  end: number;
  minutes: number;
  /** The rule's pay code. */
  code: string;
  /** A supervisor's override, if any. */
  override?: string;
}

/** The coded spans of a timesheet's activity time (by the Standard rules, overrides kept), in start order. */
export function codeTimesheet(row: Row): CodedSpan[] {
  const entries = [...((row._activity_entries as ActivityEntryRow[] | undefined) ?? [])].sort((a, b) => (a.start_at < b.start_at ? -1 : a.start_at > b.start_at ? 1 : a.id - b.id));
  const first = isNightShift(row) ? 'NIGHT' : 'ORD';
  const bands: Array<[number, string]> = [
    [ORDINARY_MINUTES, first],
    [OT15_MINUTES, 'OT15'],
    [Infinity, 'OT20'],
  ];
  const out: CodedSpan[] = [];
  let worked = 0;
  for (const e of entries) {
    const start = Date.parse(e.start_at);
    let done = 0;
    let k = 0;
    while (done < e.duration) {
      const [limit, code] = bands.find(([l]) => worked < l)!;
      const take = Math.min(e.duration - done, limit - worked);
      out.push({
        id: e.id * 10 + k,
        entryId: e.id,
        start: start + done * 60_000,
        end: start + (done + take) * 60_000,
        minutes: take,
        code,
        ...(e.pay_code ? { override: e.pay_code } : {}),
      });
      done += take;
      worked += take;
      k++;
    }
  }
  return out;
}

/** Minutes per pay code (the override where there is one) of an approved timesheet. */
export function payCodeMinutes(row: Row): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isApproved(row.status)) return out;
  for (const s of codeTimesheet(row)) {
    const code = s.override ?? s.code;
    out[code] = (out[code] ?? 0) + s.minutes;
  }
  return out;
}

function codedTimeJson(row: Row, span: CodedSpan, entry: ActivityEntryRow): Record<string, unknown> {
  const p = payCode(span.code)!;
  const rule = RULES[span.code];
  const out: Record<string, unknown> = {
    id: span.id,
    timesheet_id: row.id,
    timesheet_time_id: entry.id,
    user_id: row.user_id,
    timesheet_date: row.submitted_date,
    start_at: new Date(span.start).toISOString(),
    end_at: new Date(span.end).toISOString(),
    time_code_group_pay_code_id: p.groupPayCodeId,
    time_code_group_version_id: GROUP_VERSION.id,
    time_code_rule_id: rule.id,
    coded_at: entry.modified_at,
    created_at: entry.modified_at,
    default_pay_code: groupPayCodeJson(p),
    time_code_rule: { id: rule.id, time_code_id: rule.time_code_id, description: rule.description, is_active: true },
    time_code_group_version: { ...GROUP_VERSION, time_code_group: { ...GROUP } },
  };
  if (typeof row._approver_id === 'number') {
    out.coded_by_id = row._approver_id;
    out.created_by_id = row._approver_id;
  }
  if (span.override) {
    const o = payCode(span.override);
    out.override_pay_code = o ? { id: o.id, code: o.code, label: o.label, override_pay_code_time_code: { ...TIME_CODES.find((t) => t.id === o.time_code_id)! } } : { code: span.override, label: span.override };
    if (o) out.override_pay_code_id = o.id;
    out.overriden_at = entry.modified_at;
    if (typeof row._approver_id === 'number') out.overriden_by_id = row._approver_id;
  }
  return out;
}

function ref(store: Store, table: 'clients' | 'projects' | 'tasks' | 'users', id: unknown): Row | undefined {
  return typeof id === 'number' ? store.table(table).get(id) : undefined;
}

/** A timesheet as CodedTimesheet (the base Timesheet schema plus `timesheet_times` with their coded times). */
export function renderCodedTimesheet(row: Row, store: Store): Record<string, unknown> {
  const entries = (row._activity_entries as ActivityEntryRow[] | undefined) ?? [];
  const assets = (row._asset_entries as AssetEntryRow[] | undefined) ?? [];
  const worked = entries.reduce((s, e) => s + e.duration, 0);
  const span = typeof row.start_datetime === 'string' && typeof row.end_datetime === 'string' ? Math.round((Date.parse(row.end_datetime) - Date.parse(row.start_datetime)) / 60_000) : worked;
  const out: Record<string, unknown> = compact({
    id: row.id,
    client_id: row.client_id,
    user_id: row.user_id,
    project_id: row.project_id,
    task_id: row.task_id,
    location: row.location,
    order_id: row.order_id,
    supplier_id: row.supplier_id,
    job_number: row.job_number,
    start_time: row.start_time,
    start_datetime: row.start_datetime,
    end_time: row.end_time,
    end_datetime: row.end_datetime,
    break_time: hhmm(Math.max(0, span - worked)),
    travel_time_to: '00:00',
    travel_time_from: '00:00',
    total_time: row.total_time,
    comments: row.comments ?? '',
    office_use: row.office_use,
    submitted_date: row.submitted_date,
    date_of_creation: row.date_of_creation,
    created_by_id: typeof row.created_by_id === 'number' ? String(row.created_by_id) : undefined,
    modified_time: row.modified_time,
    modified_by: row.modified_by,
    submitted_by: row.submitted_by,
    checked: isApproved(row.status),
    locked: row.is_processed === true,
    latitude: row.latitude,
    longitude: row.longitude,
    latitude2: row.latitude2,
    longitude2: row.longitude2,
    signature_name: row.signature_name,
    client_signature_name: row.client_signature_name,
    completed_by_id: row.completed_by_id,
    completed_at: row.completed_at,
    is_processed: row.is_processed === true,
    processed_by_id: row.processed_by_id,
    processed_at: row.processed_at,
  });
  out.integration_id = row.integration_id ?? null;
  const client = ref(store, 'clients', row.client_id);
  if (client) out.client = compact({ name: client.name, external_id: client.external_id });
  const project = ref(store, 'projects', row.project_id);
  if (project) out.project = compact({ name: project.name, external_id: project.external_id });
  const task = ref(store, 'tasks', row.task_id);
  if (task) out.task = compact({ name: task.name, external_id: task.external_id });
  const user = ref(store, 'users', row.user_id);
  if (user) out.user = compact({ full_name: user.full_name, username: user.username, first_name: user.first_name, last_name: user.last_name, employee_id: user.employee_id });
  out.asset_times = assets.map((a) => {
    const asset = typeof a.asset_id === 'number' ? store.table('assets').get(a.asset_id) : undefined;
    return compact({
      id: a.id,
      asset_uses_timesheet_duration: a.uses_whole_shift,
      start_at: a.start_at,
      start_at_tz: a.tz,
      end_at: a.end_at,
      end_at_tz: a.tz,
      asset_id: a.asset_id,
      asset: asset ? compact({ id: asset.id, name: asset.name, external_id: asset.external_id }) : undefined,
    });
  });
  const coded = isApproved(row.status) ? codeTimesheet(row) : [];
  out.timesheet_times = entries.map((e) => {
    const act = typeof e.activity_id === 'number' ? store.table('activities').get(e.activity_id) : undefined;
    return {
      ...compact({
        id: e.id,
        timesheet_id: row.id,
        activity_id: e.activity_id,
        minutes: e.duration,
        is_naive_datetime: false,
        start_at: e.start_at,
        start_at_tz: e.tz,
        end_at: e.end_at,
        end_at_tz: e.tz,
        start_at_naive: toNaive(new Date(e.start_at), e.tz),
        end_at_naive: toNaive(new Date(e.end_at), e.tz),
        created_at: e.created_at,
        created_by: e.created_by_id,
        modified_at: e.modified_at,
        modified_by: e.created_by_id,
        activity: act ? compact({ id: act.id, name: act.name, external_id: act.external_id }) : undefined,
      }),
      coded_times: coded.filter((s) => s.entryId === e.id).map((s) => codedTimeJson(row, s, e)),
    };
  });
  return out;
}

/**
 * `GET /timesheets/coded-worker-times`: the spec declares no parameters and answers one CodedWorkerTimes
 * object (one worker), so the sandbox takes `user_id` (required) and optional `start_date` / `end_date`
 * (YYYY-MM-DD, inclusive, on the timesheet's local work date `submitted_date`), and answers that worker
 * with their visible timesheets in start order.
 */
export function codedWorkerTimes(store: Store, query: Record<string, unknown>): Record<string, unknown> {
  const one = (k: string) => {
    const v = query[k];
    return Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v);
  };
  for (const k of Object.keys(query)) {
    if (!['user_id', 'start_date', 'end_date'].includes(k)) throw badRequest(`Invalid parameter - ${k} (takes user_id, start_date, end_date)`);
  }
  const rawUser = one('user_id');
  if (rawUser === undefined || !/^\d{1,15}$/.test(rawUser)) throw badRequest('Validation Error - user_id is required and must be an integer');
  const from = one('start_date');
  const to = one('end_date');
  for (const [k, v] of [
    ['start_date', from],
    ['end_date', to],
  ] as const) {
    if (v !== undefined && (!DATE_RE.test(v) || Number.isNaN(Date.parse(v)))) throw badRequest(`Validation Error - ${k} must be YYYY-MM-DD`);
  }
  const userId = Number(rawUser);
  const user = store.table('users').get(userId);
  if (!user || user.user_type_id !== WORKER_USER_TYPE_ID) throw notFound('User', userId);
  const sheets: Row[] = [];
  for (const row of store.table('timesheets').values()) {
    if (row.user_id !== userId || !visibleTimesheet(row)) continue;
    const date = String(row.submitted_date ?? '');
    if ((from && date < from) || (to && date > to)) continue;
    sheets.push(row);
  }
  sheets.sort((a, b) => String(a.start_datetime ?? '').localeCompare(String(b.start_datetime ?? '')) || a.id - b.id);
  return {
    ...compact({ full_name: user.full_name, user_id: user.id, username: user.username, first_name: user.first_name, last_name: user.last_name, employee_id: user.employee_id }),
    timesheets: sheets.map((row) => renderCodedTimesheet(row, store)),
  };
}
