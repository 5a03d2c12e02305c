/**
 * TIMESHEET with TIMESHEETENTRIES: validation and storage, with the business rules a tenant enforces and the
 * service must survive (reference §4.1):
 * - header: EMPLOYEEID given, exists and is active; BEGINDATE given and MM/DD/YYYY; STATE Draft or Submitted
 *   (Draft when omitted); at least one entry;
 * - each entry: ENTRYDATE given, MM/DD/YYYY and inside the timesheet period (BEGINDATE up to BEGINDATE +
 *   period − 1 day, 7 days by default); QTY given, numeric, > 0, at most `timesheetQtyDecimals` decimals;
 *   PROJECTID exists and is active; TASKID exists under that project and is active (or TASKKEY, a task
 *   RECORDNO — the only task reference the official SDK emits); COSTTYPEID (a STANDARDCOSTTYPE, needing a
 *   project and a task), ITEMID and CUSTOMERID exist and are active. TIMETYPE is not modelled: any name is
 *   accepted. Other dimensions (LOCATIONID, DEPARTMENTID, CLASSID…) are stored as given.
 * Each problem is one BL01001973 error naming the line and field (`Line 2, PROJECTID: Invalid Project P-9`)
 * with a correction, followed by the generic "Could not create Timesheet record!"; nothing is written.
 *
 * An update (`<update><TIMESHEET><RECORDNO>…`) replaces all entries with the ones sent (a complete replace,
 * as the API documents) after the same validation; header fields not sent keep their values. A timesheet
 * holding approved time (STATE Approved or Partially Approved) refuses update and delete. A person in the UI
 * (the control API) may also change only STATE — approve, decline, or take it back to Draft.
 */
import { OBJECTS, type ObjectDef } from './catalog';
import { errors, SageFunctionError, type GatewayError } from './errors';
import { validateInput } from './records';
import type { Rec } from './store';
import { dateToUtcMs, formatDateUtc } from './time';
import type { WriteContext } from './writes';

const DAY = 86_400_000;

/** States in which a timesheet holds approved time: update and delete are refused. */
export const LOCKED_TIMESHEET_STATES: readonly string[] = ['Approved', 'Partially Approved'];
/** What a create or an API update may set STATE to. */
const WRITABLE_STATES: readonly string[] = ['Draft', 'Submitted'];
/** What an approver's decision sets; only a timesheet awaiting approval can get one. */
const DECISION_STATES: readonly string[] = ['Approved', 'Partially Approved', 'Declined', 'Partially Declined'];
const AWAITING_DECISION: readonly string[] = ['Submitted', 'Partially Approved', 'Partially Declined'];

interface Problem {
  /** `EMPLOYEEID`, `Line 2, PROJECTID`, or '' for the timesheet as a whole. */
  where: string;
  detail: string;
  correction: string;
}

type Action = 'create' | 'update' | 'delete';

function fail(problems: readonly Problem[], action: Action): never {
  const errs: GatewayError[] = problems.map((p) =>
    errors.businessRule(p.where ? `${p.where}: ${p.detail}` : p.detail, p.where.startsWith('Line ') ? 'Invalid timesheet entry' : 'Invalid timesheet', p.correction),
  );
  const generic = `Could not ${action} Timesheet record!`;
  errs.push(errors.businessRule(generic, generic));
  throw new SageFunctionError(errs);
}

/**
 * Validates each field on its own (unknown fields, enum values, dates, numbers, booleans), so that one bad
 * value is reported with its field and the others are still checked. Returns the valid values; the names of
 * the fields that were invalid go to `invalid`.
 */
function validateFields(def: ObjectDef, input: Readonly<Record<string, unknown>>, where: (field: string) => string, problems: Problem[], invalid: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    try {
      Object.assign(out, validateInput(def, { [name]: value }));
    } catch (err) {
      if (!(err instanceof SageFunctionError)) throw err;
      invalid.add(name.toUpperCase());
      for (const e of err.errors) {
        problems.push({ where: where(name.toUpperCase()), detail: e.description2 || e.description || e.errorno, correction: e.correction || 'Correct the value and send the timesheet again.' });
      }
    }
  }
  return out;
}

