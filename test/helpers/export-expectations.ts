import type { AssignarSandbox } from '../../src/sandbox/assignar';
import type { SageSandbox } from '../../src/sandbox/sage';

type Row = Record<string, unknown>;

function isoOf(sageDate: string): string {
  const [m, d, y] = sageDate.split('/');
  return `${y}-${m}-${d}`;
}

/** Hours in Sage Intacct per `EMPLOYEEID|YYYY-MM-DD`, summed exactly (QTY has at most 4 decimals). */
export function sageHoursByEmployeeDay(sage: SageSandbox): Map<string, number> {
  const employeeOf = new Map(sage.records('TIMESHEET').map((t) => [String(t.RECORDNO), String(t.EMPLOYEEID)]));
  const units = new Map<string, number>();
  for (const e of sage.records('TIMESHEETENTRY')) {
    const key = `${employeeOf.get(String(e.TIMESHEETKEY))}|${isoOf(String(e.ENTRYDATE))}`;
    units.set(key, (units.get(key) ?? 0) + Math.round(Number(e.QTY) * 10_000));
  }
  return new Map([...units].map(([k, u]) => [k, u / 10_000]));
}

/** Approved minutes (activity + equipment) per `EMPLOYEEID|work date` of these Assignar timesheets. */
export function approvedMinutesByEmployeeDay(assignar: AssignarSandbox, timesheetIds: ReadonlySet<string>): Map<string, number> {
  const employeeOf = new Map((assignar.records('users') as Row[]).map((u) => [String(u.id), String(u.employee_id)]));
  const out = new Map<string, number>();
  for (const ts of assignar.records('timesheets') as Row[]) {
    if (!timesheetIds.has(String(ts.id))) continue;
    const minutes =
      ((ts.activity_entries as Row[] | undefined) ?? []).reduce((s, e) => s + Number(e.duration ?? 0), 0) +
      ((ts.asset_entries as Row[] | undefined) ?? []).reduce((s, e) => s + Number(e.duration ?? 0), 0);
    const key = `${employeeOf.get(String(ts.user_id))}|${String(ts.submitted_date).slice(0, 10)}`;
    out.set(key, (out.get(key) ?? 0) + minutes);
  }
  return out;
}

/** Assignar timesheets as the API shows them, by id. */
export function assignarTimesheets(assignar: AssignarSandbox): Map<string, Row> {
  return new Map((assignar.records('timesheets') as Row[]).map((t) => [String(t.id), t]));
}

export const isApprovedStatus = (status: unknown): boolean => typeof status === 'string' && status.startsWith('APPROVED');
