import { indexCodedTimes } from '../../../src/export/coded-times';
import { buildTimesheetLines, describeHolds } from '../../../src/export/timesheet-lines';
import { lookupsOf, OPTIONS, tables, timesheet } from './fixtures';

/** A coded time as `GET /timesheets/coded-worker-times` returns it (the sandbox's shape). */
function coded(id: number, entryId: number, start: string, minutes: number, code: string, override?: string): Record<string, unknown> {
  return {
    id,
    timesheet_id: 1001,
    timesheet_time_id: entryId,
    start_at: start,
    end_at: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
    default_pay_code: { id: 21, time_code_id: 1, pay_code_id: 11, pay_code: { id: 11, code, label: code } },
    ...(override ? { override_pay_code: { id: 15, code: override, label: override } } : {}),
  };
}

const body = {
  full_name: 'Jane Doe',
  user_id: 512,
  employee_id: 'E1012',
  timesheets: [
    {
      id: 1001,
      user_id: 512,
      comments: 'x',
      timesheet_times: [
        // Listed out of order: spans are put in time order.
        { id: 9002, minutes: 270, coded_times: [coded(90021, 9002, '2026-03-04T20:50:00.000Z', 30, 'OT15'), coded(90020, 9002, '2026-03-04T17:30:00.000Z', 200, 'ORD'), coded(90022, 9002, '2026-03-04T21:20:00.000Z', 40, 'OT15')] },
        { id: 9001, minutes: 240, coded_times: [coded(90010, 9001, '2026-03-04T13:00:00.000Z', 240, 'ORD', 'WET')] },
      ],
    },
    { id: 1002, timesheet_times: [{ id: 9101, minutes: 60, coded_times: [] }] },
  ],
};

describe('indexCodedTimes', () => {
  const index = indexCodedTimes([{ assignarUserId: '512', body }]);
  const ctx = { timesheetId: '1001', assignarUserId: '512' };

  test('spans per entry in time order, adjacent same codes joined, the override winning', () => {
    expect(index.problems).toEqual([]);
    expect(index.payCodes('9002', ctx)).toEqual([
      { code: 'ORD', minutes: 200 },
      { code: 'OT15', minutes: 70 },
    ]);
    expect(index.payCodes('9001', ctx)).toEqual([{ code: 'WET', minutes: 240 }]);
    expect(index.payCodes('9101', { timesheetId: '1002', assignarUserId: '512' })).toBeUndefined(); // read, uncoded
  });

  test('coding not read is unavailable, not uncoded', () => {
    expect(index.payCodes('1', { timesheetId: '1003', assignarUserId: '512' })).toEqual({ unavailable: expect.stringMatching(/timesheet 1003 is missing/) });
    expect(index.payCodes('1', { timesheetId: '4000', assignarUserId: '600' })).toEqual({ unavailable: expect.stringMatching(/user 600 were not read/) });
  });

  test('malformed answers are reported and make that coding unavailable', () => {
    const bad = indexCodedTimes([
      { assignarUserId: '600', body: { user_id: 'six hundred' } },
      { assignarUserId: '512', body: { ...body, timesheets: [{ id: 1001, timesheet_times: 'nope' }] } },
    ]);
    expect(bad.problems).toHaveLength(2);
    expect(bad.problems.join()).not.toContain('six hundred');
    expect(bad.payCodes('1', { timesheetId: '4000', assignarUserId: '600' })).toEqual({ unavailable: expect.stringMatching(/user 600 are malformed/) });
    expect(bad.payCodes('9001', ctx)).toEqual({ unavailable: expect.stringMatching(/timesheet 1001 are malformed/) });
  });

  test('a coded time without a pay code makes the entry unavailable', () => {
    const t = { ...coded(1, 9001, '2026-03-04T13:00:00.000Z', 240, 'ORD'), default_pay_code: null };
    const i = indexCodedTimes([{ assignarUserId: '512', body: { timesheets: [{ id: 1001, timesheet_times: [{ id: 9001, coded_times: [t] }] }] } }]);
    expect(i.payCodes('9001', ctx)).toEqual({ unavailable: expect.stringMatching(/no pay code/) });
  });

  test('feeds buildTimesheetLines: mapped codes become time types, an unusual override is held', () => {
    const t = tables();
    const lookups = { ...lookupsOf(t), payCodes: index.payCodes };
    const r = buildTimesheetLines(timesheet(), lookups, OPTIONS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(describeHolds(r.holds)).toMatch(/^pay code WET has no Sage Intacct time type/);
    const ok = buildTimesheetLines(timesheet(), lookups, { ...OPTIONS, timeTypes: { ...OPTIONS.timeTypes, WET: 'Weather' } });
    if (!ok.ok) throw new Error(describeHolds(ok.holds));
    expect(ok.lines.filter((l) => l.kind === 'labor').map((l) => [l.entryId, l.minutes, l.timeType])).toEqual([
      ['9001', 240, 'Weather'],
      ['9002', 200, 'Regular'],
      ['9002', 70, 'Overtime 1.5'],
    ]);
  });
});
