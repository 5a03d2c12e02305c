/**
 * TIMESHEET with TIMESHEETENTRIES: validation and storage. The business rules a tenant enforces and the
 * service must survive: the employee exists and is active; BEGINDATE and each ENTRYDATE are MM/DD/YYYY and
 * every entry falls inside the timesheet period; QTY is a non-negative number; PROJECTID, TASKID (within the
 * project), TASKKEY (a task RECORDNO, the only task reference the official SDK emits), COSTTYPEID (a standard
 * cost type, needing project and task), CUSTOMERID and ITEMID exist when given. Each problem becomes one
 * error, followed by the generic "Could not create Timesheet record!".
 */
import { OBJECTS } from './catalog';
import { errors, SageFunctionError, type GatewayError } from './errors';
import { validateInput } from './records';
import type { Rec } from './store';
import { dateToUtcMs, formatDateUtc } from './time';
import type { WriteContext } from './writes';

const DAY = 86_400_000;

interface CheckedEntry {
  values: Record<string, string>;
}

function checkEntries(ctx: WriteContext, header: Record<string, string>, entries: Array<Record<string, string>>, problems: string[]): CheckedEntry[] {
  const { store } = ctx;
  const def = OBJECTS.TIMESHEETENTRY;
  const begin = dateToUtcMs(header.BEGINDATE ?? '');
  const end = begin === undefined ? undefined : begin + (ctx.timesheetPeriodDays - 1) * DAY;
  if (entries.length === 0) problems.push('A timesheet needs at least one entry (TIMESHEETENTRIES/TIMESHEETENTRY)');
  const out: CheckedEntry[] = [];
  entries.forEach((raw, i) => {
    const line = `Line ${i + 1}`;
    let values: Record<string, string>;
    try {
      values = validateInput(def, raw);
    } catch (err) {
      if (err instanceof SageFunctionError) {
        for (const e of err.errors) problems.push(`${line}: ${e.description2 || e.description || e.errorno}`);
        return;
      }
      throw err;
    }
    delete values.RECORDNO;
    const entryDate = dateToUtcMs(values.ENTRYDATE ?? '');
    if (!values.ENTRYDATE) problems.push(`${line}: ENTRYDATE is required`);
    else if (entryDate === undefined) problems.push(`${line}: ENTRYDATE '${values.ENTRYDATE}' is not a valid date (expected MM/DD/YYYY)`);
    else if (begin !== undefined && end !== undefined && (entryDate < begin || entryDate > end)) {
      problems.push(`${line}: ENTRYDATE ${values.ENTRYDATE} is outside the timesheet period ${formatDateUtc(begin)} to ${formatDateUtc(end)}`);
    }
    if (!values.QTY) problems.push(`${line}: QTY is required`);
    else if (Number(values.QTY) < 0) problems.push(`${line}: QTY must not be negative`);

    let project: Rec | undefined;
    if (values.PROJECTID) {
      project = store.findByKey('PROJECT', { PROJECTID: values.PROJECTID });
      if (!project) problems.push(`${line}: Invalid Project ${values.PROJECTID}`);
      else values.PROJECTKEY = project.RECORDNO;
    }
    if (values.TASKKEY) {
      const task = store.get('TASK', Number(values.TASKKEY));
      if (!task) problems.push(`${line}: Invalid Task key ${values.TASKKEY}`);
      else {
        if (values.TASKID && values.TASKID !== task.TASKID) problems.push(`${line}: TASKID ${values.TASKID} does not match TASKKEY ${values.TASKKEY}`);
        if (values.PROJECTID && values.PROJECTID !== task.PROJECTID) problems.push(`${line}: Task ${task.TASKID} belongs to project ${task.PROJECTID}, not ${values.PROJECTID}`);
        values.TASKID = task.TASKID ?? '';
        values.PROJECTID = task.PROJECTID ?? '';
        values.PROJECTKEY = task.PROJECTKEY ?? '';
      }
    } else if (values.TASKID) {
      if (!values.PROJECTID) problems.push(`${line}: TASKID ${values.TASKID} needs a PROJECTID`);
      else if (project) {
        const task = store.findByKey('TASK', { PROJECTID: values.PROJECTID, TASKID: values.TASKID });
        if (!task) problems.push(`${line}: Invalid Task ${values.TASKID} for project ${values.PROJECTID}`);
        else values.TASKKEY = task.RECORDNO;
      }
    }
    if (values.COSTTYPEID) {
      if (!values.PROJECTID || !values.TASKID) problems.push(`${line}: COSTTYPEID ${values.COSTTYPEID} needs a PROJECTID and a TASKID`);
      else if (!store.findByKey('STANDARDCOSTTYPE', { STANDARDCOSTTYPEID: values.COSTTYPEID })) problems.push(`${line}: Invalid Cost type ${values.COSTTYPEID}`);
    }
    if (values.CUSTOMERID && !store.findByKey('CUSTOMER', { CUSTOMERID: values.CUSTOMERID })) problems.push(`${line}: Invalid Customer ${values.CUSTOMERID}`);
    if (values.ITEMID && !store.findByKey('ITEM', { ITEMID: values.ITEMID })) problems.push(`${line}: Invalid Item ${values.ITEMID}`);
    out.push({ values });
  });
  return out;
}

