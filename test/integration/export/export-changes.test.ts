import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ExportGroupOutcomeDetails, TimesheetOutcomeDetails } from '../../../src/contracts/export';
import type { ExportGroup, RecordOutcome } from '../../../src/ledger';
import { approvedMinutesByEmployeeDay, assignarTimesheets, isApprovedStatus, sageHoursByEmployeeDay } from '../../helpers/export-expectations';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';

/**
 * Issue 9, "Done when": a dry run lists exactly what the real run creates and writes nothing; hostile
 * descriptions round-trip; a late approval and a correction are each handled as the issue says (new group;
 * update of the same Sage Intacct timesheet, or a hold with both versions when Sage Intacct approved it).
 * The tests share one tenant and run in order.
 */

type Row = Record<string, unknown>;

let env: TestWorkflowEnvironment;
let h: SyncHarness;

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

/** What identifies a planned group and what it carries, as an outcome shows it. */
function groupShape(o: RecordOutcome) {
  const d = o.details as unknown as ExportGroupOutcomeDetails;
  return { key: o.recordKey, employeeId: d.employeeId, weekStart: d.weekStart, controlId: d.controlId, timesheets: d.timesheets, hoursByDay: d.hoursByDay, minutesByDay: d.minutesByDay, lines: d.lines };
}

/** Every approved timesheet is processed and Sage Intacct has its minutes, per employee-day. */
function expectEverythingExported(): void {
  const timesheets = [...assignarTimesheets(h.assignar).values()].filter((t) => isApprovedStatus(t.status));
  for (const t of timesheets) expect([t.id, t.is_processed]).toEqual([t.id, true]);
  const expected = approvedMinutesByEmployeeDay(h.assignar, new Set(timesheets.map((t) => String(t.id))));
  const hours = sageHoursByEmployeeDay(h.sage);
  expect([...hours.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, minutes] of expected) expect([key, hours.get(key)]).toEqual([key, round2(minutes)]);
}

function sageEntriesOf(recordNo: string): Array<Record<string, string>> {
  return h.sage
    .records('TIMESHEETENTRY')
    .filter((e) => e.TIMESHEETKEY === recordNo)
    .sort((a, b) => Number(a.LINENO) - Number(b.LINENO));
}

/** What a timesheet entry says, without the identifiers a replace renumbers. */
const entryContent = (e: Record<string, string>) => ({ ENTRYDATE: e.ENTRYDATE, QTY: Number(e.QTY), PROJECTID: e.PROJECTID, TASKID: e.TASKID, ITEMID: e.ITEMID, COSTTYPEID: e.COSTTYPEID, TIMETYPE: e.TIMETYPE, DESCRIPTION: e.DESCRIPTION });

/**
 * A dry run, checked to write nothing, then the real run, checked to create (or update) exactly the groups
 * the dry run listed. Returns the real run's summary.
 */
async function dryThenReal(): Promise<{ runId: string }> {
  const sheets = JSON.stringify(h.sage.records('TIMESHEET'));
  const entries = JSON.stringify(h.sage.records('TIMESHEETENTRY'));
  const groupsBefore = await allGroups();
  h.sage.resetStats();
  h.assignar.resetStats();
  const dry = await h.run('timesheetExport', { dryRun: true });
  const tx = h.sage.stats().transactions.byFunction;
  expect((tx.create ?? 0) + (tx.update ?? 0) + (tx.delete ?? 0)).toBe(0);
  expect(h.assignarWrites()).toBe(0);
  expect(JSON.stringify(h.sage.records('TIMESHEET'))).toBe(sheets);
  expect(JSON.stringify(h.sage.records('TIMESHEETENTRY'))).toBe(entries);
  expect(await allGroups()).toEqual(groupsBefore);
  const real = await h.run('timesheetExport');
  const shapes = async (runId: string) =>
    (await h.ledger.listOutcomes(runId, { kind: 'exportGroup', limit: 10_000 })).map((o) => ({ ...groupShape(o), replaces: (o.details as unknown as ExportGroupOutcomeDetails).replacesGroupKey })).sort((a, b) => (a.key < b.key ? -1 : 1));
  expect(await shapes(real.runId)).toEqual(await shapes(dry.runId));
  return real;
}

async function allGroups(): Promise<ExportGroup[]> {
  return h.ledger.listExportGroups('demo', { limit: 10_000 });
}

