import { EXPORT_TOTALS, type ExportGroupOutcomeDetails, type TimesheetOutcomeDetails } from '../contracts/export';
import { emptyCounts, type Counts, type Outcome } from '../contracts/outcomes';
import type { Progress, RunSummary } from '../contracts/sync';
import { table } from './table';

/** One `exportGroup` outcome of a run (record key = the group key); details null when unreadable. */
export interface ExportGroupRow {
  groupKey: string;
  outcome: Outcome;
  reason: string | null;
  details: ExportGroupOutcomeDetails | null;
}

/** One `timesheet` outcome of a run (record key = the Assignar timesheet id); details null when unreadable. */
export interface TimesheetRow {
  timesheetId: string;
  outcome: Outcome;
  reason: string | null;
  details: TimesheetOutcomeDetails | null;
}

/** What the summary lists beyond the counts, read from the run's outcomes in the ledger. */
export interface ExportRunOutcomes {
  /** Groups created/updated (listed for a dry run) and failed/held ones (always listed). */
  groups: ExportGroupRow[];
  /** Timesheets held or failed. */
  timesheets: TimesheetRow[];
  /** Why the outcomes could not be read, when they could not (the counts are still shown). */
  unavailable?: string;
}

export interface RenderExportOptions {
  /** Rows per list; the rest is counted and pointed to `report`. */
  maxRows?: number;
}

const DEFAULT_MAX_ROWS = 200;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAY_MS = 86_400_000;

const hoursFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const countFormat = new Intl.NumberFormat('en-US');

/** Hours as people read them: 3,301.25 (QTY may carry up to 4 decimals, per configuration). */
export function formatHours(hours: number): string {
  return hoursFormat.format(hours);
}

function n(value: number): string {
  return countFormat.format(value);
}

function countsOf(summary: Pick<Progress, 'counts'>, kind: 'timesheet' | 'exportGroup'): Counts {
  return summary.counts[kind] ?? emptyCounts();
}

