import { exportGroupsText, groupForJson, heldTimesheetsText } from '../../../src/cli/render-export-backlog';
import type { ExportGroup, HeldTimesheet } from '../../../src/ledger';

function group(over: Partial<ExportGroup>): ExportGroup {
  return {
    connection: 'demo',
    groupKey: 'k',
    controlId: 'ts-k',
    employeeId: 'E1001',
    weekStart: '2025-01-06',
    state: 'planned',
    sageRecordNo: null,
    timesheets: [{ assignarTimesheetId: '5001', version: 'v1', minutes: 480 }],
    lines: [{ entryDate: '2025-01-06', qty: 8, minutes: 480, projectId: 'P1', assignarTimesheetId: '5001', kind: 'labor' }],
    totalMinutes: 480,
    replacesGroupKey: null,
    reason: null,
    runId: 'run-1',
    attempts: 0,
    createdAt: '2025-01-14T07:00:00.000Z',
    updatedAt: '2025-01-14T07:00:00.000Z',
    ...over,
  };
}

test('held timesheets: id, since when, which run, and why', () => {
  const held: HeldTimesheet[] = [
    { connection: 'demo', assignarTimesheetId: '5001', version: 'v1', reason: 'worker 88 is not linked', details: null, runId: 'run-1', heldAt: '2025-01-14T07:00:00.000Z', updatedAt: '2025-01-15T07:00:00.000Z' },
  ];
  const text = heldTimesheetsText('demo', held, true);
  expect(text).toContain('1 timesheet(s) held now on connection demo (the first 1; --limit shows more)');
  expect(text).toMatch(/^5001 +2025-01-14T07:00:00\.000Z +run-1 +worker 88 is not linked$/m);
  expect(heldTimesheetsText('demo', [], false)).toBe('No timesheet held now on connection demo.');
});

test('export groups not yet processed: failed first, then by week and employee, each state explained', () => {
  const text = exportGroupsText('demo', [
    group({ groupKey: 'a', state: 'confirmed', sageRecordNo: '901', employeeId: 'E1002' }),
    group({ groupKey: 'b', state: 'planned', employeeId: 'E1003', weekStart: '2024-12-30' }),
    group({ groupKey: 'c', state: 'failed', employeeId: 'E1009', reason: 'EMPLOYEEID E1009 is inactive', attempts: 2, replacesGroupKey: 'z' }),
  ], false);
  const rows = text.split('\n');
  expect(rows[0]).toBe('3 export group(s) (Sage Intacct timesheets) not yet processed on connection demo:');
  expect(rows.slice(1, 4).map((r) => r.trim().split(':')[0])).toEqual(['failed', 'planned', 'confirmed']);
  expect(rows[4].split(/\s+/)).toEqual(['employee', 'week', 'state', 'RECORDNO', 'minutes', 'timesheets', 'attempts', 'reason']);
  expect(rows[5]).toMatch(/^E1009 +2025-01-06 +failed +480 +1 +2 +correction: EMPLOYEEID E1009 is inactive$/);
  expect(rows[6]).toMatch(/^E1003 +2024-12-30 +planned +480 +1 +0$/);
  expect(rows[7]).toMatch(/^E1002 +2025-01-06 +confirmed +901 +480 +1 +0$/);
  expect(exportGroupsText('demo', [], false)).toMatch(/^No export group waiting on connection demo/);
});

test('report --json shows a group without its lines', () => {
  const json = groupForJson(group({}));
  expect(json).toMatchObject({ groupKey: 'k', lines: 1, timesheets: ['5001'], totalMinutes: 480 });
});