describe('dry run, then the real run', () => {
  let dry: RecordOutcome[];
  let dryTimesheets: RecordOutcome[];

  test('a dry run lists the groups and holds and writes nothing to Sage Intacct, Assignar or the export ledger', async () => {
    const generated = h.assignar.simulateTimesheets({ startDate: '2026-11-02', days: 5, unusualPayCodeRatio: 0.1, hostileRatio: 0.6, approveRatio: 0.7, seed: 21 });
    expect(generated.approved).toBeGreaterThan(20);
    expect(generated.hostile).toBeGreaterThan(10);
    h.sage.resetStats();
    h.assignar.resetStats();
    const summary = await h.run('timesheetExport', { dryRun: true });
    expect(summary.dryRun).toBe(true);
    dry = await h.ledger.listOutcomes(summary.runId, { kind: 'exportGroup', limit: 10_000 });
    dryTimesheets = await h.ledger.listOutcomes(summary.runId, { kind: 'timesheet', limit: 10_000 });
    expect(dry.length).toBeGreaterThan(10);
    for (const o of dry) expect((o.details as unknown as ExportGroupOutcomeDetails).dryRun).toBe(true);
    expect(dryTimesheets.filter((o) => o.outcome === 'held').length).toBeGreaterThan(0);

    expect(h.sage.records('TIMESHEET')).toEqual([]);
    const tx = h.sage.stats().transactions.byFunction;
    expect((tx.create ?? 0) + (tx.update ?? 0) + (tx.delete ?? 0)).toBe(0);
    expect(h.assignarWrites()).toBe(0);
    expect([...assignarTimesheets(h.assignar).values()].filter((t) => t.is_processed)).toEqual([]);
    expect(await allGroups()).toEqual([]);
    expect(await h.ledger.listHeldTimesheets('demo', { limit: 10 })).toEqual([]);
  });

  test('the real run then creates exactly the groups the dry run listed, and holds the same timesheets', async () => {
    const summary = await h.run('timesheetExport');
    const real = await h.ledger.listOutcomes(summary.runId, { kind: 'exportGroup', limit: 10_000 });
    expect(real.every((o) => o.outcome === 'created')).toBe(true);
    const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : 1);
    expect(real.map(groupShape).sort(byKey)).toEqual(dry.map(groupShape).sort(byKey));
    const created = await allGroups();
    expect(created.map((g) => g.groupKey).sort()).toEqual(dry.map((o) => o.recordKey).sort());
    expect(h.sage.records('TIMESHEET')).toHaveLength(dry.length);

    const realTimesheets = await h.ledger.listOutcomes(summary.runId, { kind: 'timesheet', limit: 10_000 });
    const heldOf = (os: RecordOutcome[]) => os.filter((o) => o.outcome === 'held').map((o) => [o.recordKey, o.reason]).sort();
    expect(heldOf(realTimesheets)).toEqual(heldOf(dryTimesheets));
    const exportedOf = (os: RecordOutcome[]) => os.filter((o) => o.outcome === 'created').map((o) => o.recordKey).sort();
    expect(exportedOf(realTimesheets)).toEqual(exportedOf(dryTimesheets));
  });
});

describe('hostile descriptions', () => {
  test('every TIMESHEETENTRY DESCRIPTION in Sage Intacct is the line description the ledger recorded', async () => {
    const groups = (await allGroups()).filter((g) => g.sageRecordNo !== null);
    expect(groups.length).toBeGreaterThan(0);
    let compared = 0;
    for (const g of groups) {
      const entries = sageEntriesOf(g.sageRecordNo!);
      expect(entries.map((e) => e.DESCRIPTION ?? '')).toEqual(g.lines.map((l) => l.description ?? ''));
      compared += entries.length;
    }
    expect(compared).toBe(h.sage.records('TIMESHEETENTRY').length);
  });

  test("the recorded description is the Assignar comment as typed, only XML-invalid control characters made spaces", async () => {
    const timesheets = assignarTimesheets(h.assignar);
    const lines = (await allGroups()).flatMap((g) => g.lines);
    let hostile = 0;
    for (const l of lines) {
      const comments = String(timesheets.get(l.assignarTimesheetId)!.comments ?? '');
      if (comments.trim() === '') continue;
      const expected = `Assignar timesheet ${l.assignarTimesheetId}: ${comments.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ' ')}`;
      const chars = Array.from(expected);
      if (chars.length <= 400) expect(l.description).toBe(expected);
      else expect(l.description).toBe(`${chars.slice(0, 399).join('')}…`);
      if (/[<&\]\f\u000b\r\u{1F000}-\u{1FFFF}]/u.test(comments)) hostile += 1;
    }
    expect(hostile).toBeGreaterThan(5);
  });
});

