import { badRequest, notFound } from './errors';
import { compact, fieldsOf, renderColumns } from './resources/common';
import type { ResourceContext, ResourceDef } from './resources/types';
import type { Row, Store } from './store';
import { hhmm, toNaive } from './time';

/**
 * Timesheets as `/timesheets-expanded` returns them. The API has no way to create or edit one (the
 * spec's gap); they come from the field-activity generator or the control API, as workers and
 * supervisors would make them in the app. Nested client/project/task/user/order objects are joined at
 * read time, so they show the current names and external ids, as a relational API would.
 */

/** The UI's statuses (support article "Understanding Timesheet Statuses"), in upper snake case. */
export const TIMESHEET_STATUSES = [
  'STARTED',
  'PENDING_SUBMISSION',
  'SUBMITTED',
  'APPROVED',
  'APPROVED_WITH_PAY_RATES',
  'APPROVED_WITH_CHARGE_RATES',
  'APPROVED_WITH_PAY_AND_CHARGE_RATES',
] as const;
export type TimesheetStatus = (typeof TIMESHEET_STATUSES)[number];

export function isApproved(status: unknown): boolean {
  return typeof status === 'string' && status.startsWith('APPROVED');
}

export interface ActivityEntryRow {
  id: number;
  activity_id: number | null;
  start_at: string;
  end_at: string;
  tz: string;
  duration: number;
  created_at: string;
  modified_at: string;
  created_by_id: number | null;
  related: Array<{ id: number; asset_entry_id: number; minutes: number; created_at: string; modified_at: string }>;
  /** A supervisor's pay code override for this time (`override_pay_code` of its coded times), e.g. `WET`. */
  pay_code?: string | null;
}

export interface AssetEntryRow {
  id: number;
  asset_id: number | null;
  start_at: string;
  end_at: string;
  tz: string;
  duration: number;
  uses_whole_shift: boolean;
  created_at: string;
  modified_at: string;
  created_by_id: number | null;
}

const RELATIONS = [
  'client',
  'project',
  'task',
  'user',
  'supplier',
  'order',
  'digitaldocket',
  'activity_entries',
  'asset_entries',
  'leave_request_entries',
  'docket',
  'allowances',
  'site_diary',
  'signature_url',
  'client_signature_url',
  'document_url',
];

function userRef(store: Store, id: unknown): Record<string, unknown> | undefined {
  const u = typeof id === 'number' ? store.table('users').get(id) : undefined;
  return u ? compact({ user_id: u.id, username: u.username, first_name: u.first_name, last_name: u.last_name }) : undefined;
}

function assetClassOf(store: Store, asset: Row | undefined): Record<string, unknown> | undefined {
  const cls = typeof asset?.asset_class_id === 'number' ? store.table('asset-classes').get(asset.asset_class_id) : undefined;
  return cls ? { ...compact({ id: cls.id, name: cls.name }), description: cls.description ?? null, code: cls.code ?? null } : undefined;
}

function withUsers(entry: Record<string, unknown>, store: Store, createdBy: unknown): Record<string, unknown> {
  const ref = userRef(store, createdBy);
  if (ref) {
    entry.created_by = ref;
    entry.modified_by = ref;
  }
  return entry;
}

/**
 * A top-level scalar of the TimesheetExpanded JSON, from the stored row without rendering it (what
 * `renderTimesheet` gives: the column, null where the spec says nullable, absent otherwise).
 */
export function timesheetListValue(row: Row, field: string): unknown {
  if (field === 'is_processed') return row.is_processed === true;
  const v = row[field];
  if (v !== undefined && v !== null) return v;
  return fieldsOf('TimesheetExpanded').get(field)?.nullable ? null : undefined;
}

