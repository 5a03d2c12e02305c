import type { OutcomeLine } from '../contracts/export';
import type { ExportLine } from '../ledger';

/** Ledger lines as outcomes show them (no description: it repeats the Assignar comments). */
export function outcomeLinesOf(lines: readonly ExportLine[]): OutcomeLine[] {
  return lines.map((l) => ({
    entryDate: l.entryDate,
    qty: l.qty,
    minutes: l.minutes,
    kind: l.kind,
    projectId: l.projectId,
    ...(l.taskId !== undefined ? { taskId: l.taskId } : {}),
    ...(l.costTypeId !== undefined ? { costTypeId: l.costTypeId } : {}),
    ...(l.itemId !== undefined ? { itemId: l.itemId } : {}),
    ...(l.timeType !== undefined ? { timeType: l.timeType } : {}),
    timesheetId: l.assignarTimesheetId,
  }));
}
