import { controlIdOf, exportGroupKey } from '../../../src/export/group-key';
import type { Rounding } from '../../../src/export/hours';
import { groupKeysByTimesheet, planExportGroups, sageTimesheetDescription, type ExportGroup, type PlanOptions } from '../../../src/export/plan-groups';
import { buildTimesheetLines, type ExportLine } from '../../../src/export/timesheet-lines';
import { activityEntry, assetEntry, lookupsOf, OPTIONS, prng, tables, timesheet } from './fixtures';

const PLAN: PlanOptions = { connection: 'demo', grouping: 'employee-week', weekStartsOn: 'MON', hoursDecimals: 2, rounding: 'nearest' };

/** A bare export line (defaults: timesheet 1, E1, P-1/T1, cost type LAB, item CARP, Wednesday 4 March 2026). */
function line(over: Partial<ExportLine> = {}): ExportLine {
  const timesheetId = over.timesheetId ?? '1';
  return {
    timesheetId,
    timesheetVersion: `v-${timesheetId}`,
    assignarUserId: '512',
    employeeId: 'E1',
    kind: 'labor',
    entryId: '1',
    entryDate: '2026-03-04',
    minutes: 60,
    projectId: 'P-1',
    taskId: 'T1',
    costTypeId: 'LAB',
    itemId: 'CARP',
    description: `Assignar timesheet ${timesheetId}`,
    ...over,
  };
}

const sumUnits = (qtys: number[], decimals: number) => qtys.reduce((a, q) => a + Math.round(q * 10 ** decimals), 0);

