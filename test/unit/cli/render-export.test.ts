import type { ExportGroupOutcomeDetails } from '../../../src/contracts/export';
import { emptyCounts, type Counts } from '../../../src/contracts/outcomes';
import type { RunSummary } from '../../../src/contracts/sync';
import { exportProgressLine, exportSummaryLine, formatHours, renderExportSummary, type ExportGroupRow, type TimesheetRow } from '../../../src/cli/render-export';

function counts(partial: Partial<Counts>): Counts {
  const c = { ...emptyCounts(), ...partial };
  c.seen = c.created + c.updated + c.unchanged + c.held + c.failed;
  return c;
}

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    workflow: 'timesheetExport',
    connection: 'demo',
    runId: 'run-1',
    dryRun: false,
    phase: 'done',
    startedAt: '2025-01-14T07:00:00.000Z',
    finishedAt: '2025-01-14T07:01:00.000Z',
    counts: { timesheet: counts({ created: 412, held: 9 }), exportGroup: counts({ created: 96 }) },
    totals: { exportedHours: 3301.25, exportedMinutes: 198075, timesheetsRead: 421 },
    notices: [],
    done: true,
    ...over,
  };
}

function group(employeeId: string, weekStart: string, hoursByDay: Record<string, number>, over: Partial<ExportGroupOutcomeDetails> = {}): ExportGroupRow {
  const totalHours = Object.values(hoursByDay).reduce((a, b) => a + b, 0);
  const lines = Object.entries(hoursByDay).map(([entryDate, qty]) => ({ entryDate, qty, minutes: qty * 60, kind: 'labor' as const, projectId: 'P1', timesheetId: `${employeeId}-${entryDate}` }));
  return {
    groupKey: `key-${employeeId}-${weekStart}`,
    outcome: 'created',
    reason: null,
    details: {
      employeeId,
      weekStart,
      controlId: `ts-${employeeId}`,
      sageRecordNo: null,
      replacesGroupKey: null,
      timesheets: lines.map((l) => ({ id: l.timesheetId, version: 'v1', minutes: l.minutes })),
      minutesByDay: Object.fromEntries(Object.entries(hoursByDay).map(([d, h]) => [d, h * 60])),
      hoursByDay,
      totalMinutes: totalHours * 60,
      totalHours,
      lines,
      dryRun: true,
      ...over,
    },
  };
}

function held(id: string, reason: string | null, holds: Array<{ code: string; message: string }> = []): TimesheetRow {
  return { timesheetId: id, outcome: 'held', reason, details: { version: 'v1', employeeId: 'E1007', groupKeys: [], sageRecordNos: [], processed: false, minutes: 510, holds } };
}

