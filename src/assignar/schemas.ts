import { z } from 'zod';

/**
 * Boundary validation of Assignar responses: the fields the product uses, as loose objects (unknown extra
 * fields pass through untouched). Every property named here must exist, with a compatible type, in the
 * OpenAPI schema of the same resource; test/unit/assignar/schemas-vs-openapi.test.ts enforces it.
 *
 * Everything but `id` is optional because `fields=` selection and create echoes ("every field you sent,
 * plus the generated id") leave fields out. Text fields also accept null: the real API returns null for
 * unset columns the spec calls plain strings (a worker without email), and refusing a whole page for it
 * would stop a sync for nothing.
 */
const id = z.number().int();
const text = z.string().nullish();
const integer = z.number().int().nullish();
const flag = z.boolean().nullish();
/** ISO-8601 date-time as sent; kept as text (the product compares and stores it, never reformats it). */
const timestamp = z.string().nullish();
/** The spec says string; its own examples send numbers (`postcode: 80202`). */
const postcode = z.union([z.string(), z.number()]).nullish();

/** `/clients/` — Client (Sage Intacct CUSTOMER). */
export const ClientSchema = z.looseObject({
  id,
  name: text,
  company_name: text,
  email: text,
  office_phone: text,
  mobile: text,
  address_1: text,
  address_2: text,
  city: text,
  state: text,
  postcode,
  comments: text,
  external_id: text,
  integration_id: text,
  active: flag,
  modified_by: text,
  modified_time: timestamp,
});
export type AssignarClientRecord = z.infer<typeof ClientSchema>;

const Ref = z.looseObject({ id: integer, name: text, external_id: text });

/** `/projects/` — ProjectResponse (Sage Intacct PROJECT). */
export const ProjectSchema = z.looseObject({
  id,
  client_id: integer,
  name: text,
  email: text,
  address: text,
  suburb: text,
  state: text,
  postcode,
  external_id: text,
  integration_id: text,
  active: flag,
  parent_id: integer,
  modified_by: text,
  modified_time: timestamp,
  deleted_at: timestamp,
  client: Ref.nullish(),
});
export type AssignarProject = z.infer<typeof ProjectSchema>;

/** `/tasks` — Task, "Role" in the UI (Sage Intacct ITEM in the Labor GL group). */
export const TaskSchema = z.looseObject({
  id,
  name: text,
  external_id: text,
  integration_id: text,
  active: flag,
  pay_level: text,
  payroll_acc: text,
  charge_code_id: integer,
  modified_by: text,
  modified_time: timestamp,
});
export type AssignarTask = z.infer<typeof TaskSchema>;

/** `/assets` — AssetWithTagPart, "Equipment" in the UI (Sage Intacct ITEM in the Equipment GL group). */
export const AssetSchema = z.looseObject({
  id,
  name: text,
  description: text,
  rego_number: text,
  make: text,
  model: text,
  year: text,
  serial_number: text,
  external_id: text,
  integration_id: text,
  active: flag,
  asset_class_id: integer,
  modified_by: text,
  modified_time: timestamp,
  deleted_at: timestamp,
});
export type AssignarAsset = z.infer<typeof AssetSchema>;

/** `/users` — User; field workers are `user_type_id` 2 (Sage Intacct EMPLOYEE). */
export const UserSchema = z.looseObject({
  id,
  user_type_id: integer,
  employee_id: text,
  integration_id: text,
  first_name: text,
  last_name: text,
  full_name: text,
  email: text,
  username: text,
  contact: text,
  employment_type: integer,
  address: text,
  suburb: text,
  state: text,
  postcode,
  active: flag,
  modified_by: text,
  modified_time: timestamp,
});
export type AssignarUser = z.infer<typeof UserSchema>;

/** `/orders` — Order, "Work Order" in the UI (Sage Intacct project TASK). */
export const OrderSchema = z.looseObject({
  id,
  active: flag,
  job_number: text,
  po_number: text,
  client_id: integer,
  project_id: integer,
  order_owner: integer,
  job_description: text,
  start_date: text,
  end_date: text,
  status_id: integer,
  type_id: integer,
  integration_id: text,
  modified_by: text,
  modified_time: timestamp,
});
export type AssignarOrder = z.infer<typeof OrderSchema>;

