import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { releaseLink } from '../../../src/sync/release-link';
import { assignarTimesheets, isApprovedStatus } from '../../helpers/export-expectations';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';

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

test('a worker held for drift has its timesheets held, not exported, and they export once the link is released', async () => {
  h.assignar.simulateTimesheets({ startDate: '2026-11-09', days: 5, unusualPayCodeRatio: 0, seed: 5 });
  const approved = [...assignarTimesheets(h.assignar).values()].filter((t) => isApprovedStatus(t.status));
  const workerLinks = new Map((await h.ledger.listLinks('demo', 'worker', { limit: 10_000 })).map((l) => [l.assignarId, l]));
  const heldWorker = workerLinks.get(String(approved.find((t) => workerLinks.get(String(t.user_id))?.status === 'active')!.user_id))!;
  await h.ledger.markLinks('demo', 'worker', [heldWorker.sageKey], { status: 'held', reason: 'edited in Assignar (test)' });
  const theirs = new Set(approved.filter((t) => String(t.user_id) === heldWorker.assignarId).map((t) => String(t.id)));
  expect(theirs.size).toBeGreaterThan(0);

  const first = await h.run('timesheetExport');
  const outcomes = await h.ledger.listOutcomes(first.runId, { kind: 'timesheet', limit: 10_000 });
  for (const id of theirs) {
    const o = outcomes.find((x) => x.recordKey === id);
    expect(o).toMatchObject({ outcome: 'held' });
    expect(o!.reason).toContain(`worker ${heldWorker.sageId}`);
    expect(o!.reason).toContain('links release --kind worker');
  }
  const sageEmployees = new Set(h.sage.records('TIMESHEET').map((t) => t.EMPLOYEEID));
  expect(sageEmployees.has(heldWorker.sageId)).toBe(false);
  expect(sageEmployees.size).toBeGreaterThan(0);
  expect((await h.ledger.listHeldTimesheets('demo', { limit: 10_000 })).map((x) => x.assignarTimesheetId).filter((id) => theirs.has(id)).sort()).toEqual([...theirs].sort());

  await releaseLink({ connection: h.connection, ledger: h.ledger, assignar: h.clients.assignar('demo') }, { kind: 'worker', key: heldWorker.sageId, mode: 'accept' });
  const second = await h.run('timesheetExport');
  const after = await h.ledger.listOutcomes(second.runId, { kind: 'timesheet', limit: 10_000 });
  expect(after.filter((o) => o.outcome === 'created').map((o) => o.recordKey).sort()).toEqual([...theirs].sort());
  expect(h.sage.records('TIMESHEET').some((t) => t.EMPLOYEEID === heldWorker.sageId)).toBe(true);
  const now = assignarTimesheets(h.assignar);
  for (const id of theirs) expect(now.get(id)!.is_processed).toBe(true);
  expect((await h.ledger.listHeldTimesheets('demo', { limit: 10_000 })).filter((x) => theirs.has(x.assignarTimesheetId))).toEqual([]);
});
