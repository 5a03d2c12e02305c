import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { byIntegrationId } from '../../helpers/expectations';
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

const metered = () => (h.sage.stats() as unknown as { transactions: { total: number } }).transactions.total;
const assignarOf = (resource: Parameters<typeof byIntegrationId>[1], recordNo: string) => byIntegrationId(h.assignar, resource).get(recordNo)?.[0];
const linked = (records: Array<Record<string, string>>, resource: Parameters<typeof byIntegrationId>[1]) => records.filter((r) => assignarOf(resource, r.RECORDNO));

test('a sync with nothing changed writes nothing and reads each Sage object once', async () => {
  h.sage.resetStats();
  h.assignar.resetStats();
  const summary = await h.run('incrementalSync');
  expect(h.assignarWrites()).toBe(0);
  // 6 objects (ITEM serves roles and assets) + 1 AUDITHISTORY query: at most one per entity type.
  expect(metered()).toBeLessThanOrEqual(7);
  for (const c of Object.values(summary.counts)) expect(c!.created + c!.updated + c!.deactivated + c!.drifted).toBe(0);
});

test('a name change, an inactivation, a GL group change and a deletion in Sage Intacct reach Assignar', async () => {
  const customer = linked(h.sage.records('CUSTOMER').filter((c) => c.STATUS === 'active'), 'clients')[0];
  const employee = linked(h.sage.records('EMPLOYEE').filter((e) => e.STATUS === 'active'), 'users')[0];
  const laborItem = linked(h.sage.records('ITEM').filter((i) => i.STATUS === 'active' && i.GLGROUP === 'Labor'), 'tasks')[0];
  const costType = linked(h.sage.records('STANDARDCOSTTYPE').filter((c) => c.STATUS === 'active'), 'activities')[0];

  h.sage.upsertRecords('CUSTOMER', [{ ...customer, NAME: 'Renamed Civil & Sons' }]);
  h.sage.upsertRecords('EMPLOYEE', [{ ...employee, STATUS: 'inactive' }]);
  h.sage.upsertRecords('ITEM', [{ ...laborItem, GLGROUP: 'Equipment' }]);
  h.sage.deleteRecord('STANDARDCOSTTYPE', costType.STANDARDCOSTTYPEID);

  h.assignar.resetStats();
  const summary = await h.run('incrementalSync');

  expect(assignarOf('clients', customer.RECORDNO)?.name).toBe('Renamed Civil & Sons');
  expect(assignarOf('users', employee.RECORDNO)?.active).toBe(false);
  expect(assignarOf('tasks', laborItem.RECORDNO)?.active).toBe(false);
  const asset = assignarOf('assets', laborItem.RECORDNO);
  expect(asset?.active).toBe(true);
  expect(asset?.external_id).toBe(laborItem.ITEMID);
  expect(assignarOf('activities', costType.RECORDNO)?.active).toBe(false);

  expect(summary.counts.client?.updated).toBe(1);
  expect(summary.counts.worker?.deactivated).toBe(1);
  expect(summary.counts.role?.deactivated).toBe(1);
  expect(summary.counts.asset?.created).toBe(1);
  expect(summary.counts.costCode?.deactivated).toBe(1);
  // Exactly the changed records were written: 1 update, 3 deactivations, 1 create.
  expect(h.assignarWrites()).toBe(5);
  const reasons = await h.ledger.listOutcomes(summary.runId, { outcome: 'deactivated', limit: 10 });
  expect(reasons.map((o) => o.reason).sort()).toEqual(
    expect.arrayContaining([expect.stringMatching(/inactive in Sage Intacct/), expect.stringMatching(/deleted in Sage Intacct/), expect.stringMatching(/filter/)]),
  );
});

test('a record whose WHENMODIFIED is empty is found by WHENCREATED', async () => {
  const template = h.sage.records('CUSTOMER').find((c) => c.STATUS === 'active')!;
  const { RECORDNO: _r, WHENCREATED: _c, WHENMODIFIED: _m, ...fields } = template;
  // Loaded as stored (ISO timestamps), the way some Sage Intacct records really are: created, never modified.
  const created = h.sage.store.load('CUSTOMER', { ...fields, CUSTOMERID: 'C-NEW-1', NAME: 'Fresh Customer', WHENCREATED: new Date().toISOString(), WHENMODIFIED: '' });
  expect(h.sage.records('CUSTOMER').find((c) => c.CUSTOMERID === 'C-NEW-1')?.WHENMODIFIED).toBe('');
  await h.run('incrementalSync');
  expect(assignarOf('clients', String(created.RECORDNO))?.name).toBe('Fresh Customer');
});