function total(summary: Pick<Progress, 'totals'>, name: keyof typeof EXPORT_TOTALS): number | undefined {
  return summary.totals?.[EXPORT_TOTALS[name]];
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function timesheetReason(row: TimesheetRow): string {
  if (row.reason) return row.reason;
  const holds = row.details?.holds ?? [];
  return holds.length ? holds.map((h) => h.message).join('; ') : '';
}

function minutesAsHours(minutes: number | undefined): string {
  return minutes === undefined ? '' : formatHours(minutes / 60);
}

function byEmployeeWeek(a: ExportGroupRow, b: ExportGroupRow): number {
  const ka = `${a.details?.employeeId ?? ''}\u0000${a.details?.weekStart ?? ''}\u0000${a.groupKey}`;
  const kb = `${b.details?.employeeId ?? ''}\u0000${b.details?.weekStart ?? ''}\u0000${b.groupKey}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function more(shown: number, of: number, pointer: string): string[] {
  return of > shown ? [`… and ${n(of - shown)} more: ${pointer}`] : [];
}

/**
 * The groups a dry run would send, one row per Sage Intacct timesheet: hours per day of its week, total
 * hours and number of lines. The day columns are named after the first group's week start (every group of
 * a connection starts its week on the same weekday; otherwise they are numbered).
 */
function plannedGroupsTable(rows: ExportGroupRow[]): string {
  const starts = rows.map((r) => r.details?.weekStart).filter((d): d is string => d !== undefined);
  const sameWeekday = starts.length > 0 && starts.every((d) => weekdayOf(d) === weekdayOf(starts[0]));
  const dayNames = Array.from({ length: 7 }, (_, i) => (sameWeekday ? WEEKDAYS[(weekdayOf(starts[0]) + i) % 7] : `d${i + 1}`));
  const header = ['employee', 'week', ...dayNames, 'hours', 'lines', ''];
  const cells = rows.map((r) => {
    const d = r.details;
    if (!d) return [r.groupKey.slice(0, 12), '?', ...dayNames.map(() => ''), '', '', 'details unreadable'];
    const days = dayNames.map((_, i) => {
      const hours = d.hoursByDay[addDays(d.weekStart, i)];
      return hours === undefined ? '-' : formatHours(hours);
    });
    const note = r.outcome === 'updated' || d.replacesGroupKey ? `correction${d.sageRecordNo ? ` of RECORDNO ${d.sageRecordNo}` : ''}` : '';
    return [d.employeeId, d.weekStart, ...days, formatHours(d.totalHours), String(d.lines.length), note];
  });
  return table(header, cells, { right: [2, 3, 4, 5, 6, 7, 8, 9, 10] });
}

function problemGroupsTable(rows: ExportGroupRow[]): string {
  return table(
    ['employee', 'week', 'hours', 'outcome', 'reason'],
    rows.map((r) => [r.details?.employeeId ?? '?', r.details?.weekStart ?? '?', r.details ? formatHours(r.details.totalHours) : '', r.outcome, r.reason ?? '']),
    { right: [2] },
  );
}

function timesheetsTable(rows: TimesheetRow[]): string {
  return table(
    ['timesheet', 'employee', 'hours', 'reason'],
    rows.map((r) => [r.timesheetId, r.details?.employeeId ?? '', minutesAsHours(r.details?.minutes), timesheetReason(r)]),
    { right: [2] },
  );
}

/**
 * The readable summary of a finished `timesheetExport` run: what went to Sage Intacct (or, in a dry run,
 * would), what was held and why, and — for a dry run — every Sage Intacct timesheet it would create.
 */
export function renderExportSummary(summary: RunSummary, outcomes: ExportRunOutcomes, opts: RenderExportOptions = {}): string {
  const max = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const ts = countsOf(summary, 'timesheet');
  const groups = countsOf(summary, 'exportGroup');
  const dry = summary.dryRun;
  const runPointer = (kind: string) => `intacct-assignar report --run ${summary.runId} --kind ${kind}`;
  const who = `${summary.workflow} ${summary.connection}${dry ? ' (dry run: nothing sent to Sage Intacct, nothing marked processed in Assignar)' : ''}`;

  if (ts.seen === 0 && groups.seen === 0) return `${who}: nothing to export — no approved, unprocessed timesheet and no correction found`;

  const exported = ts.created + ts.updated;
  const lines = [
    `${who}:`,
    `  Assignar timesheets: ${n(exported)} ${dry ? 'would export' : 'exported'}, ${n(ts.held)} ${dry ? 'would be held' : 'held'}, ${n(ts.failed)} failed` +
      (ts.unchanged ? ` (and ${n(ts.unchanged)} already in Sage Intacct, ${dry ? 'would be' : 'now'} marked processed)` : ''),
    `  Sage Intacct timesheets: ${n(groups.created)} ${dry ? 'would be created' : 'created'}, ${n(groups.updated)} ${dry ? 'would be updated' : 'updated'} (corrections), ${n(groups.failed)} failed` +
      (groups.held ? `, ${n(groups.held)} held` : ''),
  ];

  const planned = outcomes.groups.filter((g) => g.outcome === 'created' || g.outcome === 'updated');
  const plannedCount = groups.created + groups.updated;
  if (dry) {
    // The run confirms nothing in a dry run: the hours are those of the groups it would send.
    const complete = planned.length >= plannedCount && planned.every((g) => g.details);
    const minutes = total(summary, 'plannedMinutes');
    if (complete) lines.push(`  hours it would export: ${formatHours(planned.reduce((h, g) => h + g.details!.totalHours, 0))} h`);
    else if (minutes !== undefined) lines.push(`  hours it would export: about ${formatHours(minutes / 60)} h (approved minutes / 60)`);
  } else {
    const hours = total(summary, 'exportedHours');
    lines.push(`  hours exported: ${formatHours(hours ?? 0)} h`);
    const processed = total(summary, 'timesheetsProcessed');
    if (processed !== undefined) lines.push(`  marked processed in Assignar: ${n(processed)}`);
  }

  if (outcomes.unavailable) {
    lines.push('', `The run's records could not be read from the ledger (${outcomes.unavailable}): ${runPointer('timesheet')}`);
    return lines.join('\n');
  }

  if (dry && planned.length) {
    const shown = [...planned].sort(byEmployeeWeek).slice(0, max);
    lines.push('', `Would create ${n(groups.created)}${groups.updated ? ` and update ${n(groups.updated)}` : ''} Sage Intacct timesheets:`, plannedGroupsTable(shown));
    lines.push(...more(shown.length, Math.max(plannedCount, planned.length), runPointer('exportGroup')));
  }

  const problemGroups = outcomes.groups.filter((g) => g.outcome === 'failed' || g.outcome === 'held').sort(byEmployeeWeek);
  if (problemGroups.length) {
    const shown = problemGroups.slice(0, max);
    lines.push('', `Sage Intacct timesheets not ${dry ? 'sendable' : 'sent'}:`, problemGroupsTable(shown));
    lines.push(...more(shown.length, Math.max(groups.failed + groups.held, problemGroups.length), runPointer('exportGroup')));
  }

  for (const outcome of ['held', 'failed'] as const) {
    const rows = outcomes.timesheets.filter((t) => t.outcome === outcome);
    if (!rows.length) continue;
    const shown = rows.slice(0, max);
    const title =
      outcome === 'held'
        ? dry
          ? `Would hold ${n(ts.held)} timesheet(s):`
          : `Held ${n(ts.held)} timesheet(s) (each export tries them again; what is held now: intacct-assignar report --kind timesheet):`
        : `${n(ts.failed)} timesheet(s) failed:`;
    lines.push('', title, timesheetsTable(shown));
    lines.push(...more(shown.length, Math.max(ts[outcome], rows.length), runPointer('timesheet')));
  }
  return lines.join('\n');
}

