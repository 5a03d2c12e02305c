import {
  buildTimesheetLines,
  DESCRIPTION_MAX_CHARS,
  describeHolds,
  lineDescription,
  type ExportLine,
  type HoldReason,
  type TimesheetLinesResult,
} from '../../../src/export/timesheet-lines';
import { activityEntry, assetEntry, lookupsOf, OPTIONS, tables, timesheet, type Tables } from './fixtures';

function lines(r: TimesheetLinesResult): ExportLine[] {
  if (!r.ok) throw new Error(`held: ${describeHolds(r.holds)}`);
  return r.lines;
}

function holds(r: TimesheetLinesResult): HoldReason[] {
  if (r.ok) throw new Error('expected a hold');
  return r.holds;
}

function heldWith(t: Tables, ts = timesheet(), options = OPTIONS): HoldReason[] {
  return holds(buildTimesheetLines(ts, lookupsOf(t), options));
}

const common = {
  timesheetId: '1001',
  timesheetVersion: '2026-03-05T15:10:00.000Z',
  assignarUserId: '512',
  employeeId: 'E1012',
  projectId: 'P-100',
  description: 'Assignar timesheet 1001: Formwork and pour on level 2',
};

describe('buildTimesheetLines: lines', () => {
  test('labor lines from activity entries and an equipment line from the asset entry, with the right ids', () => {
    const r = buildTimesheetLines(timesheet(), lookupsOf(), OPTIONS);
    expect(r).toEqual({
      ok: true,
      timesheetId: '1001',
      lines: [
        { ...common, kind: 'labor', entryId: '9001', entryDate: '2026-03-04', minutes: 240, taskId: 'T1', costTypeId: 'FORM', itemId: 'LAB-CARP' },
        { ...common, kind: 'labor', entryId: '9002', entryDate: '2026-03-04', minutes: 270, taskId: 'T1', costTypeId: 'CONC', itemId: 'LAB-CARP' },
        { ...common, kind: 'equipment', entryId: '7001', entryDate: '2026-03-04', minutes: 300, taskId: 'T1', costTypeId: 'EQUIPMENT', itemId: 'EQ-EX20' },
      ],
    });
  });

  test('pay codes map to time types; an entry coded in spans gives one line per pay code; uncoded time gets the default', () => {
    const t = tables();
    t.payCodes.set('9001', { code: 'ORD' });
    t.payCodes.set('9002', [
      { code: 'ORD', minutes: 200 },
      { code: 'OT15', minutes: 60 },
    ]);
    const out = lines(buildTimesheetLines(timesheet(), lookupsOf(t), { ...OPTIONS, defaultTimeType: 'Default' }));
    expect(out.map((l) => [l.kind, l.entryId, l.minutes, l.payCode, l.timeType])).toEqual([
      ['labor', '9001', 240, 'ORD', 'Regular'],
      ['labor', '9002', 200, 'ORD', 'Regular'],
      ['labor', '9002', 60, 'OT15', 'Overtime 1.5'],
      ['labor', '9002', 10, undefined, 'Default'], // the 10 minutes the coding does not cover
      ['equipment', '7001', 300, undefined, 'Default'],
    ]);
  });

  test('a pay code missing from timeTypes uses defaultTimeType when one is set', () => {
    const t = tables();
    t.payCodes.set('9001', { code: 'WET' });
    const out = lines(buildTimesheetLines(timesheet(), lookupsOf(t), { ...OPTIONS, defaultTimeType: 'Regular' }));
    expect(out[0]).toMatchObject({ payCode: 'WET', timeType: 'Regular' });
  });

  test('without a work order: no TASKID and no COSTTYPEID (Sage Intacct needs a task for a cost type), and cost codes are not required', () => {
    const t = tables();
    t.costCodes.clear();
    const out = lines(buildTimesheetLines(timesheet({ order_id: null, order: null, job_number: null }), lookupsOf(t), OPTIONS));
    for (const l of out) {
      expect(l.projectId).toBe('P-100');
      expect(l).not.toHaveProperty('taskId');
      expect(l).not.toHaveProperty('costTypeId');
    }
  });

  test('a work order alone gives the project', () => {
    const out = lines(buildTimesheetLines(timesheet({ project_id: null, project: null }), lookupsOf(), OPTIONS));
    expect(out.every((l) => l.projectId === 'P-100' && l.taskId === 'T1')).toBe(true);
  });

  test('zero-minute entries give no line; a timesheet with no time gives ok with no lines', () => {
    const zero = timesheet({ activity_entries: [activityEntry(9001, '2026-03-04T13:00:00.000Z', 0, { id: 41 })], asset_entries: [] });
    expect(buildTimesheetLines(zero, lookupsOf(), OPTIONS)).toEqual({ ok: true, timesheetId: '1001', lines: [] });
  });

  test('an asset entry using the whole shift without a duration takes the activity minutes', () => {
    const ts = timesheet({ asset_entries: [{ ...assetEntry(7001, '2026-03-04T13:00:00.000Z', 0, { id: 61 }), duration: null, uses_whole_shift: true }] });
    expect(lines(buildTimesheetLines(ts, lookupsOf(), OPTIONS)).find((l) => l.kind === 'equipment')?.minutes).toBe(510);
  });
});