function checkHeader(ctx: WriteContext, header: Record<string, string>, invalid: ReadonlySet<string>, problems: Problem[]): void {
  const employeeId = header.EMPLOYEEID ?? '';
  if (employeeId === '') {
    if (!invalid.has('EMPLOYEEID')) problems.push({ where: 'EMPLOYEEID', detail: 'Required field EMPLOYEEID is missing', correction: 'Give the ID of the employee the timesheet is for.' });
  } else {
    const employee = ctx.store.findByKey('EMPLOYEE', { EMPLOYEEID: employeeId });
    if (!employee) problems.push({ where: 'EMPLOYEEID', detail: `Invalid Employee ${employeeId}`, correction: 'Use the ID of an existing employee.' });
    else if (employee.STATUS === 'inactive') problems.push({ where: 'EMPLOYEEID', detail: `Employee ${employeeId} is inactive`, correction: 'Activate the employee, or record the time for an active one.' });
  }
  if ((header.BEGINDATE ?? '') === '' && !invalid.has('BEGINDATE')) {
    problems.push({ where: 'BEGINDATE', detail: 'Required field BEGINDATE is missing', correction: 'Give the first day of the timesheet period as MM/DD/YYYY.' });
  }
  if (header.STATE && !WRITABLE_STATES.includes(header.STATE)) {
    problems.push({ where: 'STATE', detail: `STATE must be Draft or Submitted (got '${header.STATE}')`, correction: 'Send Draft or Submitted; approval is a separate step.' });
  }
}

interface Reference {
  object: string;
  key: Record<string, string>;
  label: string;
  field: string;
}

/** Whether the referenced record exists and is active; a problem otherwise. Returns the record when usable. */
function active(ctx: WriteContext, ref: Reference, line: string, problems: Problem[]): Rec | undefined {
  const rec = ctx.store.findByKey(ref.object, ref.key);
  const id = Object.values(ref.key).pop() ?? '';
  if (!rec) {
    problems.push({ where: `${line}, ${ref.field}`, detail: `Invalid ${ref.label} ${id}`, correction: `Use the ID of an existing ${ref.label.toLowerCase()}.` });
    return undefined;
  }
  if (rec.STATUS === 'inactive') {
    problems.push({ where: `${line}, ${ref.field}`, detail: `${ref.label} ${id} is inactive`, correction: `Activate the ${ref.label.toLowerCase()} in Sage Intacct, or use an active one.` });
    return undefined;
  }
  return rec;
}

function checkQty(ctx: WriteContext, qty: string, line: string, problems: Problem[]): void {
  const where = `${line}, QTY`;
  const n = Number(qty);
  if (!(n > 0)) {
    problems.push({ where, detail: `QTY must be greater than 0 (got '${qty}')`, correction: 'Send the hours worked as a positive number.' });
    return;
  }
  const decimals = (/\.(\d+)$/.exec(qty.trim())?.[1] ?? '').replace(/0+$/, '').length;
  if (decimals > ctx.timesheetQtyDecimals) {
    problems.push({ where, detail: `QTY ${qty} has more than ${ctx.timesheetQtyDecimals} decimal places`, correction: `Round the hours to ${ctx.timesheetQtyDecimals} decimal places.` });
  }
}