describe('renderExportSummary', () => {
  test('a finished export: timesheets exported, held and failed, Sage timesheets created, hours, and what was held', () => {
    const text = renderExportSummary(summary(), { groups: [], timesheets: [held('5001', 'pay code WET has no time type (timesheets.timeTypes)')] });
    expect(text).toContain('Assignar timesheets: 412 exported, 9 held, 0 failed');
    expect(text).toContain('Sage Intacct timesheets: 96 created, 0 updated (corrections), 0 failed');
    expect(text).toContain('hours exported: 3,301.25 h');
    expect(text).toMatch(/Held 9 timesheet\(s\)/);
    expect(text).toMatch(/^5001 +E1007 +8\.50 +pay code WET has no time type \(timesheets\.timeTypes\)$/m);
    // Only one of the nine was read: the rest is counted and pointed to.
    expect(text).toContain('… and 8 more: intacct-assignar report --run run-1 --kind timesheet');
    expect(text).not.toContain('Would create');
  });

  test('a dry run lists every Sage Intacct timesheet it would create: employee, week, hours per day, lines', () => {
    const groups = [
      group('E1002', '2025-01-06', { '2025-01-06': 8, '2025-01-07': 7.5, '2025-01-10': 10.25 }),
      group('E1001', '2025-01-06', { '2025-01-06': 8, '2025-01-12': 2 }),
    ];
    const s = summary({ dryRun: true, counts: { timesheet: counts({ created: 5, held: 1 }), exportGroup: counts({ created: 2 }) }, totals: { plannedMinutes: 2145 } });
    const text = renderExportSummary(s, { groups, timesheets: [held('5009', null, [{ code: 'unlinked-worker', message: 'worker 88 is not linked to a Sage Intacct employee' }])] });
    expect(text).toContain('(dry run: nothing sent to Sage Intacct, nothing marked processed in Assignar)');
    expect(text).toContain('Assignar timesheets: 5 would export, 1 would be held, 0 failed');
    expect(text).toContain('Sage Intacct timesheets: 2 would be created, 0 would be updated');
    expect(text).toContain('hours it would export: 35.75 h');
    const table = text.slice(text.indexOf('Would create 2 Sage Intacct timesheets:'));
    const [, header, first, second] = table.split('\n');
    expect(header.split(/\s+/)).toEqual(['employee', 'week', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'hours', 'lines']);
    // Sorted by employee; a day without time shows as '-'.
    expect(first.split(/\s+/)).toEqual(['E1001', '2025-01-06', '8.00', '-', '-', '-', '-', '-', '2.00', '10.00', '2']);
    expect(second.split(/\s+/)).toEqual(['E1002', '2025-01-06', '8.00', '7.50', '-', '-', '10.25', '-', '-', '25.75', '3']);
    expect(text).toMatch(/Would hold 1 timesheet\(s\)[^\n]*\n.*\n5009 +E1007 +8\.50 +worker 88 is not linked to a Sage Intacct employee/);
  });

  test('day columns follow the configured week start; corrections and refused groups are named', () => {
    const correction = { ...group('E1003', '2025-01-05', { '2025-01-05': 4 }, { replacesGroupKey: 'old', sageRecordNo: '77' }), outcome: 'updated' as const };
    const refused: ExportGroupRow = { ...group('E1004', '2025-01-05', { '2025-01-06': 3 }), outcome: 'failed', reason: 'PROJECTID P9 is inactive in Sage Intacct' };
    const s = summary({ dryRun: true, counts: { exportGroup: counts({ updated: 1, failed: 1 }), timesheet: counts({ updated: 1 }) }, totals: {} });
    const text = renderExportSummary(s, { groups: [correction, refused], timesheets: [] });
    expect(text).toMatch(/employee +week +Sun +Mon +Tue +Wed +Thu +Fri +Sat +hours +lines/);
    expect(text).toMatch(/E1003 .* correction of RECORDNO 77$/m);
    expect(text).toContain('Sage Intacct timesheets not sendable:');
    expect(text).toMatch(/^E1004 +2025-01-05 +3\.00 +failed +PROJECTID P9 is inactive in Sage Intacct$/m);
  });

  test('a long plan is cut at maxRows and pointed to report', () => {
    const groups = Array.from({ length: 5 }, (_, i) => group(`E${i}`, '2025-01-06', { '2025-01-06': 1 }));
    const s = summary({ dryRun: true, counts: { exportGroup: counts({ created: 5 }), timesheet: counts({ created: 5 }) } });
    const text = renderExportSummary(s, { groups, timesheets: [] }, { maxRows: 2 });
    expect(text).toContain('… and 3 more: intacct-assignar report --run run-1 --kind exportGroup');
    expect(text).toContain('hours it would export: 5.00 h');
  });

  test('nothing to export, and an unreadable ledger, are said plainly', () => {
    expect(renderExportSummary(summary({ counts: {} }), { groups: [], timesheets: [] })).toBe(
      'timesheetExport demo: nothing to export — no approved, unprocessed timesheet and no correction found',
    );
    const text = renderExportSummary(summary(), { groups: [], timesheets: [], unavailable: 'SQLITE_CANTOPEN' });
    expect(text).toContain('hours exported: 3,301.25 h');
    expect(text).toContain("The run's records could not be read from the ledger (SQLITE_CANTOPEN): intacct-assignar report --run run-1 --kind timesheet");
  });
});

test('exportSummaryLine: timesheets → Sage Intacct timesheets, hours, and what needs attention', () => {
  expect(exportSummaryLine(summary())).toBe('export: 412 timesheets → 96 Sage Intacct timesheets, 3,301.25 h; 9 held (run `intacct-assignar report --kind timesheet`)');
  expect(exportSummaryLine(summary({ counts: { timesheet: counts({ created: 3 }), exportGroup: counts({ created: 1 }) }, totals: { exportedHours: 24 } }))).toBe(
    'export: 3 timesheets → 1 Sage Intacct timesheets, 24.00 h',
  );
  expect(exportSummaryLine(summary({ counts: {} }))).toBe('export: nothing to export — no approved, unprocessed timesheet');
});

test('exportProgressLine keeps timesheets and Sage Intacct timesheets apart', () => {
  const line = exportProgressLine({ ...summary(), phase: 'send', done: false });
  expect(line).toBe('timesheetExport demo: send — timesheets read 421, held 9, failed 0; Sage Intacct timesheets created 96, updated 0, failed 0');
});

test('formatHours groups thousands and keeps up to four decimals', () => {
  expect(formatHours(3301.25)).toBe('3,301.25');
  expect(formatHours(8)).toBe('8.00');
  expect(formatHours(7.3333)).toBe('7.3333');
});
