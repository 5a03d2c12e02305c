import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';

let env: TestWorkflowEnvironment;
let h: SyncHarness;

beforeAll(async () => {
  env = await startTemporal();
  h = await SyncHarness.start(env, { assignar: { seed: 'existing-tenant' } });
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

test('records already in Assignar under the same key are adopted, not duplicated', async () => {
  const activeEmployees = h.sage.records('EMPLOYEE').filter((e) => e.STATUS === 'active');
  const usersBefore = h.assignar.records('users');
  const withEmployeeId = (id: string, users = h.assignar.records('users')) => users.filter((u) => u.employee_id === id);
  const isFieldWorker = (u: Record<string, unknown>) => u.user_type_id === 2;
  const preexisting = activeEmployees.filter((e) => withEmployeeId(e.EMPLOYEEID, usersBefore).some(isFieldWorker));
  // An office user whose employee_id matches an employee is Assignar's own: never turned into a field worker.
  const officeMatches = activeEmployees.filter((e) => withEmployeeId(e.EMPLOYEEID, usersBefore).some((u) => !isFieldWorker(u)) && !withEmployeeId(e.EMPLOYEEID, usersBefore).some(isFieldWorker));
  expect(officeMatches.length).toBeGreaterThan(0);
  expect(preexisting.length).toBeGreaterThan(3);
  const clientsBefore = h.assignar.records('clients').filter((c) => c.external_id);
  expect(clientsBefore.length).toBeGreaterThan(0);

  const summary = await h.run('initialImport');
  expect(summary.counts.worker!.adopted).toBeGreaterThanOrEqual(preexisting.length);

  for (const e of preexisting) {
    const before = withEmployeeId(e.EMPLOYEEID, usersBefore);
    const after = withEmployeeId(e.EMPLOYEEID);
    expect(after).toHaveLength(before.length); // nothing new for an employee Assignar already had
    const [link] = await h.ledger.getLinksBySageKeys('demo', 'worker', [e.RECORDNO]);
    expect(before.map((u) => String(u.id))).toContain(link.assignarId);
    // Sage Intacct is the source of truth: the adopted record now carries its key and values.
    const adopted = after.find((u) => String(u.id) === link.assignarId)!;
    expect(adopted.integration_id).toBe(e.RECORDNO);
    expect(adopted.last_name).toBe(e['CONTACT.LASTNAME'].trim());
  }
  for (const e of officeMatches) {
    const [outcome] = await h.ledger.getOutcomes(summary.runId, 'worker', [e.RECORDNO]);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.reason).toMatch(/not a field worker/);
    const office = withEmployeeId(e.EMPLOYEEID).filter((u) => !isFieldWorker(u));
    expect(office.map((u) => u.integration_id ?? null)).toEqual(office.map(() => null));
  }
  for (const c of clientsBefore) {
    expect(h.assignar.records('clients').filter((x) => x.external_id === c.external_id)).toHaveLength(
      clientsBefore.filter((x) => x.external_id === c.external_id).length,
    );
  }

  // Two Assignar workers for one employee: one is adopted, the other is reported, not silently ignored.
  const adoptedWithDuplicates = await h.ledger.listOutcomes(summary.runId, { kind: 'worker', outcome: 'adopted', limit: 1000 });
  const dupes = adoptedWithDuplicates.filter((o) => Array.isArray((o.details as { duplicates?: unknown[] } | null)?.duplicates));
  const duplicatedInAssignar = preexisting.filter((e) => withEmployeeId(e.EMPLOYEEID, usersBefore).length > 1);
  expect(dupes.map((o) => o.recordKey).sort()).toEqual(duplicatedInAssignar.map((e) => e.RECORDNO).sort());

  // A second import adopts nothing new and writes nothing.
  h.assignar.resetStats();
  const again = await h.run('initialImport');
  expect(again.counts.worker!.adopted + again.counts.worker!.created).toBe(0);
  expect(h.assignarWrites()).toBe(0);
});