/** The TimesheetExpanded JSON of a stored timesheet. */
export function renderTimesheet(row: Row, ctx: Pick<ResourceContext, 'store'>): Record<string, unknown> {
  const store = ctx.store;
  const out = renderColumns(row, 'TimesheetExpanded', RELATIONS);
  out.is_processed = row.is_processed === true;
  const get = (table: 'clients' | 'projects' | 'tasks' | 'orders' | 'users', id: unknown) => (typeof id === 'number' ? store.table(table).get(id) : undefined);
  const client = get('clients', row.client_id);
  out.client = client ? compact({ name: client.name, external_id: client.external_id }) : null;
  const project = get('projects', row.project_id);
  out.project = project ? compact({ name: project.name, external_id: project.external_id }) : null;
  const task = get('tasks', row.task_id);
  out.task = task ? compact({ name: task.name, external_id: task.external_id }) : null;
  const user = get('users', row.user_id);
  out.user = user
    ? compact({
        user_id: user.id,
        username: user.username,
        full_name: user.full_name,
        first_name: user.first_name,
        last_name: user.last_name,
        employee_id: user.employee_id,
        employment_type_id: user.employment_type,
        email: user.email,
      })
    : null;
  out.supplier = null;
  const order = get('orders', row.order_id);
  out.order = order ? compact({ id: order.id, job_number: order.job_number, job_description: order.job_description }) : null;
  out.digitaldocket = null;
  out.docket = null;
  out.site_diary = null;
  out.signature_url = null;
  out.client_signature_url = null;
  out.document_url = {
    url: `https://documents.sandbox.assignar.invalid/timesheets/${row.id}.pdf`,
    expiry: Date.parse(String(row.modified_time ?? row.date_of_creation ?? 0)) + 7 * 24 * 3600 * 1000,
  };
  const assetEntries = (row._asset_entries as AssetEntryRow[] | undefined) ?? [];
  const activityEntries = (row._activity_entries as ActivityEntryRow[] | undefined) ?? [];
  out.activity_entries = activityEntries.map((e) => {
    const act = typeof e.activity_id === 'number' ? store.table('activities').get(e.activity_id) : undefined;
    const entry: Record<string, unknown> = {
      id: e.id,
      start_at: e.start_at,
      start_at_tz: e.tz,
      end_at: e.end_at,
      end_at_tz: e.tz,
      start_at_naive: toNaive(new Date(e.start_at), e.tz),
      end_at_naive: toNaive(new Date(e.end_at), e.tz),
      is_naive_datetime: false,
      created_at: e.created_at,
      modified_at: e.modified_at,
      duration: e.duration,
    };
    if (act) entry.activity = compact({ id: act.id, name: act.name, external_id: act.external_id, is_payable: act.is_payable ?? true });
    withUsers(entry, store, e.created_by_id);
    entry.related_asset_entries = e.related.map((r) => {
      const ae = assetEntries.find((a) => a.id === r.asset_entry_id);
      const asset = typeof ae?.asset_id === 'number' ? store.table('assets').get(ae.asset_id) : undefined;
      const rel: Record<string, unknown> = {
        id: r.id,
        asset_entry_id: r.asset_entry_id,
        activity_asset_usage_minutes: r.minutes,
        created_at: r.created_at,
        modified_at: r.modified_at,
      };
      if (asset) rel.asset = compact({ id: asset.id, name: asset.name, external_id: asset.external_id, assetClass: assetClassOf(store, asset) });
      return withUsers(rel, store, e.created_by_id);
    });
    return entry;
  });
  out.asset_entries = assetEntries.map((e) => {
    const asset = typeof e.asset_id === 'number' ? store.table('assets').get(e.asset_id) : undefined;
    const entry: Record<string, unknown> = {
      id: e.id,
      start_at: e.start_at,
      start_at_tz: e.tz,
      end_at: e.end_at,
      end_at_tz: e.tz,
      start_at_naive: toNaive(new Date(e.start_at), e.tz),
      end_at_naive: toNaive(new Date(e.end_at), e.tz),
      is_naive_datetime: false,
      created_at: e.created_at,
      modified_at: e.modified_at,
      duration: e.duration,
      uses_whole_shift: e.uses_whole_shift,
    };
    if (asset) {
      entry.asset = compact({
        id: asset.id,
        name: asset.name,
        external_id: asset.external_id,
        description: asset.description,
        make: asset.make,
        model: asset.model,
        year: asset.year,
        assetClass: assetClassOf(store, asset),
      });
    }
    return withUsers(entry, store, e.created_by_id);
  });
  out.leave_request_entries = [];
  out.allowances = [];
  return out;
}