function checkEntries(ctx: WriteContext, header: Record<string, string>, entries: ReadonlyArray<Record<string, string>>, problems: Problem[]): Array<Record<string, string>> {
  const { store } = ctx;
  const begin = dateToUtcMs(header.BEGINDATE ?? '');
  const end = begin === undefined ? undefined : begin + (ctx.timesheetPeriodDays - 1) * DAY;
  if (entries.length === 0) {
    problems.push({ where: 'TIMESHEETENTRIES', detail: 'A timesheet needs at least one entry (TIMESHEETENTRIES/TIMESHEETENTRY)', correction: 'Send every entry of the timesheet.' });
  }
  const out: Array<Record<string, string>> = [];
  entries.forEach((raw, i) => {
    const line = `Line ${i + 1}`;
    const invalid = new Set<string>();
    const values = validateFields(OBJECTS.TIMESHEETENTRY, raw, (f) => `${line}, ${f}`, problems, invalid);
    delete values.RECORDNO; // an update replaces the lines: they get new record numbers

    const entryDate = dateToUtcMs(values.ENTRYDATE ?? '');
    if (!values.ENTRYDATE) {
      if (!invalid.has('ENTRYDATE')) problems.push({ where: `${line}, ENTRYDATE`, detail: 'Required field ENTRYDATE is missing', correction: 'Give the day the time was worked as MM/DD/YYYY.' });
    } else if (entryDate !== undefined && begin !== undefined && end !== undefined && (entryDate < begin || entryDate > end)) {
      problems.push({
        where: `${line}, ENTRYDATE`,
        detail: `ENTRYDATE ${values.ENTRYDATE} is outside the timesheet period ${formatDateUtc(begin)} to ${formatDateUtc(end)}`,
        correction: 'Put the entry on the timesheet of the period it falls in.',
      });
    }
    if (!values.QTY) {
      if (!invalid.has('QTY')) problems.push({ where: `${line}, QTY`, detail: 'Required field QTY is missing', correction: 'Give the hours worked.' });
    } else {
      checkQty(ctx, values.QTY, line, problems);
    }

    let project: Rec | undefined;
    if (values.PROJECTID) {
      project = active(ctx, { object: 'PROJECT', key: { PROJECTID: values.PROJECTID }, label: 'Project', field: 'PROJECTID' }, line, problems);
      if (project) values.PROJECTKEY = project.RECORDNO;
    }
    if (values.TASKKEY) {
      const task = store.get('TASK', Number(values.TASKKEY));
      if (!task) {
        problems.push({ where: `${line}, TASKKEY`, detail: `Invalid Task key ${values.TASKKEY}`, correction: 'Use the RECORDNO of an existing task.' });
      } else if (values.TASKID && values.TASKID !== task.TASKID) {
        problems.push({ where: `${line}, TASKID`, detail: `TASKID ${values.TASKID} does not match TASKKEY ${values.TASKKEY}`, correction: 'Send TASKID or TASKKEY, not both.' });
      } else if (values.PROJECTID && values.PROJECTID !== task.PROJECTID) {
        problems.push({ where: `${line}, TASKKEY`, detail: `Task ${task.TASKID ?? ''} belongs to project ${task.PROJECTID ?? ''}, not ${values.PROJECTID}`, correction: 'Use a task of the entry\'s project.' });
      } else if (task.STATUS === 'inactive') {
        problems.push({ where: `${line}, TASKKEY`, detail: `Task ${task.TASKID ?? ''} of project ${task.PROJECTID ?? ''} is inactive`, correction: 'Activate the task in Sage Intacct, or use an active one.' });
      } else {
        if (!values.PROJECTID) {
          project = active(ctx, { object: 'PROJECT', key: { PROJECTID: task.PROJECTID ?? '' }, label: 'Project', field: 'TASKKEY' }, line, problems);
        }
        values.TASKID = task.TASKID ?? '';
        values.PROJECTID = task.PROJECTID ?? '';
        values.PROJECTKEY = task.PROJECTKEY ?? '';
      }
    } else if (values.TASKID) {
      if (!values.PROJECTID) {
        problems.push({ where: `${line}, TASKID`, detail: `TASKID ${values.TASKID} needs a PROJECTID`, correction: 'A task ID is unique per project only: send the PROJECTID too.' });
      } else if (project) {
        const task = active(ctx, { object: 'TASK', key: { PROJECTID: values.PROJECTID, TASKID: values.TASKID }, label: 'Task', field: 'TASKID' }, line, problems);
        if (task) {
          values.TASKKEY = task.RECORDNO;
        } else {
          // Name the project in the message: the same TASKID may exist under another project.
          const last = problems[problems.length - 1];
          last.detail = `${last.detail} for project ${values.PROJECTID}`;
        }
      }
    }
    if (values.COSTTYPEID) {
      if (!values.PROJECTID || !(values.TASKID || values.TASKKEY)) {
        problems.push({ where: `${line}, COSTTYPEID`, detail: `COSTTYPEID ${values.COSTTYPEID} needs a PROJECTID and a TASKID`, correction: 'A cost type belongs to a project task: send both.' });
      } else {
        active(ctx, { object: 'STANDARDCOSTTYPE', key: { STANDARDCOSTTYPEID: values.COSTTYPEID }, label: 'Cost type', field: 'COSTTYPEID' }, line, problems);
      }
    }
    if (values.ITEMID) active(ctx, { object: 'ITEM', key: { ITEMID: values.ITEMID }, label: 'Item', field: 'ITEMID' }, line, problems);
    if (values.CUSTOMERID) active(ctx, { object: 'CUSTOMER', key: { CUSTOMERID: values.CUSTOMERID }, label: 'Customer', field: 'CUSTOMERID' }, line, problems);
    out.push(values);
  });
  return out;
}

function linesOf(ctx: WriteContext, recordNo: number | string): readonly Rec[] {
  return ctx.store.all('TIMESHEETENTRY').filter((e) => e.TIMESHEETKEY === String(recordNo));
}

function removeLines(ctx: WriteContext, recordNo: number | string): void {
  for (const line of linesOf(ctx, recordNo)) ctx.store.remove('TIMESHEETENTRY', Number(line.RECORDNO), ctx.userId, ctx.source, false);
}