describe('late approval', () => {
  beforeAll(async () => {
    // Map the pay code the first run held (WET) so that only what each test changes is left to export.
    await h.reconfigure((c) => {
      (c.timesheets as { timeTypes: Record<string, string> }).timeTypes.WET = 'Inclement Weather';
    });
    await h.run('timesheetExport');
    expect(await h.ledger.listHeldTimesheets('demo', { limit: 10 })).toEqual([]);
    expectEverythingExported();
  });

  test('a timesheet approved after its employee-week was exported goes into a new group; the confirmed one is unchanged', async () => {
    const timesheets = [...assignarTimesheets(h.assignar).values()];
    const users = new Map((h.assignar.records('users') as Row[]).map((u) => [u.id, u]));
    const groups = await allGroups();
    // A SUBMITTED timesheet of a worker whose week is already in Sage Intacct.
    const late = timesheets.find((t) => t.status === 'SUBMITTED' && groups.some((g) => g.employeeId === users.get(t.user_id)!.employee_id && g.weekStart === '2026-11-02' && g.state === 'processed'))!;
    expect(late).toBeDefined();
    const employeeId = String(users.get(late.user_id)!.employee_id);
    const before = groups.filter((g) => g.employeeId === employeeId && g.weekStart === '2026-11-02');
    expect(before).toHaveLength(1);
    const old = before[0];
    const oldSheet = h.sage.records('TIMESHEET').find((t) => t.RECORDNO === old.sageRecordNo)!;
    const oldEntries = sageEntriesOf(old.sageRecordNo!);

    // The supervisor approves it in Assignar the next week.
    h.assignar.upsertRecords('timesheets', [{ id: late.id, status: 'APPROVED' }]);
    const summary = await dryThenReal();
    const outcomes = await h.ledger.listOutcomes(summary.runId, { kind: 'exportGroup', limit: 100 });
    expect(outcomes).toHaveLength(1);
    const o = outcomes[0];
    const d = o.details as unknown as ExportGroupOutcomeDetails;
    expect([o.outcome, d.employeeId, d.weekStart, d.replacesGroupKey, d.timesheets.map((t) => t.id)]).toEqual(['created', employeeId, '2026-11-02', null, [String(late.id)]]);
    expect(o.recordKey).not.toBe(old.groupKey);
    expect(o.sageId).not.toBe(old.sageRecordNo);
    const [ts] = await h.ledger.listOutcomes(summary.runId, { kind: 'timesheet', limit: 100 });
    expect([ts.recordKey, ts.outcome]).toEqual([String(late.id), 'created']);

    // The confirmed timesheet is untouched, in the ledger and in Sage Intacct.
    const [oldNow] = await h.ledger.getExportGroups('demo', [old.groupKey]);
    expect(oldNow).toEqual(old);
    expect(h.sage.records('TIMESHEET').find((t) => t.RECORDNO === old.sageRecordNo)).toEqual(oldSheet);
    expect(sageEntriesOf(old.sageRecordNo!)).toEqual(oldEntries);
    expect(h.sage.records('TIMESHEET').filter((t) => t.EMPLOYEEID === employeeId && t.BEGINDATE === '11/02/2026')).toHaveLength(2);
    expect(assignarTimesheets(h.assignar).get(String(late.id))!.is_processed).toBe(true);
  });
});