describe('buildTimesheetLines: local dates', () => {
  // 22:30 UTC on 3 March: 09:30 on 4 March in Sydney, 16:30 on 3 March in Chicago.
  const at = '2026-03-03T22:30:00.000Z';
  const one = (tz: string | null, extra: Record<string, unknown> = {}) =>
    timesheet({ activity_entries: [{ ...activityEntry(9001, at, 60, { id: 41 }), start_at_tz: tz, ...extra }], asset_entries: [] });

  test('ENTRYDATE is the local date in the entry’s zone: Sydney vs Chicago', () => {
    expect(lines(buildTimesheetLines(one('Australia/Sydney'), lookupsOf(), OPTIONS))[0].entryDate).toBe('2026-03-04');
    expect(lines(buildTimesheetLines(one('America/Chicago'), lookupsOf(), OPTIONS))[0].entryDate).toBe('2026-03-03');
  });

  test('without start_at_tz: the naive local time if given, else the connection’s zone', () => {
    expect(lines(buildTimesheetLines(one(null), lookupsOf(), { ...OPTIONS, timeZone: 'Australia/Sydney' }))[0].entryDate).toBe('2026-03-04');
    expect(lines(buildTimesheetLines(one(null), lookupsOf(), { ...OPTIONS, timeZone: 'America/Chicago' }))[0].entryDate).toBe('2026-03-03');
    const naive = one(null, { start_at_naive: '2026-03-04T09:30:00' });
    expect(lines(buildTimesheetLines(naive, lookupsOf(), { ...OPTIONS, timeZone: 'America/Chicago' }))[0].entryDate).toBe('2026-03-04');
  });

  test('an unknown time zone is a hold, not an exception', () => {
    expect(heldWith(tables(), one('Mars/Olympus_Mons')).map((h) => h.code)).toEqual(['malformed']);
  });
});

describe('buildTimesheetLines: overnight shifts', () => {
  // Night shift from 20:00 Wednesday 4 March (Chicago, UTC-6) for 8 hours, then 2 hours overtime.
  const night = timesheet({
    activity_entries: [activityEntry(9001, '2026-03-05T02:00:00.000Z', 600, { id: 41 })],
    asset_entries: [assetEntry(7001, '2026-03-05T02:00:00.000Z', 480, { id: 61 })],
  });
  const coded = () => {
    const t = tables();
    t.payCodes.set('9001', [
      { code: 'NIGHT', minutes: 480 },
      { code: 'OT15', minutes: 120 },
    ]);
    return t;
  };

  test('booked on the start date by default', () => {
    const out = lines(buildTimesheetLines(night, lookupsOf(coded()), OPTIONS));
    expect(out.map((l) => [l.kind, l.entryDate, l.minutes, l.timeType])).toEqual([
      ['labor', '2026-03-04', 480, 'Night'],
      ['labor', '2026-03-04', 120, 'Overtime 1.5'],
      ['equipment', '2026-03-04', 480, undefined],
    ]);
  });

  test('split at local midnight when configured, pay code spans kept in time order', () => {
    const out = lines(buildTimesheetLines(night, lookupsOf(coded()), { ...OPTIONS, splitAtMidnight: true }));
    expect(out.map((l) => [l.kind, l.entryDate, l.minutes, l.timeType])).toEqual([
      ['labor', '2026-03-04', 240, 'Night'], // 20:00-24:00
      ['labor', '2026-03-05', 240, 'Night'], // 00:00-04:00
      ['labor', '2026-03-05', 120, 'Overtime 1.5'], // 04:00-06:00
      ['equipment', '2026-03-04', 240, undefined],
      ['equipment', '2026-03-05', 240, undefined],
    ]);
  });
});