function insertEntries(ctx: WriteContext, header: Readonly<Record<string, string>>, timesheetKey: string, entries: ReadonlyArray<Record<string, string>>): void {
  entries.forEach((e, i) => {
    ctx.store.insert('TIMESHEETENTRY', {
      ...e,
      TIMESHEETKEY: timesheetKey,
      LINENO: e.LINENO || String(i + 1),
      EMPLOYEEID: header.EMPLOYEEID ?? '',
      STATE: header.STATE ?? '',
    });
  });
}

const endDate = (ctx: WriteContext, beginDate: string): string => formatDateUtc(dateToUtcMs(beginDate)! + (ctx.timesheetPeriodDays - 1) * DAY);

export function createTimesheet(ctx: WriteContext, input: Readonly<Record<string, unknown>>, rawEntries: ReadonlyArray<Record<string, string>> | undefined): Rec {
  const problems: Problem[] = [];
  const invalid = new Set<string>();
  const header = validateFields(OBJECTS.TIMESHEET, input, (f) => f, problems, invalid);
  delete header.RECORDNO; // assigned by the system
  checkHeader(ctx, header, invalid, problems);
  const entries = checkEntries(ctx, header, rawEntries ?? [], problems);
  if (problems.length > 0) fail(problems, 'create');
  header.STATE = header.STATE || 'Draft';
  header.ENDDATE = endDate(ctx, header.BEGINDATE);
  const rec = ctx.store.insert('TIMESHEET', header);
  insertEntries(ctx, header, rec.RECORDNO, entries);
  return rec;
}

/** Refuses to change or delete a timesheet that holds approved time. */
export function assertTimesheetUnlocked(existing: Rec, action: Action): void {
  const state = existing.STATE ?? '';
  if (!LOCKED_TIMESHEET_STATES.includes(state)) return;
  fail(
    [{
      where: 'STATE',
      detail: `Timesheet ${existing.RECORDNO} for employee ${existing.EMPLOYEEID ?? ''} beginning ${existing.BEGINDATE ?? ''} is ${state}: approved time cannot be changed or deleted`,
      correction: 'Leave the approved timesheet as it is; record corrections on a new timesheet.',
    }],
    action,
  );
}

function missingTimesheet(recordNo: string, action: Action): never {
  throw new SageFunctionError([
    errors.businessRule(recordNo ? `Cannot ${action} non-existing TIMESHEET with RECORDNO=${recordNo}.` : `Missing RECORDNO to identify the TIMESHEET record`, `Could not ${action} Timesheet record!`, 'Give the RECORDNO of an existing timesheet.'),
  ]);
}

/**
 * Updates a timesheet: a complete replace of its entries by `rawEntries` (required through the API). From
 * the UI (control API, `source: 'U'`) entries may be left out — the lines stay and must still fit the
 * period — and an edit of STATE alone is an approver's decision (see setTimesheetState).
 */