describe('planExportGroups: grouping', () => {
  const week = [
    line({ timesheetId: '10', entryId: '1', entryDate: '2026-03-02', minutes: 480 }),
    line({ timesheetId: '11', entryId: '2', entryDate: '2026-03-04', minutes: 450 }),
    line({ timesheetId: '12', entryId: '3', entryDate: '2026-03-09', minutes: 300 }), // next week (Monday)
    line({ timesheetId: '13', entryId: '4', entryDate: '2026-03-04', minutes: 120, employeeId: 'E2' }),
  ];

  test('employee-week: one group per employee per week, keyed by exportGroupKey over its timesheets and versions', () => {
    const groups = planExportGroups(week, PLAN);
    expect(groups.map((g) => [g.employeeId, g.weekStart, g.timesheets.map((t) => t.id)])).toEqual([
      ['E1', '2026-03-02', ['10', '11']],
      ['E1', '2026-03-09', ['12']],
      ['E2', '2026-03-02', ['13']],
    ]);
    const first = groups[0];
    expect(first.key).toBe(exportGroupKey({ connection: 'demo', employeeId: 'E1', weekStart: '2026-03-02', timesheets: [{ id: '10', version: 'v-10' }, { id: '11', version: 'v-11' }] }));
    expect(first.controlId).toBe(controlIdOf(first.key));
    expect(first).toMatchObject({
      timesheets: [
        { id: '10', version: 'v-10', minutes: 480 },
        { id: '11', version: 'v-11', minutes: 450 },
      ],
      totalMinutes: 930,
      totalQty: 15.5,
      minutesByDay: { '2026-03-02': 480, '2026-03-04': 450 },
      qtyByDay: { '2026-03-02': 8, '2026-03-04': 7.5 },
      unbookedMinutesByDay: {},
    });
    expect(first.description).toBe(`Assignar timesheets 10, 11 [${first.controlId}]`);
    expect(first.lines.map((l) => [l.entryDate, l.qty])).toEqual([
      ['2026-03-02', 8],
      ['2026-03-04', 7.5],
    ]);
  });

  test('per timesheet: one group per Assignar timesheet, same week start', () => {
    const groups = planExportGroups(week, { ...PLAN, grouping: 'timesheet' });
    const rows = groups.map((g) => [g.timesheets.map((t) => t.id).join(), g.employeeId, g.weekStart, g.description.replace(` [${g.controlId}]`, '')]);
    expect(rows.sort()).toEqual([
      ['10', 'E1', '2026-03-02', 'Assignar timesheet 10'],
      ['11', 'E1', '2026-03-02', 'Assignar timesheet 11'],
      ['12', 'E1', '2026-03-09', 'Assignar timesheet 12'],
      ['13', 'E2', '2026-03-02', 'Assignar timesheet 13'],
    ]);
    expect(groups.map((g) => g.key)).toEqual(
      groups.map((g) => exportGroupKey({ connection: 'demo', employeeId: g.employeeId, weekStart: g.weekStart, timesheets: [{ id: g.timesheets[0].id, version: g.timesheets[0].version }] })),
    );
    expect(new Set(groups.map((g) => g.key)).size).toBe(4);
  });

  test('weeks start on the configured day', () => {
    const groups = planExportGroups(week.slice(0, 3), { ...PLAN, weekStartsOn: 'SUN' });
    expect(groups.map((g) => g.weekStart)).toEqual(['2026-03-01', '2026-03-08']);
  });

  test('a timesheet whose time falls in two weeks is in both groups', () => {
    // Sunday 8 March 20:00 in Chicago for 8 hours, split at midnight: 4 h Sunday (week of 2 March), 4 h Monday.
    const ts = timesheet({ activity_entries: [activityEntry(9001, '2026-03-09T01:00:00.000Z', 480, { id: 41 })], asset_entries: [] });
    const r = buildTimesheetLines(ts, lookupsOf(), { ...OPTIONS, splitAtMidnight: true });
    if (!r.ok) throw new Error('held');
    for (const grouping of ['employee-week', 'timesheet'] as const) {
      const groups = planExportGroups(r.lines, { ...PLAN, grouping });
      expect(groups.map((g) => [g.weekStart, g.totalMinutes])).toEqual([
        ['2026-03-02', 240],
        ['2026-03-09', 240],
      ]);
      expect(groupKeysByTimesheet(groups).get('1001')).toEqual(groups.map((g) => g.key).sort());
    }
  });

  test('a later version of a timesheet is a different group key', () => {
    const a = planExportGroups(week, PLAN);
    const b = planExportGroups(week, { ...PLAN, timesheetVersions: new Map([['11', 'v-11-corrected']]) });
    expect(b[0].key).not.toBe(a[0].key);
    expect(b[0].timesheets[1].version).toBe('v-11-corrected');
    expect(b[1].key).toBe(a[1].key);
  });

  test('lines of one timesheet that disagree on version or employee are a bug, not a guess', () => {
    expect(() => planExportGroups([line(), line({ timesheetVersion: 'other' })], PLAN)).toThrow(/disagree/);
    expect(() => planExportGroups([line(), line({ employeeId: 'E2' })], PLAN)).toThrow(/disagree/);
    expect(() => planExportGroups([line({ minutes: 0 })], PLAN)).toThrow(RangeError);
    expect(() => planExportGroups([line()], { ...PLAN, hoursDecimals: 7 })).toThrow(RangeError);
  });
});