/** `/timesheets-expanded` as a read-only resource of the generic engine (list envelope `data: {count, rows}`). */
export const timesheetsResource: ResourceDef = {
  name: 'timesheets',
  label: 'Timesheet',
  collectionPath: '/timesheets-expanded',
  itemPath: '/timesheets-expanded/{id}',
  idParam: 'id',
  itemSchema: 'TimesheetExpanded',
  readOnly: true,
  createStatus: 201,
  updateStatus: 204,
  deleteStatus: 204,
  softDelete: 'inactive',
  modifiedField: 'modified_time',
  auditKeys: [],
  extraFields: { is_processed: { type: 'boolean', nullable: false, readOnly: true } },
  listValue: timesheetListValue,
  render: renderTimesheet,
};

/** Whether the API can see a timesheet (a deleted one is gone from the API, as from the app). */
export function visibleTimesheet(row: Row): boolean {
  return !row.deleted_time;
}

/**
 * `PUT /timesheets/{id}/process`: marks an approved, unprocessed timesheet processed. The spec's 400s:
 * "Timesheet must be completed before processing" and "Timesheet already processed".
 */
export function processTimesheet(ctx: ResourceContext, id: number): Row {
  const table = ctx.store.table('timesheets');
  const row = table.get(id);
  if (!row || !visibleTimesheet(row)) throw notFound('Timesheet', id);
  if (row.is_processed === true) throw badRequest('Timesheet already processed');
  if (!isApproved(row.status)) throw badRequest('Timesheet must be completed before processing');
  const now = ctx.now();
  return table.update(id, { is_processed: true, processed_at: now, processed_by_id: ctx.actor.id, modified_time: now, modified_by: ctx.actor.username });
}

type Input = Record<string, unknown>;

function idOf(input: Input, key: string, nested: string, nestedKey = 'id'): number | null | undefined {
  if (key in input) return (input[key] as number | null) ?? null;
  const obj = input[nested];
  if (obj && typeof obj === 'object' && typeof (obj as Input)[nestedKey] === 'number') return (obj as Input)[nestedKey] as number;
  return undefined;
}

function minutesBetween(a: string, b: string): number {
  return Math.round((Date.parse(b) - Date.parse(a)) / 60000);
}

/**
 * A timesheet row from input in (roughly) the expanded JSON shape: ids at the top level or in the nested
 * objects, entries with `activity_id` or `activity.id`, `asset_id` or `asset.id`, `start_at`/`end_at` in
 * UTC with `start_at_tz`. Derives durations, total_time, start/end datetimes and local times from the
 * entries where the input does not give them. Used by the control API and the generator.
 */