export function updateTimesheet(ctx: WriteContext, input: Readonly<Record<string, unknown>>, rawEntries: ReadonlyArray<Record<string, string>> | undefined): Rec {
  const recordNoRaw = Object.entries(input).find(([k]) => k.toUpperCase() === 'RECORDNO')?.[1];
  const recordNo = recordNoRaw === undefined || recordNoRaw === null ? '' : String(recordNoRaw).trim();
  if (!/^\d+$/.test(recordNo)) missingTimesheet(recordNo, 'update');
  const existing = ctx.store.get('TIMESHEET', Number(recordNo));
  if (!existing) missingTimesheet(recordNo, 'update');
  const givenNames = Object.keys(input).map((k) => k.toUpperCase()).filter((k) => k !== 'RECORDNO');
  if (ctx.source === 'U' && rawEntries === undefined && givenNames.length === 1 && givenNames[0] === 'STATE') {
    return setTimesheetState(ctx, Number(recordNo), String(Object.entries(input).find(([k]) => k.toUpperCase() === 'STATE')?.[1] ?? ''));
  }
  assertTimesheetUnlocked(existing, 'update');

  const problems: Problem[] = [];
  const invalid = new Set<string>();
  const given = validateFields(OBJECTS.TIMESHEET, input, (f) => f, problems, invalid);
  delete given.RECORDNO;
  const header: Record<string, string> = { ...existing };
  delete header.RECORDNO;
  for (const [k, v] of Object.entries(given)) header[k] = v;
  checkHeader(ctx, { ...given, EMPLOYEEID: header.EMPLOYEEID ?? '', BEGINDATE: header.BEGINDATE ?? '' }, invalid, problems);

  let entries: Array<Record<string, string>> | undefined;
  if (rawEntries !== undefined) {
    entries = checkEntries(ctx, header, rawEntries, problems);
  } else if (ctx.source === 'W') {
    problems.push({
      where: 'TIMESHEETENTRIES',
      detail: 'An update replaces the timesheet and all its entries: TIMESHEETENTRIES is missing',
      correction: 'Send every entry the timesheet should have, with the header.',
    });
  } else {
    // A UI edit of the header: the lines stay and must still fall inside the (possibly moved) period.
    const begin = dateToUtcMs(header.BEGINDATE ?? '');
    if (begin !== undefined) {
      const end = begin + (ctx.timesheetPeriodDays - 1) * DAY;
      linesOf(ctx, recordNo).forEach((l, i) => {
        const d = dateToUtcMs(l.ENTRYDATE ?? '');
        if (d !== undefined && (d < begin || d > end)) {
          problems.push({ where: `Line ${i + 1}, ENTRYDATE`, detail: `ENTRYDATE ${l.ENTRYDATE ?? ''} is outside the timesheet period ${formatDateUtc(begin)} to ${formatDateUtc(end)}`, correction: 'Move the entries with the period.' });
        }
      });
    }
  }
  if (problems.length > 0) fail(problems, 'update');

  header.ENDDATE = endDate(ctx, header.BEGINDATE ?? '');
  if (entries) {
    removeLines(ctx, recordNo);
    insertEntries(ctx, header, recordNo, entries);
  } else {
    for (const l of linesOf(ctx, recordNo)) ctx.store.replace('TIMESHEETENTRY', Number(l.RECORDNO), { ...l, EMPLOYEEID: header.EMPLOYEEID ?? '', STATE: header.STATE ?? '' });
  }
  return ctx.store.replace('TIMESHEET', Number(recordNo), header);
}

/**
 * A person's decision in the UI: sets STATE on the timesheet and every line. Approved, Partially Approved,
 * Declined and Partially Declined need a timesheet awaiting approval (Submitted, or partially decided) — only
 * submitted time can be approved; Draft, Submitted and Saved can be set from any state (taking an approval
 * back, so a test can edit or delete the timesheet again).
 */
export function setTimesheetState(ctx: WriteContext, recordNo: number, state: string): Rec {
  const existing = ctx.store.get('TIMESHEET', recordNo);
  if (!existing) missingTimesheet(String(recordNo), 'update');
  const codes = OBJECTS.TIMESHEET.fieldMap.get('STATE')!.codes!;
  if (!(state in codes)) {
    fail([{ where: 'STATE', detail: `STATE must be one of ${Object.keys(codes).join(', ')} (got '${state}')`, correction: 'Use a timesheet state display value.' }], 'update');
  }
  const current = existing.STATE ?? '';
  if (DECISION_STATES.includes(state) && !AWAITING_DECISION.includes(current)) {
    fail([{ where: 'STATE', detail: `Timesheet ${recordNo} is ${current || 'without a state'}: only submitted time can be ${state.toLowerCase()}`, correction: 'Submit the timesheet first.' }], 'update');
  }
  for (const l of linesOf(ctx, recordNo)) ctx.store.replace('TIMESHEETENTRY', Number(l.RECORDNO), { ...l, STATE: state });
  return ctx.store.replace('TIMESHEET', recordNo, { ...existing, STATE: state });
}

/** Deletes a timesheet and its lines, unless it holds approved time. */
export function deleteTimesheet(ctx: WriteContext, recordNo: number): Rec {
  const existing = ctx.store.get('TIMESHEET', recordNo);
  if (!existing) missingTimesheet(String(recordNo), 'delete');
  assertTimesheetUnlocked(existing, 'delete');
  removeLines(ctx, recordNo);
  ctx.store.remove('TIMESHEET', recordNo, ctx.userId, ctx.source);
  return existing;
}

/** The lines of a timesheet, by LINENO (for `read` of TIMESHEET, which nests them). */
export function timesheetLines(ctx: Pick<WriteContext, 'store'>, recordNo: number | string): Rec[] {
  return ctx.store
    .all('TIMESHEETENTRY')
    .filter((e) => e.TIMESHEETKEY === String(recordNo))
    .sort((a, b) => Number(a.LINENO ?? 0) - Number(b.LINENO ?? 0) || Number(a.RECORDNO) - Number(b.RECORDNO));
}
