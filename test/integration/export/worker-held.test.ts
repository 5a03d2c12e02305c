import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ApproveInput, ApproveResult, TrueupStatus } from '../../../src/contracts/trueup';
import { releaseLink } from '../../../src/sync/release-link';
import { assignarTimesheets, isApprovedStatus } from '../../helpers/export-expectations';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';
import { waitFor } from '../../helpers/wait-for';

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

test('a worker held by drift in a sync is repaired by an approved true-up item, and its held timesheets export on the next export', async () => {
  h.assignar.simulateTimesheets({ startDate: '2026-11-16', days: 5, unusualPayCodeRatio: 0, seed: 6 });
  const approved = [...assignarTimesheets(h.assignar).values()].filter((t) => isApprovedStatus(t.status) && !t.is_processed);
  const workerLinks = new Map((await h.ledger.listLinks('demo', 'worker', { limit: 10_000 })).map((l) => [l.assignarId, l]));
  const worker = workerLinks.get(String(approved.find((t) => workerLinks.get(String(t.user_id))?.status === 'active')!.user_id))!;
  const theirs = new Set(approved.filter((t) => String(t.user_id) === worker.assignarId).map((t) => String(t.id)));
  expect(theirs.size).toBeGreaterThan(0);

  // Someone edits the worker in Assignar; the next sync holds the link (the worker policy is hold).
  const user = h.assignar.records('users').find((u) => String(u.id) === worker.assignarId)!;
  h.assignar.upsertRecords('users', [{ ...user, last_name: `${String(user.last_name)} (edited)` }]);
  await h.run('incrementalSync');
  expect((await h.ledger.getLinksBySageKeys('demo', 'worker', [worker.sageKey]))[0]!.status).toBe('held');
  const held = await h.run('timesheetExport');
  const heldOutcomes = await h.ledger.listOutcomes(held.runId, { kind: 'timesheet', limit: 10_000 });
  for (const id of theirs) expect(heldOutcomes.find((o) => o.recordKey === id)).toMatchObject({ outcome: 'held' });
  expect(h.sage.records('TIMESHEET').filter((t) => t.EMPLOYEEID === worker.sageId && String(t.BEGINDATE) >= '11/16/2026')).toEqual([]);

  // The true-up proposes to overwrite the edit with Sage Intacct's values; the operator approves that one item.
  const handle = await env.client.workflow.start('trueUp', {
    taskQueue: h.taskQueue,
    workflowId: `trueUp/demo/${h.taskQueue}`,
    args: [{ connection: 'demo', entities: ['worker'], applyDelaySeconds: 0, rediffSeconds: 3600, reminderSeconds: 3600 }],
  });
  const status = () => handle.query<TrueupStatus>('status');
  await waitFor('the plan', async () => (await status()).phase === 'awaiting-approval');
  const { trueupId } = await status();
  const [item] = (await h.ledger.listTrueupItems('demo', trueupId, { limit: 1000 })).filter((i) => i.sageKey === worker.sageKey);
  expect(item).toMatchObject({ action: 'overwrite', assignarId: worker.assignarId });
  expect(item.evidence).toContainEqual(expect.objectContaining({ field: 'last_name', assignar: `${String(user.last_name)} (edited)` }));
  expect(await handle.executeUpdate<ApproveResult, [ApproveInput]>('approveItems', { args: [{ items: [item.itemId] }] })).toEqual({ approved: 1, errors: [] });
  await waitFor('the item verified', async () => (await h.ledger.getTrueupItems('demo', trueupId, [item.itemId]))[0]!.state === 'verified', 60_000);
  expect((await h.ledger.getLinksBySageKeys('demo', 'worker', [worker.sageKey]))[0]!.status).toBe('active');
  expect(h.assignar.records('users').find((u) => String(u.id) === worker.assignarId)!.last_name).toBe(user.last_name);

  // The next export sends the worker's held timesheets and marks them processed.
  const next = await h.run('timesheetExport');
  const after = await h.ledger.listOutcomes(next.runId, { kind: 'timesheet', limit: 10_000 });
  expect(after.filter((o) => theirs.has(o.recordKey)).map((o) => o.outcome)).toEqual([...theirs].map(() => 'created'));
  const now = assignarTimesheets(h.assignar);
  for (const id of theirs) expect(now.get(id)!.is_processed).toBe(true);
  expect((await h.ledger.listHeldTimesheets('demo', { limit: 10_000 })).filter((x) => theirs.has(x.assignarTimesheetId))).toEqual([]);
  // Nothing else was open (the demo's employees sharing an email are `leave` items): the true-up is done.
  expect((await handle.result()).phase).toBe('done');
});
