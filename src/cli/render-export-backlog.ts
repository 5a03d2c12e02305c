import type { ExportGroup, ExportGroupState, HeldTimesheet } from '../ledger';
import { table } from './table';

/** The export groups `report` lists: every state before `processed` (superseded ones never mattered). */
export const UNPROCESSED_GROUP_STATES = ['failed', 'sent', 'planned', 'confirmed'] as const satisfies readonly ExportGroupState[];

const STATE_MEANING: Record<(typeof UNPROCESSED_GROUP_STATES)[number], string> = {
  failed: 'Sage Intacct refused it; the next export sends it again',
  sent: "sent; Sage Intacct's answer not recorded yet (the next export re-sends it under the same controlid)",
  planned: 'not sent yet',
  confirmed: 'in Sage Intacct; its timesheets not yet marked processed in Assignar',
};

/** An export group as `report --json` shows it: without its lines. */
export function groupForJson(g: ExportGroup) {
  return {
    groupKey: g.groupKey,
    employeeId: g.employeeId,
    weekStart: g.weekStart,
    state: g.state,
    sageRecordNo: g.sageRecordNo,
    totalMinutes: g.totalMinutes,
    lines: g.lines.length,
    timesheets: g.timesheets.map((t) => t.assignarTimesheetId),
    replacesGroupKey: g.replacesGroupKey,
    attempts: g.attempts,
    reason: g.reason,
    runId: g.runId,
    updatedAt: g.updatedAt,
  };
}

function truncated(shown: number, more: boolean): string {
  return more ? ` (the first ${shown}; --limit shows more)` : '';
}

/** The connection's held timesheets now, with why; `more` when the list was cut at the limit. */
export function heldTimesheetsText(connection: string, held: readonly HeldTimesheet[], more: boolean): string {
  if (held.length === 0) return `No timesheet held now on connection ${connection}.`;
  return [
    `${held.length} timesheet(s) held now on connection ${connection}${truncated(held.length, more)}; each export tries them again and sends them once the reason is fixed:`,
    table(
      ['timesheet', 'held since', 'last held by run', 'reason'],
      held.map((h) => [h.assignarTimesheetId, h.heldAt, h.runId, h.reason]),
    ),
  ].join('\n');
}

function stateRank(state: ExportGroupState): number {
  const i = (UNPROCESSED_GROUP_STATES as readonly ExportGroupState[]).indexOf(state);
  return i < 0 ? UNPROCESSED_GROUP_STATES.length : i;
}

/** Export groups (Sage Intacct timesheets) not yet processed: failed first, then by week and employee. */
export function exportGroupsText(connection: string, groups: readonly ExportGroup[], more: boolean): string {
  if (groups.length === 0) return `No export group waiting on connection ${connection}: every Sage Intacct timesheet made is processed in Assignar.`;
  const sorted = [...groups].sort(
    (a, b) => stateRank(a.state) - stateRank(b.state) || a.weekStart.localeCompare(b.weekStart) || a.employeeId.localeCompare(b.employeeId) || a.groupKey.localeCompare(b.groupKey),
  );
  const states = UNPROCESSED_GROUP_STATES.filter((s) => groups.some((g) => g.state === s));
  return [
    `${groups.length} export group(s) (Sage Intacct timesheets) not yet processed on connection ${connection}${truncated(groups.length, more)}:`,
    ...states.map((s) => `  ${s}: ${STATE_MEANING[s]}`),
    table(
      ['employee', 'week', 'state', 'RECORDNO', 'minutes', 'timesheets', 'attempts', 'reason'],
      sorted.map((g) => [
        g.employeeId,
        g.weekStart,
        g.state,
        g.sageRecordNo ?? '',
        String(g.totalMinutes),
        String(g.timesheets.length),
        String(g.attempts),
        [g.replacesGroupKey ? 'correction' : '', g.reason ?? ''].filter(Boolean).join(': '),
      ]),
      { right: [4, 5, 6] },
    ),
  ].join('\n');
}