describe('planExportGroups: lines', () => {
  test('deterministic order: date, project, task, cost type, item, timesheet id', () => {
    const input = [
      line({ timesheetId: '20', entryId: 'a', itemId: 'B' }),
      line({ timesheetId: '3', entryId: 'b', itemId: 'B' }),
      line({ timesheetId: '9', entryId: 'c', costTypeId: 'AAA' }),
      line({ timesheetId: '9', entryId: 'd', taskId: 'T0' }),
      line({ timesheetId: '9', entryId: 'e', projectId: 'P-0' }),
      line({ timesheetId: '9', entryId: 'f', entryDate: '2026-03-03' }),
    ];
    const [g] = planExportGroups(input, PLAN);
    expect(g.lines.map((l) => l.sources[0].entryId)).toEqual(['f', 'e', 'd', 'c', 'b', 'a']);
  });

  test('lines identical for Sage Intacct within one timesheet are merged; across timesheets they are not', () => {
    const [g] = planExportGroups(
      [line({ entryId: '1', minutes: 200 }), line({ entryId: '2', minutes: 250 }), line({ timesheetId: '2', entryId: '3', minutes: 30 })],
      PLAN,
    );
    expect(g.lines.map((l) => [l.timesheetId, l.minutes, l.qty, l.sources.map((s) => s.entryId)])).toEqual([
      ['1', 450, 7.5, ['1', '2']],
      ['2', 30, 0.5, ['3']],
    ]);
  });

  test('the day is rounded once and split so it adds up (no drift from rounding each line)', () => {
    const [g] = planExportGroups([line({ entryId: '1', minutes: 20, costTypeId: 'A' }), line({ entryId: '2', minutes: 20, costTypeId: 'B' }), line({ entryId: '3', minutes: 20, costTypeId: 'C' })], PLAN);
    expect(g.lines.map((l) => l.qty)).toEqual([0.34, 0.33, 0.33]);
    expect(g.qtyByDay['2026-03-04']).toBe(1);
  });

  test('rounding up or down applies to the day total, once', () => {
    const lines = [line({ entryId: '1', minutes: 10, costTypeId: 'A' }), line({ entryId: '2', minutes: 10, costTypeId: 'B' })];
    expect(planExportGroups(lines, { ...PLAN, hoursDecimals: 1, rounding: 'up' })[0].qtyByDay['2026-03-04']).toBe(0.4);
    expect(planExportGroups(lines, { ...PLAN, hoursDecimals: 1, rounding: 'down' })[0].qtyByDay['2026-03-04']).toBe(0.3);
  });
});

describe('planExportGroups: no QTY 0', () => {
  test('a line that would get 0 takes a unit from the line holding the most', () => {
    // 1 decimal (6-minute units): 2 + 2 + 56 minutes = 1.0 h. Shares 0.33, 0.33, 9.33 units → 1, 0, 9 → 1, 1, 8.
    const [g] = planExportGroups(
      [line({ entryId: '1', minutes: 2, costTypeId: 'A' }), line({ entryId: '2', minutes: 2, costTypeId: 'B' }), line({ entryId: '3', minutes: 56, costTypeId: 'C' })],
      { ...PLAN, hoursDecimals: 1 },
    );
    expect(g.lines.map((l) => [l.costTypeId, l.minutes, l.qty])).toEqual([
      ['A', 2, 0.1],
      ['B', 2, 0.1],
      ['C', 56, 0.8],
    ]);
    expect(g.qtyByDay['2026-03-04']).toBe(1);
  });

  test('with fewer units than lines, the smallest lines merge into the most alike kept line', () => {
    // 0 decimals: 50 + 5 + 5 minutes = 1 h, one unit: one line keeps it all.
    const [g] = planExportGroups(
      [
        line({ entryId: '1', minutes: 50, costTypeId: 'A' }),
        line({ entryId: '2', minutes: 5, costTypeId: 'B' }),
        line({ timesheetId: '2', entryId: '3', minutes: 5, costTypeId: 'C', projectId: 'P-2' }),
      ],
      { ...PLAN, hoursDecimals: 0 },
    );
    expect(g.lines).toHaveLength(1);
    expect(g.lines[0]).toMatchObject({ costTypeId: 'A', minutes: 60, qty: 1, timesheetId: '1' });
    expect(g.lines[0].sources.map((s) => [s.timesheetId, s.entryId, s.minutes])).toEqual([
      ['1', '1', 50],
      ['1', '2', 5],
      ['2', '3', 5],
    ]);
    expect(g.timesheets.map((t) => t.id)).toEqual(['1', '2']);

    // 50 + 50 + 5 = 1.75 → 2 units for 3 lines: the 5 minutes go to the kept line of the same project and task.
    const [h] = planExportGroups(
      [
        line({ entryId: '1', minutes: 50, projectId: 'P-1', costTypeId: 'A' }),
        line({ entryId: '2', minutes: 50, projectId: 'P-2', costTypeId: 'A' }),
        line({ entryId: '3', minutes: 5, projectId: 'P-2', costTypeId: 'B' }),
      ],
      { ...PLAN, hoursDecimals: 0 },
    );
    expect(h.lines.map((l) => [l.projectId, l.minutes, l.qty])).toEqual([
      ['P-1', 50, 1],
      ['P-2', 55, 1],
    ]);
  });

  test('a day whose total rounds to 0 sends no line and says how many minutes were not booked', () => {
    const [g] = planExportGroups([line({ entryId: '1', minutes: 20 }), line({ entryId: '2', minutes: 480, entryDate: '2026-03-05' })], { ...PLAN, hoursDecimals: 0 });
    expect(g.lines.map((l) => [l.entryDate, l.qty])).toEqual([['2026-03-05', 8]]);
    expect(g.unbookedMinutesByDay).toEqual({ '2026-03-04': 20 });
    expect(g.totalMinutes).toBe(500);
    expect(g.totalQty).toBe(8);
  });
});