function fail(problems: string[], action: string): never {
  const errs: GatewayError[] = problems.map((p) => errors.businessRule(p, 'Invalid timesheet'));
  errs.push(errors.businessRule(`Could not ${action} Timesheet record!`, `Could not ${action} Timesheet record!`));
  throw new SageFunctionError(errs);
}

function checkHeader(ctx: WriteContext, header: Record<string, string>, problems: string[]): void {
  if (!header.EMPLOYEEID) problems.push('EMPLOYEEID is required');
  else {
    const employee = ctx.store.findByKey('EMPLOYEE', { EMPLOYEEID: header.EMPLOYEEID });
    if (!employee) problems.push(`Invalid Employee ${header.EMPLOYEEID}`);
    else if (employee.STATUS === 'inactive') problems.push(`Employee ${header.EMPLOYEEID} is inactive`);
  }
  if (!header.BEGINDATE) problems.push('BEGINDATE is required');
  if (header.STATE && !['Draft', 'Submitted'].includes(header.STATE)) problems.push(`STATE must be Draft or Submitted on create (got '${header.STATE}')`);
}

function insertEntries(ctx: WriteContext, header: Record<string, string>, timesheetKey: string, entries: CheckedEntry[]): void {
  entries.forEach((e, i) => {
    ctx.store.insert('TIMESHEETENTRY', {
      ...e.values,
      TIMESHEETKEY: timesheetKey,
      LINENO: e.values.LINENO || String(i + 1),
      EMPLOYEEID: header.EMPLOYEEID,
      STATE: header.STATE,
    });
  });
}

export function createTimesheet(ctx: WriteContext, input: Readonly<Record<string, unknown>>, rawEntries: Array<Record<string, string>>): Rec {
  const header = validateInput(OBJECTS.TIMESHEET, input);
  delete header.RECORDNO;
  const problems: string[] = [];
  checkHeader(ctx, header, problems);
  const entries = checkEntries(ctx, header, rawEntries, problems);
  if (problems.length > 0) fail(problems, 'create');
  header.STATE = header.STATE || 'Draft';
  header.ENDDATE = formatDateUtc(dateToUtcMs(header.BEGINDATE)! + (ctx.timesheetPeriodDays - 1) * DAY);
  const rec = ctx.store.insert('TIMESHEET', header);
  insertEntries(ctx, header, rec.RECORDNO, entries);
  return rec;
}

/** An update with TIMESHEETENTRIES is a complete replace of the lines (as the API documents). */
export function replaceTimesheetEntries(ctx: WriteContext, header: Record<string, string>, recordNo: number, rawEntries: Array<Record<string, string>>): void {
  const problems: string[] = [];
  const entries = checkEntries(ctx, header, rawEntries, problems);
  if (problems.length > 0) fail(problems, 'update');
  for (const line of ctx.store.all('TIMESHEETENTRY').filter((e) => e.TIMESHEETKEY === String(recordNo))) {
    ctx.store.remove('TIMESHEETENTRY', Number(line.RECORDNO), ctx.userId, ctx.source, false);
  }
  insertEntries(ctx, header, String(recordNo), entries);
}
