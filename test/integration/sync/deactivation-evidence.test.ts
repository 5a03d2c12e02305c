import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { byIntegrationId } from '../../helpers/expectations';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';

/**
 * Deactivation only on positive evidence (issue 8 §1): a record counts as gone only when a complete read
 * proved it absent, and a run that would deactivate an unusual share of a kind holds them for an operator.
 */
let env: TestWorkflowEnvironment;
let h: SyncHarness;

beforeAll(async () => {
  env = await startTemporal();
  h = await SyncHarness.start(env, { configure: (c) => ((c.sage as Record<string, unknown>).auditHistory = false) });
  await h.run('initialImport');
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

const activeIn = (resource: Parameters<typeof byIntegrationId>[1]) =>
  new Set([...byIntegrationId(h.assignar, resource).entries()].filter(([, rs]) => rs.some((r) => r.active === true)).map(([k]) => k));
const linkedActive = (object: string, resource: Parameters<typeof byIntegrationId>[1]) => {
  const active = activeIn(resource);
  return h.sage.records(object).filter((r) => r.STATUS === 'active' && active.has(r.RECORDNO));
};
const deactivatedKeys = async (runId: string, kind: string) =>
  (await h.ledger.listOutcomes(runId, { outcome: 'deactivated', limit: 1000 })).filter((o) => o.kind === kind).map((o) => o.recordKey).sort();

test('key reconciliation (sage.auditHistory: false) deactivates exactly the records deleted in Sage Intacct', async () => {
  const customers = linkedActive('CUSTOMER', 'clients');
  const employees = linkedActive('EMPLOYEE', 'users');
  const gone = [customers[0], customers[3]];
  h.sage.deleteRecord('CUSTOMER', gone[0].CUSTOMERID);
  h.sage.deleteRecord('CUSTOMER', gone[1].CUSTOMERID);
  h.sage.deleteRecord('EMPLOYEE', employees[2].EMPLOYEEID);
  const clientsBefore = activeIn('clients');
  const usersBefore = activeIn('users');

  const summary = await h.run('incrementalSync');

  expect(await deactivatedKeys(summary.runId, 'client')).toEqual(gone.map((c) => c.RECORDNO).sort());
  expect(await deactivatedKeys(summary.runId, 'worker')).toEqual([employees[2].RECORDNO]);
  const reasons = (await h.ledger.listOutcomes(summary.runId, { outcome: 'deactivated', limit: 10 })).map((o) => o.reason);
  for (const r of reasons) expect(r).toMatch(/deleted in Sage Intacct \(found by key reconciliation \(sage.auditHistory is false\)\)/);
  // Everything else is untouched in Assignar.
  expect(activeIn('clients')).toEqual(new Set([...clientsBefore].filter((k) => !gone.some((c) => c.RECORDNO === k))));
  expect(activeIn('users')).toEqual(new Set([...usersBefore].filter((k) => k !== employees[2].RECORDNO)));
  for (const kind of ['project', 'role', 'asset', 'costCode', 'workOrder']) expect(await deactivatedKeys(summary.runId, kind)).toEqual([]);
});

test('when reading AUDITHISTORY is refused, the fallback deactivates exactly the deleted records', async () => {
  await h.reconfigure((c) => ((c.sage as Record<string, unknown>).auditHistory = true));
  h.sage.faults({ deniedObjects: ['AUDITHISTORY'] });
  try {
    const [costCode] = linkedActive('STANDARDCOSTTYPE', 'activities');
    h.sage.deleteRecord('STANDARDCOSTTYPE', costCode.STANDARDCOSTTYPEID);
    const before = activeIn('activities');
    const summary = await h.run('incrementalSync');
    expect(await deactivatedKeys(summary.runId, 'costCode')).toEqual([costCode.RECORDNO]);
    expect(activeIn('activities')).toEqual(new Set([...before].filter((k) => k !== costCode.RECORDNO)));
    for (const kind of ['client', 'project', 'role', 'asset', 'worker', 'workOrder']) expect(await deactivatedKeys(summary.runId, kind)).toEqual([]);
  } finally {
    h.sage.faults({ deniedObjects: [] });
  }
});

test('a row that fails validation still counts as present: reported failed, never deactivated', async () => {
  // Workers of every status are in scope from now on, so the scope is re-read in full; one linked worker
  // comes back with a STATUS the schema does not know.
  const [odd] = linkedActive('EMPLOYEE', 'users');
  h.sage.store.load('EMPLOYEE', { ...odd, STATUS: 'suspended' });
  await h.reconfigure((c) => {
    c.sage = { ...(c.sage as object), auditHistory: true };
    c.entities = { worker: { status: 'all' } };
  });
  const summary = await h.run('incrementalSync');
  const outcomes = await h.ledger.getOutcomes(summary.runId, 'worker', [odd.RECORDNO]);
  expect(outcomes.map((o) => o.outcome)).toEqual(['failed']);
  expect(outcomes[0].reason).toMatch(new RegExp(`EMPLOYEE RECORDNO ${odd.RECORDNO} could not be read`));
  expect(await deactivatedKeys(summary.runId, 'worker')).toEqual([]);
  expect(activeIn('users').has(odd.RECORDNO)).toBe(true);
  h.sage.store.load('EMPLOYEE', { ...odd, STATUS: 'active' });
});

test('deleting 30 % of the customers trips the mass-deactivation guard; confirming applies them', async () => {
  // Enough customers that 30 % is over the guard's 20-record minimum.
  const template = h.sage.records('CUSTOMER').find((c) => c.STATUS === 'active')!;
  const { RECORDNO: _r, WHENCREATED: _c, WHENMODIFIED: _m, ...fields } = template;
  h.sage.upsertRecords('CUSTOMER', Array.from({ length: 60 }, (_, i) => ({ ...fields, CUSTOMERID: `C-BULK-${i}`, NAME: `Bulk Customer ${i}` })));
  await h.run('incrementalSync');
  const customers = linkedActive('CUSTOMER', 'clients');
  expect(customers.length).toBeGreaterThanOrEqual(70);
  const doomed = customers.filter((c) => c.CUSTOMERID.startsWith('C-BULK-')).slice(0, Math.ceil(customers.length * 0.3));
  for (const c of doomed) h.sage.deleteRecord('CUSTOMER', c.CUSTOMERID);
  const doomedKeys = doomed.map((c) => c.RECORDNO).sort();

  h.assignar.resetStats();
  const held = await h.run('incrementalSync');
  expect(h.assignarWrites()).toBe(0);
  for (const c of doomed) expect(activeIn('clients').has(c.RECORDNO)).toBe(true);
  const heldOutcomes = (await h.ledger.listOutcomes(held.runId, { kind: 'client', outcome: 'held', limit: 1000 })).filter((o) => doomedKeys.includes(o.recordKey));
  expect(heldOutcomes.map((o) => o.recordKey).sort()).toEqual(doomedKeys);
  expect(heldOutcomes[0].reason).toMatch(/mass-change guard.*--confirm-deactivations/);
  expect(held.notices.join('\n')).toMatch(new RegExp(`client: ${doomed.length} of \\d+ linked records .* none was deactivated`));

  // An unconfirmed run keeps holding them and says so again.
  const again = await h.run('incrementalSync');
  expect((await h.ledger.listOutcomes(again.runId, { kind: 'client', outcome: 'held', limit: 1000 })).map((o) => o.recordKey).sort()).toEqual(doomedKeys);
  for (const c of doomed) expect(activeIn('clients').has(c.RECORDNO)).toBe(true);

  const confirmed = await h.run('incrementalSync', { confirmDeactivations: true });
  expect(await deactivatedKeys(confirmed.runId, 'client')).toEqual(doomedKeys);
  for (const c of doomed) expect(activeIn('clients').has(c.RECORDNO)).toBe(false);

  h.assignar.resetStats();
  await h.run('incrementalSync');
  expect(h.assignarWrites()).toBe(0);
});
