import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { approvedMinutesByEmployeeDay, assignarTimesheets, isApprovedStatus, sageHoursByEmployeeDay } from '../../helpers/export-expectations';
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

test('approved time reaches Sage Intacct exactly once per employee and day; held timesheets say why', async () => {
  const generated = h.assignar.simulateTimesheets({ startDate: '2026-11-02', days: 5, unusualPayCodeRatio: 0.1, hostileRatio: 0.1, seed: 7 });
  expect(generated.approved).toBeGreaterThan(20);
  const summary = await h.run('timesheetExport');
  const outcomes = await h.ledger.listOutcomes(summary.runId, { kind: 'timesheet', limit: 10_000 });
  const held = outcomes.filter((o) => o.outcome === 'held');
  const exported = outcomes.filter((o) => o.outcome === 'created');
  expect(exported.length).toBeGreaterThan(0);
  expect(held.length).toBeGreaterThan(0);
  for (const o of held) expect(o.reason).toMatch(/not linked|pay code WET|held|drift/);

  const timesheets = assignarTimesheets(h.assignar);
  const approved = [...timesheets.values()].filter((t) => isApprovedStatus(t.status));
  // Every approved timesheet is either exported (and processed) or held; nothing else.
  expect(new Set([...held, ...exported].map((o) => o.recordKey))).toEqual(new Set(approved.map((t) => String(t.id))));
  for (const o of exported) expect(timesheets.get(o.recordKey)!.is_processed).toBe(true);
  for (const o of held) expect(timesheets.get(o.recordKey)!.is_processed).toBe(false);

  const expected = approvedMinutesByEmployeeDay(h.assignar, new Set(exported.map((o) => o.recordKey)));
  const hours = sageHoursByEmployeeDay(h.sage);
  expect([...hours.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, minutes] of expected) expect(hours.get(key)).toBeCloseTo(Math.round((minutes / 60) * 100) / 100, 6);
  expect(summary.totals?.exportedMinutes).toBe([...expected.values()].reduce((a, b) => a + b, 0));
});

test('with a small page size the approved timesheets are read in several id ranges side by side, each exactly once', async () => {
  await h.reconfigure((c) => void ((c.assignar as Record<string, unknown>).pageSize = 7));
  const generated = h.assignar.simulateTimesheets({ startDate: '2026-11-09', days: 5, seed: 8 });
  expect(generated.approved).toBeGreaterThan(20);
  const waiting = [...assignarTimesheets(h.assignar).values()].filter((t) => isApprovedStatus(t.status) && t.is_processed !== true && !t.deleted_time);
  const readsBefore = h.assignar.stats().requests.byRoute['GET /v2/timesheets-expanded'] ?? 0;

  const summary = await h.run('timesheetExport');

  // Read once each: ranges that overlapped would count a timesheet twice, a gap would miss one.
  expect(summary.totals?.timesheetsRead).toBe(waiting.length);
  const outcomes = await h.ledger.listOutcomes(summary.runId, { kind: 'timesheet', limit: 10_000 });
  expect(new Set(outcomes.map((o) => o.recordKey))).toEqual(new Set(waiting.map((t) => String(t.id))));
  expect(outcomes.length).toBe(waiting.length);
  // Seven rows a page: many more pages than one stream's single read.
  const reads = (h.assignar.stats().requests.byRoute['GET /v2/timesheets-expanded'] ?? 0) - readsBefore;
  expect(reads).toBeGreaterThan(Math.ceil(waiting.length / 7));
  const timesheets = assignarTimesheets(h.assignar);
  for (const o of outcomes.filter((x) => x.outcome === 'created')) expect(timesheets.get(o.recordKey)!.is_processed).toBe(true);
});