describe('corrections after approval', () => {
  /** A processed timesheet alone in its group, of an employee with no other group that week. */
  async function pickExported(exclude: ReadonlySet<string>): Promise<{ id: string; group: ExportGroup }> {
    const groups = (await allGroups()).filter((g) => g.state === 'processed');
    const perWeek = new Map<string, number>();
    for (const g of groups) perWeek.set(`${g.employeeId}|${g.weekStart}`, (perWeek.get(`${g.employeeId}|${g.weekStart}`) ?? 0) + 1);
    const group = groups.find((g) => perWeek.get(`${g.employeeId}|${g.weekStart}`) === 1 && g.timesheets.length > 1 && !exclude.has(g.employeeId))!;
    return { id: group.timesheets[0].assignarTimesheetId, group };
  }
  const used = new Set<string>();

  test('an exported timesheet edited after approval updates the same Sage Intacct timesheet', async () => {
    const { id, group } = await pickExported(used);
    used.add(group.employeeId);
    const sheetsBefore = h.sage.records('TIMESHEET').length;
    const edit = h.assignar.simulateTimesheetEdits({ ids: [Number(id)], kinds: ['extend'], seed: 3 });
    expect(edit.edits[0].minutesAfter).toBeGreaterThan(edit.edits[0].minutesBefore);
    expect(assignarTimesheets(h.assignar).get(id)!.is_processed).toBe(true);

    const summary = await dryThenReal();
    const groupOutcomes = await h.ledger.listOutcomes(summary.runId, { kind: 'exportGroup', limit: 100 });
    expect(groupOutcomes.map((o) => [o.outcome, o.sageId, (o.details as unknown as ExportGroupOutcomeDetails).replacesGroupKey])).toEqual([['updated', group.sageRecordNo, group.groupKey]]);
    const tsOutcomes = await h.ledger.listOutcomes(summary.runId, { kind: 'timesheet', limit: 100 });
    expect(tsOutcomes.map((o) => [o.recordKey, o.outcome, o.sageId])).toEqual([[id, 'updated', group.sageRecordNo]]);

    // Same Sage Intacct timesheet, lines replaced: its hours are the new minutes.
    expect(h.sage.records('TIMESHEET')).toHaveLength(sheetsBefore);
    const d = groupOutcomes[0].details as unknown as ExportGroupOutcomeDetails;
    const entries = sageEntriesOf(group.sageRecordNo!);
    const qtyByDay: Record<string, number> = {};
    for (const e of entries) {
      const [m, dd, y] = e.ENTRYDATE.split('/');
      qtyByDay[`${y}-${m}-${dd}`] = Math.round(((qtyByDay[`${y}-${m}-${dd}`] ?? 0) + Number(e.QTY)) * 100) / 100;
    }
    expect(qtyByDay).toEqual(Object.fromEntries(Object.entries(d.minutesByDay).map(([day, minutes]) => [day, round2(minutes)])));
    const e = edit.edits[0];
    expect(d.totalMinutes).toBe(group.totalMinutes + e.minutesAfter + e.assetMinutesAfter - e.minutesBefore - e.assetMinutesBefore);
    expectEverythingExported();
  });

  test('two timesheets of one Sage Intacct timesheet corrected together (an entry added, an activity recoded) are one update', async () => {
    const { group } = await pickExported(used);
    used.add(group.employeeId);
    const ids = group.timesheets.slice(0, 2).map((t) => t.assignarTimesheetId);
    h.assignar.simulateTimesheetEdits({ ids: [Number(ids[0])], kinds: ['add-entry'], seed: 5 });
    h.assignar.simulateTimesheetEdits({ ids: [Number(ids[1])], kinds: ['recode'], seed: 6 });
    const sheetsBefore = h.sage.records('TIMESHEET').length;

    const summary = await dryThenReal();
    const groupOutcomes = await h.ledger.listOutcomes(summary.runId, { kind: 'exportGroup', limit: 100 });
    expect(groupOutcomes.map((o) => [o.outcome, o.sageId])).toEqual([['updated', group.sageRecordNo]]);
    const tsOutcomes = await h.ledger.listOutcomes(summary.runId, { kind: 'timesheet', limit: 100 });
    expect(tsOutcomes.map((o) => [o.recordKey, o.outcome]).sort()).toEqual(ids.map((id) => [id, 'updated']).sort());
    expect(h.sage.records('TIMESHEET')).toHaveLength(sheetsBefore);
    const [replacement] = await h.ledger.getExportGroups('demo', [groupOutcomes[0].recordKey]);
    expect(sageEntriesOf(group.sageRecordNo!).map(entryContent)).toEqual(
      replacement.lines.map((l) => ({ ENTRYDATE: l.entryDate.replace(/^(\d+)-(\d+)-(\d+)$/, '$2/$3/$1'), QTY: l.qty, PROJECTID: l.projectId, TASKID: l.taskId, ITEMID: l.itemId, COSTTYPEID: l.costTypeId, TIMETYPE: l.timeType, DESCRIPTION: l.description })),
    );
    expectEverythingExported();
  });

  test('a run after the correction has nothing to do', async () => {
    const entries = JSON.stringify(h.sage.records('TIMESHEETENTRY'));
    h.sage.resetStats();
    h.assignar.resetStats();
    const summary = await h.run('timesheetExport');
    const tx = h.sage.stats().transactions.byFunction;
    expect((tx.create ?? 0) + (tx.update ?? 0) + (tx.delete ?? 0)).toBe(0);
    expect(h.assignarWrites()).toBe(0);
    expect(JSON.stringify(h.sage.records('TIMESHEETENTRY'))).toBe(entries);
    const outcomes = await h.ledger.listOutcomes(summary.runId, { limit: 1000 });
    expect(outcomes.filter((o) => o.outcome !== 'unchanged')).toEqual([]);
  });

  let held: { id: string; group: ExportGroup; entries: Array<Record<string, string>>; minutesAfter: number };

  test('a correction of a timesheet approved in Sage Intacct meanwhile is held with both versions; Sage Intacct is untouched', async () => {
    const { id, group } = await pickExported(used);
    used.add(group.employeeId);
    h.sage.setTimesheetState(group.sageRecordNo!, 'Approved');
    const sheet = h.sage.records('TIMESHEET').find((t) => t.RECORDNO === group.sageRecordNo)!;
    const entries = sageEntriesOf(group.sageRecordNo!);
    const edit = h.assignar.simulateTimesheetEdits({ ids: [Number(id)], kinds: ['extend'], seed: 4 });
    // Labor and equipment time (an operator's machine is on their timesheet too).
    const minutesBefore = edit.edits[0].minutesBefore + edit.edits[0].assetMinutesBefore;
    const minutesAfter = edit.edits[0].minutesAfter + edit.edits[0].assetMinutesAfter;
    expect(minutesAfter).toBeGreaterThan(minutesBefore);

    h.sage.resetStats();
    const summary = await h.run('timesheetExport');
    const tsOutcomes = await h.ledger.listOutcomes(summary.runId, { kind: 'timesheet', limit: 100 });
    expect(tsOutcomes.map((o) => [o.recordKey, o.outcome])).toEqual([[id, 'held']]);
    expect(tsOutcomes[0].reason).toMatch(new RegExp(`Sage Intacct refused to replace timesheet ${group.sageRecordNo}`));
    const details = tsOutcomes[0].details as unknown as TimesheetOutcomeDetails;
    const sum = (ls: Array<{ minutes: number }> | undefined) => (ls ?? []).reduce((a, l) => a + l.minutes, 0);
    expect(sum(details.exportedLines)).toBe(minutesBefore);
    expect(sum(details.correctedLines)).toBe(minutesAfter);
    expect(details.exportedLines!.every((l) => l.timesheetId === id)).toBe(true);
    expect(details.correctedLines!.every((l) => l.timesheetId === id)).toBe(true);

    const holds = await h.ledger.listHeldTimesheets('demo', { limit: 100 });
    expect(holds.map((x) => x.assignarTimesheetId)).toEqual([id]);
    const holdDetails = holds[0].details as unknown as TimesheetOutcomeDetails;
    expect(sum(holdDetails.exportedLines)).toBe(minutesBefore);
    expect(sum(holdDetails.correctedLines)).toBe(minutesAfter);

    // Untouched in Sage Intacct; the earlier export stays the current one.
    expect(h.sage.records('TIMESHEET').find((t) => t.RECORDNO === group.sageRecordNo)).toEqual(sheet);
    expect(sageEntriesOf(group.sageRecordNo!)).toEqual(entries);
    expect(h.sage.stats().transactions.byFunction.create ?? 0).toBe(0);
    const [oldNow] = await h.ledger.getExportGroups('demo', [group.groupKey]);
    expect([oldNow.state, oldNow.sageRecordNo]).toEqual(['processed', group.sageRecordNo]);
    held = { id, group, entries, minutesAfter };
  });

  test('once the Sage Intacct timesheet is back in Draft the next export applies the held correction', async () => {
    h.sage.setTimesheetState(held.group.sageRecordNo!, 'Draft');
    const summary = await h.run('timesheetExport');
    const tsOutcomes = await h.ledger.listOutcomes(summary.runId, { kind: 'timesheet', limit: 100 });
    expect(tsOutcomes.map((o) => [o.recordKey, o.outcome, o.sageId])).toEqual([[held.id, 'updated', held.group.sageRecordNo]]);
    expect(await h.ledger.listHeldTimesheets('demo', { limit: 100 })).toEqual([]);
    expect(sageEntriesOf(held.group.sageRecordNo!).map(entryContent)).not.toEqual(held.entries.map(entryContent));
    expectEverythingExported();
  });
});