describe('buildTimesheetLines: holds', () => {
  test('an unlinked worker names the Assignar user and employee id and says what to do', () => {
    const t = tables();
    t.workers.clear();
    const [h] = heldWith(t);
    expect(h).toMatchObject({ code: 'worker-unlinked', subject: { kind: 'worker', id: '512' } });
    expect(h.message).toMatch(/^worker E1012 \(Assignar user 512\) is not linked to a Sage Intacct employee: .*email/);
    expect(h.message).not.toMatch(/jane/i); // no name or email in reasons
  });

  test('a worker without employee_id is named by its Assignar user', () => {
    const t = tables();
    t.workers.clear();
    const ts = timesheet({ user: { user_id: 512, employee_id: null } });
    expect(heldWith(t, ts)[0].message).toMatch(/^worker Assignar user 512 \(no employee_id\) is not linked/);
  });

  test.each([
    ['held', 'worker-held', /true-up/],
    ['drifted', 'worker-drifted', /changed in Assignar/],
    ['deactivated', 'worker-deactivated', /Sage Intacct employee E1012 .* inactive/],
  ] as const)('a %s worker link holds the timesheet', (status, code, text) => {
    const t = tables();
    t.workers.set('512', { employeeId: 'E1012', status });
    const [h] = heldWith(t);
    expect(h.code).toBe(code);
    expect(h.message).toMatch(text);
  });

  test('an employee_id changed in Assignar does not match the link', () => {
    const t = tables();
    t.workers.set('512', { employeeId: 'E9999', status: 'active' });
    expect(heldWith(t)[0]).toMatchObject({ code: 'worker-mismatch' });
  });

  test.each([
    ['project', (t: Tables) => t.projects.clear(), 'project-unlinked', /project Assignar 77 \(external_id "P-100"\) is not linked/],
    ['work order', (t: Tables) => t.workOrders.clear(), 'work-order-unlinked', /work order Assignar 5 \(job_number "P-100-T1"\) is not linked/],
    ['cost code', (t: Tables) => t.costCodes.delete('42'), 'activity-unlinked', /cost code Assignar activity 42 \(external_id "CONC"\) is not linked to a Sage Intacct standard cost type/],
    ['role', (t: Tables) => t.roles.clear(), 'role-unlinked', /role Assignar 3 \(external_id "LAB-CARP"\) .* Labor GL group/],
    ['asset', (t: Tables) => t.assets.clear(), 'asset-unlinked', /equipment Assignar asset 61 \(external_id "EQ-EX20"\) .* Equipment GL group/],
  ] as const)('a missing %s link holds the timesheet', (_what, remove, code, text) => {
    const t = tables();
    remove(t);
    const h = heldWith(t);
    expect(h.map((x) => x.code)).toEqual([code]);
    expect(h[0].message).toMatch(text);
  });

  test('a work order of another project than the timesheet’s', () => {
    const t = tables();
    t.workOrders.set('5', { projectId: 'P-200', taskId: 'T1' });
    expect(heldWith(t)[0]).toMatchObject({ code: 'work-order-project-mismatch' });
  });

  test('no project and no work order; no activity; no asset', () => {
    expect(heldWith(tables(), timesheet({ project_id: null, project: null, order_id: null, order: null })).map((h) => h.code)).toEqual(['no-project']);
    expect(heldWith(tables(), timesheet({ activity_entries: [activityEntry(9001, '2026-03-04T13:00:00.000Z', 60, null)] })).map((h) => h.code)).toEqual(['no-activity']);
    expect(heldWith(tables(), timesheet({ asset_entries: [assetEntry(7001, '2026-03-04T13:00:00.000Z', 60, null)] })).map((h) => h.code)).toEqual(['no-asset']);
  });

  test('an unmapped pay code with no default names the pay code and the config key to add', () => {
    const t = tables();
    t.payCodes.set('9001', { code: 'WET' });
    t.payCodes.set('9002', [
      { code: 'ORD', minutes: 200 },
      { code: 'WET', minutes: 70 },
    ]);
    const h = heldWith(t);
    expect(h).toHaveLength(1); // one reason per pay code, however many entries use it
    expect(h[0]).toMatchObject({ code: 'pay-code-unmapped', subject: { kind: 'payCode', id: 'WET' } });
    expect(h[0].message).toMatch(/pay code WET .*timesheets\.timeTypes.*"WET"/);
  });

  test('pay coding that cannot be trusted holds the timesheet', () => {
    for (const coding of [{ unavailable: 'the coded times of Assignar user 512 were not read' }, [{ code: 'ORD', minutes: 999 }], [{ code: '', minutes: 10 }], 'ORD']) {
      const t = tables();
      t.payCodes.set('9001', coding as never);
      expect(heldWith(t).map((h) => h.code)).toEqual(['pay-code-invalid']);
    }
  });

  test('not approved, already processed, deleted, and leave time', () => {
    expect(heldWith(tables(), timesheet({ status: 'SUBMITTED' })).map((h) => h.code)).toEqual(['not-approved']);
    expect(heldWith(tables(), timesheet({ is_processed: true })).map((h) => h.code)).toEqual(['processed']);
    expect(heldWith(tables(), timesheet({ deleted_time: '2026-03-06T00:00:00Z' })).map((h) => h.code)).toEqual(['deleted']);
    expect(heldWith(tables(), timesheet({ leave_request_entries: [{ id: 1, duration: 480, leave_type: { code: 'AL' } }] })).map((h) => h.code)).toEqual(['leave-time']);
    // A configured list of approved statuses replaces the APPROVED* default.
    expect(heldWith(tables(), timesheet({ status: 'APPROVED' }), { ...OPTIONS, approvedStatuses: ['APPROVED_WITH_PAY_AND_CHARGE_RATES'] }).map((h) => h.code)).toEqual(['not-approved']);
  });

  test('malformed input is held with a clear reason (paths, no values), keeping the id when there is one', () => {
    const r = buildTimesheetLines({ ...timesheet(), activity_entries: 'lots', user_id: 'x' }, lookupsOf(), OPTIONS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.timesheetId).toBe('1001');
    expect(r.holds).toHaveLength(1);
    expect(r.holds[0].code).toBe('malformed');
    expect(r.holds[0].message).toMatch(/Assignar timesheet 1001 is malformed \(.*timesheet\.user_id.*timesheet\.activity_entries/);
    expect(r.holds[0].message).not.toContain('lots');
    expect(buildTimesheetLines(null, lookupsOf(), OPTIONS)).toMatchObject({ ok: false, timesheetId: null, holds: [{ code: 'malformed' }] });
    expect(heldWith(tables(), timesheet({ modified_time: null })).map((h) => h.code)).toEqual(['malformed']);
    const noDuration = timesheet({ activity_entries: [{ ...activityEntry(9001, '2026-03-04T13:00:00.000Z', 60, { id: 41 }), duration: -5 }] });
    expect(heldWith(tables(), noDuration).map((h) => h.code)).toEqual(['malformed']);
  });

  test('every problem is listed at once, and nothing is exported', () => {
    const t = tables();
    t.workers.clear();
    t.projects.clear();
    t.costCodes.clear();
    t.assets.clear();
    t.payCodes.set('9001', { code: 'WET' });
    const r = buildTimesheetLines(timesheet(), lookupsOf(t), OPTIONS);
    expect(r).not.toHaveProperty('lines');
    expect(holds(r).map((h) => h.code)).toEqual(['worker-unlinked', 'project-unlinked', 'activity-unlinked', 'pay-code-unmapped', 'activity-unlinked', 'asset-unlinked']);
    expect(describeHolds(holds(r)).split(' | ')).toHaveLength(6);
  });
});

describe('DESCRIPTION', () => {
  const hostile = [
    `Formwork <level 2> & "east" wing's stair; checked by O'Brien`,
    'Pour ]]> done; <![CDATA[ not really ]]> & more',
    '</DESCRIPTION></TIMESHEETENTRY><TIMESHEETENTRY><QTY>999</QTY><DESCRIPTION>',
    '&amp; &lt;already escaped&gt; &#x26; &#38; &unknown; &',
    'Grúa 🏗️ façade — Zürich → 東京, zero\u200bwidth, \u202Eright-to-left\u202C',
    'Line one\nLine two\r\nTab\there; form feed\fand vertical tab\u000b',
  ];

  test.each(hostile)('hostile comment text is kept verbatim (only characters XML cannot carry become spaces): %j', (comments) => {
    const out = lines(buildTimesheetLines(timesheet({ comments }), lookupsOf(), OPTIONS));
    const carried = comments.replace(/[\f\v]/g, ' ');
    for (const l of out) expect(l.description).toBe(`Assignar timesheet 1001: ${carried}`);
  });

  test('blank comments leave the marker alone; long ones are cut at a code point boundary', () => {
    expect(lineDescription('7', '   ')).toBe('Assignar timesheet 7');
    expect(lineDescription('7', null)).toBe('Assignar timesheet 7');
    const long = 'Excavation & backfill <zone B> 🚧 '.repeat(50);
    const d = lineDescription('1001', long);
    expect(Array.from(d)).toHaveLength(DESCRIPTION_MAX_CHARS);
    expect(d.endsWith('…')).toBe(true);
    expect(d.startsWith('Assignar timesheet 1001: Excavation & backfill <zone B> 🚧 ')).toBe(true);
    expect(d).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no lone high surrogate
  });
});