/** One line for `dev`: what the export sent (timesheets → Sage Intacct timesheets, hours) and what it held. */
export function exportSummaryLine(summary: RunSummary): string {
  const ts = countsOf(summary, 'timesheet');
  const groups = countsOf(summary, 'exportGroup');
  const prefix = summary.dryRun ? 'export (dry run, would send)' : 'export';
  if (ts.seen === 0 && groups.seen === 0) return `${prefix}: nothing to export — no approved, unprocessed timesheet`;
  const plannedMinutes = total(summary, 'plannedMinutes');
  const hours = !summary.dryRun ? total(summary, 'exportedHours') : plannedMinutes === undefined ? undefined : plannedMinutes / 60;
  const attention = [ts.held ? `${n(ts.held)} held` : '', ts.failed ? `${n(ts.failed)} failed` : '', groups.failed ? `${n(groups.failed)} Sage Intacct timesheets failed` : '']
    .filter(Boolean)
    .join(', ');
  return (
    `${prefix}: ${n(ts.created + ts.updated)} timesheets → ${n(groups.created + groups.updated)} Sage Intacct timesheets` +
    (hours !== undefined ? `, ${formatHours(hours)} h` : '') +
    (attention ? `; ${attention} (run \`intacct-assignar report --kind timesheet\`)` : '')
  );
}

/** The live progress line of an export: its phase, timesheets read and held, Sage timesheets written. */
export function exportProgressLine(p: Progress): string {
  const ts = countsOf(p, 'timesheet');
  const groups = countsOf(p, 'exportGroup');
  const read = total(p, 'timesheetsRead');
  return (
    `${p.workflow} ${p.connection}${p.dryRun ? ' (dry run)' : ''}: ${p.phase} — ` +
    `timesheets ${read !== undefined ? `read ${n(read)}, ` : ''}held ${n(ts.held)}, failed ${n(ts.failed)}; ` +
    `Sage Intacct timesheets ${p.dryRun ? 'planned' : 'created'} ${n(groups.created)}, ${p.dryRun ? 'corrections' : 'updated'} ${n(groups.updated)}, failed ${n(groups.failed)}`
  );
}