export function timesheetFromInput(input: Input, store: Store, now: string, existing?: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const scalars = [
    'location',
    'supplier_id',
    'job_number',
    'comments',
    'office_use',
    'submitted_date',
    'date_of_creation',
    'created_by_id',
    'modified_by',
    'submitted_by',
    'latitude',
    'longitude',
    'latitude2',
    'longitude2',
    'signature_name',
    'client_signature_name',
    'completed_at',
    'completed_by_id',
    'processed_by_id',
    'processed_at',
    'deleted_time',
    'integration_id',
    'status',
    'is_processed',
    'start_datetime',
    'end_datetime',
    'start_time',
    'end_time',
    'total_time',
  ];
  for (const k of scalars) if (k in input) out[k] = input[k];
  const ids: Array<[string, string, string?]> = [
    ['user_id', 'user', 'user_id'],
    ['client_id', 'client'],
    ['project_id', 'project'],
    ['task_id', 'task'],
    ['order_id', 'order'],
  ];
  for (const [key, nested, nestedKey] of ids) {
    const v = idOf(input, key, nested, nestedKey);
    if (v !== undefined) out[key] = v;
  }
  if (out.status !== undefined && !(TIMESHEET_STATUSES as readonly string[]).includes(out.status as string)) {
    throw badRequest(`Invalid status ${String(out.status)}; one of ${TIMESHEET_STATUSES.join(', ')}`);
  }
  const tz =
    (typeof input.timezone === 'string' && input.timezone) ||
    (Array.isArray(input.activity_entries) && (input.activity_entries[0] as Input | undefined)?.start_at_tz) ||
    (existing?._tz as string | undefined) ||
    'UTC';
  out._tz = tz;
  if (Array.isArray(input.asset_entries)) {
    out._asset_entries = (input.asset_entries as Input[]).map((e): AssetEntryRow => {
      const start = String(e.start_at);
      const end = String(e.end_at);
      return {
        id: typeof e.id === 'number' ? e.id : store.assetEntryIds.next(),
        asset_id: typeof e.asset_id === 'number' ? e.asset_id : typeof (e.asset as Input | undefined)?.id === 'number' ? ((e.asset as Input).id as number) : null,
        start_at: start,
        end_at: end,
        tz: typeof e.start_at_tz === 'string' ? e.start_at_tz : (tz as string),
        duration: typeof e.duration === 'number' ? e.duration : minutesBetween(start, end),
        uses_whole_shift: e.uses_whole_shift === true,
        created_at: typeof e.created_at === 'string' ? e.created_at : now,
        modified_at: typeof e.modified_at === 'string' ? e.modified_at : now,
        created_by_id: typeof e.created_by_id === 'number' ? e.created_by_id : ((out.user_id ?? existing?.user_id ?? null) as number | null),
      };
    });
  }
  const assetEntries = (out._asset_entries ?? existing?._asset_entries ?? []) as AssetEntryRow[];
  if (Array.isArray(input.activity_entries)) {
    out._activity_entries = (input.activity_entries as Input[]).map((e): ActivityEntryRow => {
      const start = String(e.start_at);
      const end = String(e.end_at);
      const related = Array.isArray(e.related_asset_entries) ? (e.related_asset_entries as Input[]) : [];
      return {
        id: typeof e.id === 'number' ? e.id : store.activityEntryIds.next(),
        activity_id:
          typeof e.activity_id === 'number' ? e.activity_id : typeof (e.activity as Input | undefined)?.id === 'number' ? ((e.activity as Input).id as number) : null,
        start_at: start,
        end_at: end,
        tz: typeof e.start_at_tz === 'string' ? e.start_at_tz : (tz as string),
        duration: typeof e.duration === 'number' ? e.duration : minutesBetween(start, end),
        created_at: typeof e.created_at === 'string' ? e.created_at : now,
        modified_at: typeof e.modified_at === 'string' ? e.modified_at : now,
        created_by_id: typeof e.created_by_id === 'number' ? e.created_by_id : ((out.user_id ?? existing?.user_id ?? null) as number | null),
        related: related.map((r) => {
          // A related asset entry names an asset entry by id, or by its index in asset_entries (`asset_entry_index`).
          const ref = typeof r.asset_entry_id === 'number' ? r.asset_entry_id : assetEntries[Number(r.asset_entry_index ?? 0)]?.id;
          return {
            id: typeof r.id === 'number' ? r.id : store.relatedAssetEntryIds.next(),
            asset_entry_id: ref as number,
            minutes: Number(r.activity_asset_usage_minutes ?? r.minutes ?? 0),
            created_at: typeof r.created_at === 'string' ? r.created_at : now,
            modified_at: typeof r.modified_at === 'string' ? r.modified_at : now,
          };
        }),
        ...(typeof e.pay_code === 'string' && e.pay_code ? { pay_code: e.pay_code } : {}),
      };
    });
    const entries = out._activity_entries as ActivityEntryRow[];
    if (entries.length) {
      const first = entries.reduce((a, b) => (a.start_at <= b.start_at ? a : b));
      const last = entries.reduce((a, b) => (a.end_at >= b.end_at ? a : b));
      if (!('start_datetime' in input)) out.start_datetime = first.start_at;
      if (!('end_datetime' in input)) out.end_datetime = last.end_at;
      if (!('start_time' in input)) out.start_time = toNaive(new Date(first.start_at), first.tz).slice(11, 16);
      if (!('end_time' in input)) out.end_time = toNaive(new Date(last.end_at), last.tz).slice(11, 16);
      if (!('total_time' in input)) out.total_time = hhmm(entries.reduce((s, e) => s + e.duration, 0));
      if (!('submitted_date' in input) && !existing?.submitted_date) out.submitted_date = toNaive(new Date(first.start_at), first.tz).slice(0, 10);
    }
  }
  return out;
}