describe('planExportGroups: seeded random cases', () => {
  const ZONES = ['America/Chicago', 'Australia/Sydney', 'America/Denver', 'America/Los_Angeles'];

  /** Random approved timesheets of a few workers over two weeks, run through buildTimesheetLines. */
  function randomLines(seed: number, splitAtMidnight: boolean): { lines: ExportLine[]; approvedByEmployeeDay: Map<string, number> } {
    const rng = prng(seed);
    const t = tables();
    const workers = ['512', '513', '514'];
    workers.forEach((u, i) => t.workers.set(u, { employeeId: `E${1012 + i}`, status: 'active' }));
    for (const a of [41, 42, 43, 44]) t.costCodes.set(String(a), { costTypeId: `CT-${a}` });
    t.assets.set('62', { itemId: 'EQ-62' });
    const lookups = lookupsOf(t);
    const all: ExportLine[] = [];
    let entryId = 1;
    const count = rng.int(3, 12);
    for (let n = 0; n < count; n++) {
      const user = rng.pick(workers);
      const tz = rng.pick(ZONES);
      let at = Date.parse('2026-03-02T00:00:00Z') + rng.int(0, 13 * 24 * 60) * 60_000;
      const entries = [];
      const entryCount = rng.int(1, 5);
      for (let k = 0; k < entryCount; k++) {
        const minutes = rng.int(1, 400);
        entries.push(activityEntry(entryId++, new Date(at).toISOString(), minutes, { id: rng.pick([41, 42, 43, 44]) }, tz));
        at += (minutes + rng.int(0, 60)) * 60_000;
      }
      const assets = rng.next() < 0.4 ? [assetEntry(entryId++, entries[0].start_at as string, rng.int(1, 300), { id: rng.pick([61, 62]) }, tz)] : [];
      const ts = timesheet({ id: 2000 + n, user_id: Number(user), user: { user_id: Number(user) }, activity_entries: entries, asset_entries: assets, modified_time: `2026-03-20T00:00:0${n % 10}Z` });
      const r = buildTimesheetLines(ts, lookups, { ...OPTIONS, splitAtMidnight });
      if (!r.ok) throw new Error(r.holds.map((h) => h.message).join('; '));
      all.push(...r.lines);
    }
    const approvedByEmployeeDay = new Map<string, number>();
    for (const l of all) approvedByEmployeeDay.set(`${l.employeeId}|${l.entryDate}`, (approvedByEmployeeDay.get(`${l.employeeId}|${l.entryDate}`) ?? 0) + l.minutes);
    return { lines: all, approvedByEmployeeDay };
  }

  function perEmployeeDay(groups: ExportGroup[]): Map<string, { qty: number[]; minutes: number; unbooked: number }> {
    const out = new Map<string, { qty: number[]; minutes: number; unbooked: number }>();
    for (const g of groups) {
      for (const [day, minutes] of Object.entries(g.minutesByDay)) {
        const k = `${g.employeeId}|${day}`;
        const cur = out.get(k) ?? { qty: [], minutes: 0, unbooked: 0 };
        cur.minutes += minutes;
        cur.unbooked += g.unbookedMinutesByDay[day] ?? 0;
        out.set(k, cur);
      }
      for (const l of g.lines) out.get(`${g.employeeId}|${l.entryDate}`)!.qty.push(l.qty);
    }
    return out;
  }

  test('employee-week, 2 decimals, nearest: each employee-day adds up to the approved minutes, to the minute', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { lines, approvedByEmployeeDay } = randomLines(seed, seed % 2 === 0);
      const groups = planExportGroups(lines, PLAN);
      const days = perEmployeeDay(groups);
      expect([...days.keys()].sort()).toEqual([...approvedByEmployeeDay.keys()].sort());
      for (const [k, d] of days) {
        expect({ k, minutes: d.minutes }).toEqual({ k, minutes: approvedByEmployeeDay.get(k) });
        expect({ k, readBack: Math.round((sumUnits(d.qty, 2) / 100) * 60) }).toEqual({ k, readBack: d.minutes });
        expect(d.unbooked).toBe(0);
      }
      for (const g of groups) {
        for (const l of g.lines) {
          expect(l.qty).toBeGreaterThan(0);
          expect(Number(l.qty.toFixed(2))).toBe(l.qty);
          expect(l.sources.reduce((a, s) => a + s.minutes, 0)).toBe(l.minutes);
          // Sage Intacct keeps each entry inside its timesheet's week.
          expect(l.entryDate >= g.weekStart && l.entryDate < addDays(g.weekStart, 7)).toBe(true);
        }
        expect(g.totalMinutes).toBe(g.timesheets.reduce((a, t) => a + t.minutes, 0));
      }
    }
  });

  test.each([
    [0, 'nearest'],
    [0, 'up'],
    [0, 'down'],
    [1, 'nearest'],
    [1, 'up'],
    [1, 'down'],
    [2, 'up'],
    [2, 'down'],
    [4, 'nearest'],
  ] as Array<[number, Rounding]>)('%i decimals, %s, either grouping: days round once, no QTY 0, no minute lost', (decimals, rounding) => {
    const round = rounding === 'up' ? Math.ceil : rounding === 'down' ? Math.floor : Math.round;
    for (let seed = 1; seed <= 60; seed++) {
      const { lines } = randomLines(seed * 7919, seed % 3 === 0);
      for (const grouping of ['employee-week', 'timesheet'] as const) {
        const groups = planExportGroups(lines, { ...PLAN, grouping, hoursDecimals: decimals, rounding });
        for (const g of groups) {
          for (const [day, minutes] of Object.entries(g.minutesByDay)) {
            const dayLines = g.lines.filter((l) => l.entryDate === day);
            const expected = round(Number(((minutes * 10 ** decimals) / 60).toFixed(6)));
            expect(sumUnits(dayLines.map((l) => l.qty), decimals)).toBe(expected);
            expect(dayLines.reduce((a, l) => a + l.minutes, 0) + (g.unbookedMinutesByDay[day] ?? 0)).toBe(minutes);
            if (expected === 0) expect(g.unbookedMinutesByDay[day]).toBe(minutes);
          }
          for (const l of g.lines) expect(l.qty).toBeGreaterThan(0);
        }
      }
    }
  });

  test('groups, keys and lines do not depend on the order of the input', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { lines } = randomLines(seed, true);
      const shuffled = prng(seed + 1000).shuffle(lines);
      for (const opts of [PLAN, { ...PLAN, grouping: 'timesheet' as const }, { ...PLAN, hoursDecimals: 0 }]) {
        expect(planExportGroups(shuffled, opts)).toEqual(planExportGroups(lines, opts));
      }
    }
  });
});

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

describe('sageTimesheetDescription', () => {
  test('keeps the controlid whole and cuts the id list to fit', () => {
    const control = `ts-${'a'.repeat(48)}`;
    const ids = Array.from({ length: 200 }, (_, i) => String(100000 + i));
    const text = sageTimesheetDescription(ids, control);
    expect(Array.from(text).length).toBeLessThanOrEqual(400);
    expect(text.endsWith(` [${control}]`)).toBe(true);
    expect(text).toMatch(/^Assignar timesheets 100000, 100001, .* \(\+\d+ more\) \[/);
    expect(sageTimesheetDescription(['7'], control)).toBe(`Assignar timesheet 7 [${control}]`);
  });
});
