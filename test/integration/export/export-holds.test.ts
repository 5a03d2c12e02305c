import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RecordOutcome } from '../../../src/ledger';
import { approvedMinutesByEmployeeDay, assignarTimesheets, isApprovedStatus, sageHoursByEmployeeDay } from '../../helpers/export-expectations';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';

/**
 * Issue 9, "Done when": held timesheets (unlinked worker, unmapped pay code) export after the fix; a second
 * run with nothing new creates nothing; a Sage Intacct business error on one group leaves the others
 * exported and that group goes out once fixed. The tests share one tenant and run in order.
 */

type Row = Record<string, unknown>;

let env: TestWorkflowEnvironment;
let h: SyncHarness;

/** A new hire entered in Assignar first: a field worker with an employee ID Sage Intacct does not have yet. */
const NEW_HIRE = { employeeId: 'E2001', email: 'nina.newhire@example-builders.com', first: 'Nina', last: 'Newhire' };

beforeAll(async () => {
  env = await startTemporal();
  h = await SyncHarness.start(env);
  await h.run('initialImport');
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

const round2 = (minutes: number) => Math.round((minutes / 60) * 100) / 100;

async function timesheetOutcomes(runId: string): Promise<RecordOutcome[]> {
  return h.ledger.listOutcomes(runId, { kind: 'timesheet', limit: 10_000 });
}

/** Sage per employee-day hours equal the approved minutes / 60 (rounded once per day) of these timesheets. */
function expectSageHoursFor(exportedIds: ReadonlySet<string>): void {
  const expected = approvedMinutesByEmployeeDay(h.assignar, exportedIds);
  const hours = sageHoursByEmployeeDay(h.sage);
  expect([...hours.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, minutes] of expected) expect([key, hours.get(key)]).toEqual([key, round2(minutes)]);
}


describe('held timesheets, then fixed', () => {
  let newHireUserId: number;
  const heldAtFirst = new Map<string, string>();

  test('an unlinked worker and an unmapped pay code are held with actionable reasons while the rest export', async () => {
    const [created] = h.assignar.upsertRecords('users', [
      {
        user_type_id: 2,
        first_name: NEW_HIRE.first,
        last_name: NEW_HIRE.last,
        email: NEW_HIRE.email,
        username: NEW_HIRE.email,
        employee_id: NEW_HIRE.employeeId,
        active: true,
      },
    ]);
    newHireUserId = Number(created.id);
    const generated = h.assignar.simulateTimesheets({ startDate: '2026-11-02', days: 5, unusualPayCodeRatio: 0.15, seed: 11 });
    expect(generated.unlinkedWorkers).toBe(1);
    expect(generated.withUnusualPayCode).toBeGreaterThan(0);

    const summary = await h.run('timesheetExport');
    const outcomes = await timesheetOutcomes(summary.runId);
    const approved = [...assignarTimesheets(h.assignar).values()].filter((t) => isApprovedStatus(t.status));
    const newHireApproved = approved.filter((t) => t.user_id === newHireUserId).map((t) => String(t.id));
    expect(newHireApproved.length).toBeGreaterThan(0);

    const held = outcomes.filter((o) => o.outcome === 'held');
    const created_ = outcomes.filter((o) => o.outcome === 'created');
    expect(created_.length).toBeGreaterThan(0);
    for (const id of newHireApproved) {
      const o = held.find((x) => x.recordKey === id);
      expect(o?.reason).toMatch(/is not linked to a Sage Intacct employee/);
      expect(o?.reason).toContain(NEW_HIRE.employeeId);
    }
    const wetHeld = held.filter((o) => !newHireApproved.includes(o.recordKey));
    expect(wetHeld.length).toBeGreaterThan(0);
    for (const o of wetHeld) expect(o.reason).toMatch(/pay code WET has no Sage Intacct time type: add it to timesheets\.timeTypes/);
    for (const o of held) heldAtFirst.set(o.recordKey, o.reason!);

    // The ledger keeps the holds; Assignar leaves them unprocessed; everything else is exported.
    const holds = await h.ledger.listHeldTimesheets('demo', { limit: 10_000 });
    expect(new Set(holds.map((x) => x.assignarTimesheetId))).toEqual(new Set(heldAtFirst.keys()));
    const timesheets = assignarTimesheets(h.assignar);
    for (const id of heldAtFirst.keys()) expect(timesheets.get(id)!.is_processed).toBe(false);
    expect(new Set([...held, ...created_].map((o) => o.recordKey))).toEqual(new Set(approved.map((t) => String(t.id))));
    for (const o of created_) expect(timesheets.get(o.recordKey)!.is_processed).toBe(true);
    expectSageHoursFor(new Set(created_.map((o) => o.recordKey)));
  });

  test('after the fix (employee created in Sage Intacct and synced, WET mapped) the next export sends them and releases their holds', async () => {
    h.sage.upsertRecords('EMPLOYEE', [
      {
        EMPLOYEEID: NEW_HIRE.employeeId,
        STATUS: 'active',
        EMPLOYEETYPE: 'Full Time',
        DEPARTMENTID: 'FIELD',
        LOCATIONID: 'CHI',
        TITLE: 'Labourer',
        'CONTACT.FIRSTNAME': NEW_HIRE.first,
        'CONTACT.LASTNAME': NEW_HIRE.last,
        'CONTACT.EMAIL1': NEW_HIRE.email,
      },
    ]);
    await h.run('incrementalSync');
    const link = await h.ledger.getLinksByAssignarIds('demo', 'worker', [String(newHireUserId)]);
    expect(link.map((l) => [l.status, l.sageId])).toEqual([['active', NEW_HIRE.employeeId]]);

    await h.reconfigure((c) => {
      (c.timesheets as { timeTypes: Record<string, string> }).timeTypes.WET = 'Inclement Weather';
    });
    const summary = await h.run('timesheetExport');
    const outcomes = await timesheetOutcomes(summary.runId);
    expect(outcomes.filter((o) => o.outcome !== 'created')).toEqual([]);
    expect(new Set(outcomes.map((o) => o.recordKey))).toEqual(new Set(heldAtFirst.keys()));
    expect(await h.ledger.listHeldTimesheets('demo', { limit: 10_000 })).toEqual([]);

    const timesheets = assignarTimesheets(h.assignar);
    const approved = [...timesheets.values()].filter((t) => isApprovedStatus(t.status)).map((t) => String(t.id));
    for (const id of approved) expect([id, timesheets.get(id)!.is_processed]).toEqual([id, true]);
    expectSageHoursFor(new Set(approved));
    // The new hire's time is on their own Sage Intacct timesheet(s).
    const newHireSheets = h.sage.records('TIMESHEET').filter((t) => t.EMPLOYEEID === NEW_HIRE.employeeId);
    expect(newHireSheets.length).toBeGreaterThan(0);
    // Pay code WET reached Sage Intacct as the mapped time type.
    const wetIds = [...heldAtFirst.keys()].filter((id) => timesheets.get(id)!.user_id !== newHireUserId);
    const groups = await h.ledger.listExportGroups('demo', { limit: 10_000 });
    const wetLines = groups.flatMap((g) => g.lines.filter((l) => wetIds.includes(l.assignarTimesheetId) && l.timeType === 'Inclement Weather'));
    expect(wetLines.length).toBeGreaterThan(0);
    const sageTimeTypes = new Set(h.sage.records('TIMESHEETENTRY').map((e) => e.TIMETYPE));
    expect(sageTimeTypes.has('Inclement Weather')).toBe(true);
  });

  test('a second export with nothing new creates nothing', async () => {
    const before = h.sage.records('TIMESHEET').length;
    const entriesBefore = JSON.stringify(h.sage.records('TIMESHEETENTRY'));
    h.sage.resetStats();
    h.assignar.resetStats();
    const summary = await h.run('timesheetExport');
    expect(h.sage.records('TIMESHEET')).toHaveLength(before);
    expect(JSON.stringify(h.sage.records('TIMESHEETENTRY'))).toBe(entriesBefore);
    const tx = h.sage.stats().transactions.byFunction;
    expect(tx.create ?? 0).toBe(0);
    expect(tx.update ?? 0).toBe(0);
    expect(tx.delete ?? 0).toBe(0);
    expect(h.assignarWrites()).toBe(0);
    const outcomes = await h.ledger.listOutcomes(summary.runId, { limit: 10_000 });
    expect(outcomes.filter((o) => o.outcome !== 'unchanged')).toEqual([]);
    expect(summary.totals?.groupsCreated ?? 0).toBe(0);
  });
});

describe('a Sage Intacct business error on one group', () => {
  let employeeId: string;
  let failedIds: string[];

  test('leaves the other groups exported; that group and its timesheets fail with Sage Intacct reason and stay unprocessed', async () => {
    const generated = h.assignar.simulateTimesheets({ startDate: '2026-11-09', days: 5, unusualPayCodeRatio: 0, seed: 12 });
    expect(generated.approved).toBeGreaterThan(20);
    const timesheets = assignarTimesheets(h.assignar);
    const week = [...timesheets.values()].filter((t) => isApprovedStatus(t.status) && !t.is_processed);
    // An employee with approved time this week, made inactive in Sage Intacct without a sync.
    const users = new Map((h.assignar.records('users') as Row[]).map((u) => [u.id, u]));
    const victim = users.get(week.find((t) => users.get(t.user_id)!.employee_id !== NEW_HIRE.employeeId)!.user_id)!;
    employeeId = String(victim.employee_id);
    failedIds = week.filter((t) => t.user_id === victim.id).map((t) => String(t.id));
    h.sage.upsertRecords('EMPLOYEE', [{ EMPLOYEEID: employeeId, STATUS: 'inactive' }]);
    const sheetsBefore = h.sage.records('TIMESHEET').length;

    const summary = await h.run('timesheetExport');
    const groups = await h.ledger.listOutcomes(summary.runId, { kind: 'exportGroup', limit: 10_000 });
    const failedGroups = groups.filter((o) => o.outcome === 'failed');
    expect(failedGroups).toHaveLength(1);
    expect(failedGroups[0].details).toMatchObject({ employeeId, weekStart: '2026-11-09' });
    expect(failedGroups[0].reason).toMatch(new RegExp(`Sage Intacct refused the timesheet: .*${employeeId}.*inactive`, 'i'));
    const created = groups.filter((o) => o.outcome === 'created');
    expect(created.length).toBeGreaterThan(0);
    expect(h.sage.records('TIMESHEET').length).toBe(sheetsBefore + created.length);
    expect(h.sage.records('TIMESHEET').filter((t) => t.EMPLOYEEID === employeeId && t.BEGINDATE === '11/09/2026')).toEqual([]);

    const stored = await h.ledger.getExportGroups('demo', [failedGroups[0].recordKey]);
    expect(stored.map((g) => g.state)).toEqual(['failed']);
    const outcomes = await timesheetOutcomes(summary.runId);
    const now = assignarTimesheets(h.assignar);
    for (const id of failedIds) {
      const o = outcomes.find((x) => x.recordKey === id);
      expect([id, o?.outcome]).toEqual([id, 'failed']);
      expect(o?.reason).toBe(failedGroups[0].reason);
      expect(now.get(id)!.is_processed).toBe(false);
    }
    const others = week.filter((t) => !failedIds.includes(String(t.id))).map((t) => String(t.id));
    for (const id of others) expect([id, now.get(id)!.is_processed]).toEqual([id, true]);
  });

  test('once fixed in Sage Intacct the next export sends it', async () => {
    h.sage.upsertRecords('EMPLOYEE', [{ EMPLOYEEID: employeeId, STATUS: 'active' }]);
    const summary = await h.run('timesheetExport');
    const groups = await h.ledger.listOutcomes(summary.runId, { kind: 'exportGroup', limit: 10_000 });
    expect(groups.map((o) => [o.outcome, (o.details as { employeeId: string }).employeeId])).toEqual([['created', employeeId]]);
    const now = assignarTimesheets(h.assignar);
    for (const id of failedIds) expect([id, now.get(id)!.is_processed]).toEqual([id, true]);
    const approved = [...now.values()].filter((t) => isApprovedStatus(t.status)).map((t) => String(t.id));
    for (const id of approved) expect([id, now.get(id)!.is_processed]).toEqual([id, true]);
    expectSageHoursFor(new Set(approved));
    expect(await h.ledger.listExportGroups('demo', { states: ['failed', 'planned', 'sent'], limit: 100 })).toEqual([]);
  });
});