test('a narrowed filter: the dry run lists exactly what would be deactivated, the next sync deactivates exactly that', async () => {
  const activeWorkers = h.sage.records('EMPLOYEE').filter((e) => e.STATUS === 'active' && assignarOf('users', e.RECORDNO)?.active === true);
  const leaving = activeWorkers.filter((e) => e.DEPARTMENTID !== 'FIELD').map((e) => e.RECORDNO).sort();
  expect(leaving.length).toBeGreaterThan(0);
  await h.reconfigure((c) => {
    c.entities = { worker: { departmentIds: ['FIELD'] } };
  });

  h.assignar.resetStats();
  const dry = await h.run('incrementalSync', { dryRun: true });
  expect(h.assignarWrites()).toBe(0);
  const planned = await h.ledger.listOutcomes(dry.runId, { kind: 'worker', outcome: 'deactivated', limit: 1000 });
  expect(planned.map((o) => o.recordKey).sort()).toEqual(leaving);

  const real = await h.run('incrementalSync');
  const done = await h.ledger.listOutcomes(real.runId, { kind: 'worker', outcome: 'deactivated', limit: 1000 });
  expect(done.map((o) => o.recordKey).sort()).toEqual(leaving);
  for (const e of activeWorkers) expect(assignarOf('users', e.RECORDNO)?.active).toBe(!leaving.includes(e.RECORDNO));

  // The filter is now the baseline: the next sync does nothing more.
  h.assignar.resetStats();
  await h.run('incrementalSync');
  expect(h.assignarWrites()).toBe(0);
});

test('Assignar-side edits are drift: held for a worker, overwritten for a project', async () => {
  const worker = h.assignar.records('users').find((u) => u.integration_id && u.active === true)!;
  const project = h.assignar.records('projects').find((p) => p.integration_id && p.active === true)!;
  h.assignar.upsertRecords('users', [{ id: worker.id, first_name: 'Edited-In-Assignar' }]);
  h.assignar.upsertRecords('projects', [{ id: project.id, name: 'Renamed in the field' }]);

  const summary = await h.run('incrementalSync');
  const drifted = await h.ledger.listOutcomes(summary.runId, { outcome: 'drifted', limit: 100 });
  const workerDrift = drifted.find((o) => o.kind === 'worker' && o.assignarId === String(worker.id));
  const projectDrift = drifted.find((o) => o.kind === 'project' && o.assignarId === String(project.id));
  expect(workerDrift?.details).toMatchObject({ change: 'edited', action: 'held', fields: ['first_name'] });
  expect(projectDrift?.details).toMatchObject({ change: 'edited', action: 'overwritten', fields: ['name'] });

  expect(h.assignar.records('users').find((u) => u.id === worker.id)?.first_name).toBe('Edited-In-Assignar');
  const sageProject = h.sage.records('PROJECT').find((p) => p.RECORDNO === String(project.integration_id))!;
  expect(h.assignar.records('projects').find((p) => p.id === project.id)?.name).toBe(sageProject.NAME);
  const [link] = await h.ledger.getLinksByAssignarIds('demo', 'worker', [String(worker.id)]);
  expect(link.status).toBe('held');

  // A held worker's Sage changes wait for the true-up, and say so.
  const employee = h.sage.records('EMPLOYEE').find((e) => e.RECORDNO === String(worker.integration_id))!;
  h.sage.upsertRecords('EMPLOYEE', [{ ...employee, 'CONTACT.PHONE1': '(555) 000-1111' }]);
  const next = await h.run('incrementalSync');
  const held = await h.ledger.listOutcomes(next.runId, { kind: 'worker', outcome: 'held', limit: 10 });
  expect(held.map((o) => o.recordKey)).toContain(employee.RECORDNO);
});

test('records deleted or duplicated in Assignar are drift too', async () => {
  const project = h.assignar.records('projects').find((p) => p.integration_id && p.active === true)!;
  const client = h.assignar.records('clients').find((c) => c.integration_id && c.active === true)!;
  h.assignar.deleteRecord('projects', project.id as number, { hard: true });
  const [duplicate] = h.assignar.upsertRecords('clients', [{ name: client.name, company_name: client.company_name, external_id: client.external_id, active: true }]);

  const summary = await h.run('incrementalSync');
  const drifted = await h.ledger.listOutcomes(summary.runId, { outcome: 'drifted', limit: 100 });
  expect(drifted.find((o) => o.kind === 'project' && o.recordKey === String(project.integration_id))?.details).toMatchObject({ change: 'deleted', action: 'recreated' });
  expect(byIntegrationId(h.assignar, 'projects').get(String(project.integration_id))?.filter((p) => p.active)).toHaveLength(1);
  expect(drifted.find((o) => o.kind === 'client' && o.assignarId === String(duplicate.id))?.details).toMatchObject({ change: 'duplicated', action: 'deactivated' });
  expect(h.assignar.records('clients').find((c) => c.id === duplicate.id)?.active).toBe(false);
});