/** `/activities` — Activity, a cost code (Sage Intacct STANDARDCOSTTYPE). */
export const ActivitySchema = z.looseObject({
  id,
  name: text,
  external_id: text,
  integration_id: text,
  active: flag,
  billable: integer,
  is_payable: flag,
  uom_code: text,
  date_modified: timestamp,
  deleted_at: timestamp,
});
export type AssignarActivity = z.infer<typeof ActivitySchema>;

const NamedRef = z.looseObject({ name: text, external_id: text });
const AssetRef = z.looseObject({ id: integer, name: text, external_id: text });

const entryTimes = {
  id: integer,
  start_at: timestamp,
  start_at_tz: text,
  end_at: timestamp,
  end_at_tz: text,
  start_at_naive: text,
  end_at_naive: text,
  is_naive_datetime: flag,
  /** Minutes. */
  duration: integer,
};

export const ActivityEntrySchema = z.looseObject({
  ...entryTimes,
  activity: z.looseObject({ id: integer, name: text, external_id: text, is_payable: flag }).nullish(),
  related_asset_entries: z
    .array(z.looseObject({ id: integer, asset_entry_id: integer, activity_asset_usage_minutes: integer, asset: AssetRef.nullish() }))
    .nullish(),
});

export const AssetEntrySchema = z.looseObject({
  ...entryTimes,
  uses_whole_shift: flag,
  asset: AssetRef.nullish(),
});

export const LeaveRequestEntrySchema = z.looseObject({
  ...entryTimes,
  leave_type: z.looseObject({ id: integer, type: text, label: text, code: text }).nullish(),
});

/** `/timesheets-expanded` — TimesheetExpanded (exported to Sage Intacct TIMESHEET). */
export const TimesheetExpandedSchema = z.looseObject({
  id,
  user_id: integer,
  client_id: integer,
  project_id: integer,
  task_id: integer,
  order_id: integer,
  supplier_id: integer,
  job_number: text,
  start_time: text,
  end_time: text,
  start_datetime: timestamp,
  end_datetime: timestamp,
  /** "HH:MM". */
  total_time: text,
  comments: text,
  submitted_date: text,
  completed_at: timestamp,
  processed_at: timestamp,
  processed_by_id: integer,
  deleted_time: timestamp,
  modified_time: timestamp,
  integration_id: text,
  /** e.g. APPROVED_WITH_PAY_AND_CHARGE_RATES; the enum is not documented, so it stays text. */
  status: text,
  user: z
    .looseObject({
      user_id: integer,
      username: text,
      full_name: text,
      first_name: text,
      last_name: text,
      employee_id: text,
      employment_type_id: integer,
      email: text,
    })
    .nullish(),
  client: NamedRef.nullish(),
  project: NamedRef.nullish(),
  task: NamedRef.nullish(),
  order: z.looseObject({ id: integer, job_number: text, job_description: text }).nullish(),
  activity_entries: z.array(ActivityEntrySchema).nullish(),
  asset_entries: z.array(AssetEntrySchema).nullish(),
  leave_request_entries: z.array(LeaveRequestEntrySchema).nullish(),
});
export type AssignarTimesheetExpanded = z.infer<typeof TimesheetExpandedSchema>;

// ── Envelopes (reference §3.3: `{ status, data, count? }`) ──────────────────────────────────────────────

const envelopeStatus = z.number().int().optional();

export const ListEnvelopeSchema = z.looseObject({ status: envelopeStatus, data: z.array(z.unknown()), count: z.number().int().optional() });
/** `/timesheets-expanded` lists as `data: { count, rows[] }`. */
export const RowsEnvelopeSchema = z.looseObject({
  status: envelopeStatus,
  data: z.looseObject({ count: z.number().int().optional(), rows: z.array(z.unknown()) }),
});
export const ItemEnvelopeSchema = z.looseObject({ status: envelopeStatus, data: z.looseObject({}) });

/** Zod issues as `path: message` lines, without the offending values (they may be personal data). */
export function describeIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((i) => {
    const path = i.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), prefix);
    return `${path}: ${i.message}`;
  });
}
