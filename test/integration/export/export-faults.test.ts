import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { assignarTimesheets, isApprovedStatus, sageHoursByEmployeeDay } from '../../helpers/export-expectations';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';

/**
 * Issue 9, "Done when": 10 % injected faults on both APIs end in the same Sage Intacct state as a clean run
 * of the same generated data: two tenants (two harnesses on one dev server), the same seeds, one export
 * each, the second with faults on every Sage Intacct and Assignar request of the export.
 */

let env: TestWorkflowEnvironment;
let clean: SyncHarness;
let faulty: SyncHarness;

const GENERATE = { startDate: '2026-11-02', days: 10, unusualPayCodeRatio: 0.05, hostileRatio: 0.2, overnightRatio: 0.2, seed: 31 } as const;

beforeAll(async () => {
  env = await startTemporal();
  [clean, faulty] = await Promise.all([SyncHarness.start(env), SyncHarness.start(env)]);
  await Promise.all([clean.run('initialImport'), faulty.run('initialImport')]);
});
afterAll(async () => {
  await faulty?.close();
  await clean?.close();
  await env?.teardown();
});

/** A Sage Intacct timesheet as the export made it, without RECORDNO and the version-bearing controlid. */
function sageState(h: SyncHarness) {
  const sheets = h.sage.records('TIMESHEET');
  const lines = new Map<string, string[]>();
  for (const e of h.sage.records('TIMESHEETENTRY')) {
    lines.set(e.TIMESHEETKEY, [...(lines.get(e.TIMESHEETKEY) ?? []), JSON.stringify([e.ENTRYDATE, Number(e.QTY), e.PROJECTID, e.TASKID, e.ITEMID, e.COSTTYPEID, e.TIMETYPE, e.DESCRIPTION])]);
  }
  return sheets
    .map((t) => JSON.stringify([t.EMPLOYEEID, t.BEGINDATE, String(t.DESCRIPTION).replace(/ \[ts-[0-9a-f]+\]$/, ''), (lines.get(t.RECORDNO) ?? []).sort()]))
    .sort();
}

test('an export under 10 % injected faults on both APIs ends in the same Sage Intacct state as a clean run', async () => {
  const a = clean.assignar.simulateTimesheets(GENERATE);
  const b = faulty.assignar.simulateTimesheets(GENERATE);
  expect(b.approvedMinutes).toEqual(a.approvedMinutes);
  expect([b.firstId, b.lastId]).toEqual([a.firstId, a.lastId]);

  const cleanRun = await clean.run('timesheetExport');
  expect(clean.sage.stats().faultsInjected).toEqual({ serverErrors: 0, timeouts: 0, offline: 0 });

  // Half of the faults are lost answers to requests that did run (Sage Intacct created the timesheets).
  faulty.sage.faults({ errorRate: 0.05, timeoutRate: 0.05, hangMs: 200, faultsAfterExecute: true, seed: 7 });
  faulty.assignar.setFaults({ errorRate: 0.05, timeoutRate: 0.05, timeoutMode: 'after', timeoutMs: 200, faultSeed: 7 });
  faulty.sage.resetStats();
  faulty.assignar.resetStats();
  const faultyRun = await faulty.run('timesheetExport');
  const sageFaults = faulty.sage.stats().faultsInjected;
  const assignarFaults = faulty.assignar.stats();
  faulty.sage.faults({ errorRate: 0, timeoutRate: 0 });
  faulty.assignar.setFaults({ errorRate: 0, timeoutRate: 0 });
  expect(sageFaults.serverErrors + sageFaults.timeouts).toBeGreaterThan(0);
  expect(assignarFaults.faults.errors + assignarFaults.faults.timeouts).toBeGreaterThan(0);

  // The same Sage Intacct timesheets, lines and hours per employee-day; no duplicate.
  expect(sageState(faulty)).toEqual(sageState(clean));
  expect(sageHoursByEmployeeDay(faulty.sage)).toEqual(sageHoursByEmployeeDay(clean.sage));
  const descriptions = faulty.sage.records('TIMESHEET').map((t) => t.DESCRIPTION);
  expect(new Set(descriptions).size).toBe(descriptions.length);
  const groups = await faulty.ledger.listExportGroups('demo', { limit: 10_000 });
  expect(groups.every((g) => g.state === 'processed')).toBe(true);
  expect(new Set(groups.map((g) => g.sageRecordNo)).size).toBe(groups.length);
  expect(groups.length).toBe(descriptions.length);

  // Every exportable timesheet processed, the held ones not, in both tenants alike.
  const processed = (h: SyncHarness) =>
    [...assignarTimesheets(h.assignar).values()]
      .filter((t) => t.is_processed)
      .map((t) => String(t.id))
      .sort();
  const exported = (await clean.ledger.listOutcomes(cleanRun.runId, { kind: 'timesheet', limit: 10_000 })).filter((o) => o.outcome === 'created').map((o) => o.recordKey);
  expect(processed(clean)).toEqual(exported.sort());
  expect(processed(faulty)).toEqual(processed(clean));
  const held = (await clean.ledger.listHeldTimesheets('demo', { limit: 10_000 })).map((x) => x.assignarTimesheetId);
  expect((await faulty.ledger.listHeldTimesheets('demo', { limit: 10_000 })).map((x) => x.assignarTimesheetId)).toEqual(held);
  const approved = [...assignarTimesheets(faulty.assignar).values()].filter((t) => isApprovedStatus(t.status)).length;
  expect(held.length + exported.length).toBe(approved);
  expect(faultyRun.totals?.exportedMinutes).toBe(cleanRun.totals?.exportedMinutes);
});
