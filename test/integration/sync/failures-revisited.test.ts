import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ASSIGNAR_SANDBOX_CREDENTIALS } from '../../../src/sandbox/demo-credentials';
import { byIntegrationId } from '../../helpers/expectations';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';

/** Failures are revisited, not forgotten (issue 8 §2). */
let env: TestWorkflowEnvironment;
let h: SyncHarness;
// The sandbox checks the very object it was started with: changing it rotates the accepted secret.
const acceptedCredentials: { clientId: string; clientSecret: string } = { ...ASSIGNAR_SANDBOX_CREDENTIALS };

beforeAll(async () => {
  env = await startTemporal();
  h = await SyncHarness.start(env, { assignar: { credentials: acceptedCredentials } });
  // Project P-0007 belongs to customer C-0018, inactive in the demo seed; give it work orders too.
  const task = h.sage.records('TASK').find((t) => t.STATUS === 'active')!;
  const { RECORDNO: _r, WHENCREATED: _c, WHENMODIFIED: _m, PROJECTKEY: _k, ...fields } = task;
  h.sage.upsertRecords('TASK', [1, 2].map((n) => ({ ...fields, PROJECTID: 'P-0007', TASKID: `T-P7-${n}`, NAME: `Union Station stage ${n}` })));
  await h.run('initialImport');
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

const inAssignar = (resource: Parameters<typeof byIntegrationId>[1], recordNo: string) => (byIntegrationId(h.assignar, resource).get(recordNo) ?? []).filter((r) => r.active === true);
const metered = () => (h.sage.stats() as unknown as { transactions: { total: number } }).transactions.total;

test('a dependency that turns up releases its dependants: customer C-0018 turns active, project P-0007 and its work orders follow', async () => {
  const customer = h.sage.records('CUSTOMER').find((c) => c.CUSTOMERID === 'C-0018')!;
  const project = h.sage.records('PROJECT').find((p) => p.PROJECTID === 'P-0007')!;
  const tasks = h.sage.records('TASK').filter((t) => t.PROJECTID === 'P-0007' && t.STATUS === 'active');
  expect(customer.STATUS).toBe('inactive');
  expect(project.CUSTOMERID).toBe('C-0018');
  expect(project.STATUS).toBe('active');
  expect(tasks.length).toBeGreaterThan(0);
  expect(inAssignar('projects', project.RECORDNO)).toHaveLength(0);
  const [failing] = await h.ledger.getFailingRecords('demo', 'project', [project.RECORDNO]);
  expect(failing.reason).toMatch(/C-0018/);

  // Only the customer changes in Sage Intacct; the project and its tasks are not touched.
  h.sage.upsertRecords('CUSTOMER', [{ ...customer, STATUS: 'active' }]);
  const summary = await h.run('incrementalSync');

  expect(inAssignar('clients', customer.RECORDNO)).toHaveLength(1);
  expect(inAssignar('projects', project.RECORDNO)).toHaveLength(1);
  for (const t of tasks) expect(inAssignar('orders', t.RECORDNO)).toHaveLength(1);
  expect((await h.ledger.getOutcomes(summary.runId, 'project', [project.RECORDNO])).map((o) => o.outcome)).toEqual(['created']);
  expect(await h.ledger.getFailingRecords('demo', 'project', [project.RECORDNO])).toEqual([]);
  expect(await h.ledger.getFailingRecords('demo', 'workOrder', tasks.map((t) => t.RECORDNO))).toEqual([]);
});

test('failing records are re-read within the usual queries, and records that still fail stay failing', async () => {
  const failingBefore = await h.ledger.listFailingRecords('demo', { kinds: ['client', 'project', 'role', 'asset', 'costCode', 'worker', 'workOrder'], limit: 1000 });
  expect(failingBefore.length).toBeGreaterThan(0);
  h.sage.resetStats();
  h.assignar.resetStats();
  const summary = await h.run('incrementalSync');
  // They ride along in the changes queries: no extra transaction at all.
  expect(metered()).toBeLessThanOrEqual(7);
  expect(h.assignarWrites()).toBe(0);
  const failed = await h.ledger.listOutcomes(summary.runId, { outcome: 'failed', limit: 1000 });
  expect(failed.map((o) => `${o.kind}:${o.recordKey}`).sort()).toEqual(failingBefore.map((f) => `${f.kind}:${f.sageKey}`).sort());
});

test('a refused token is a connection failure: the run fails naming the credential, nothing is remembered as refused, and the next sync writes everything', async () => {
  const customers = h.sage.records('CUSTOMER').filter((c) => c.STATUS === 'active' && inAssignar('clients', c.RECORDNO).length === 1).slice(0, 3);
  h.sage.upsertRecords('CUSTOMER', customers.map((c, i) => ({ ...c, NAME: `Renamed while the token was refused ${i}` })));
  const failingBefore = (await h.ledger.listFailingRecords('demo', { kinds: ['client'], limit: 1000 })).length;

  acceptedCredentials.clientSecret = 'rotated-by-an-admin';
  h.assignar.expireTokens();
  try {
    const failure = await h.run('incrementalSync').then(
      () => undefined,
      (err: unknown) => err,
    );
    const messages: string[] = [];
    for (let e = failure as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) messages.push(String(e.message));
    expect(messages.join(' <- ')).toMatch(/token request refused/);
    expect(messages.join(' <- ')).toMatch(/client ID and secret/);
  } finally {
    acceptedCredentials.clientSecret = ASSIGNAR_SANDBOX_CREDENTIALS.clientSecret;
  }
  expect((await h.ledger.listFailingRecords('demo', { kinds: ['client'], limit: 1000 })).length).toBe(failingBefore);
  for (const c of customers) expect(inAssignar('clients', c.RECORDNO)[0].name).toBe(c.NAME);

  const summary = await h.run('incrementalSync');
  customers.forEach((c, i) => expect(inAssignar('clients', c.RECORDNO)[0].name).toBe(`Renamed while the token was refused ${i}`));
  expect(summary.counts.client?.updated).toBe(customers.length);
});

test('a write refused for good is sent again once a link it depends on changes', async () => {
  const project = h.sage.records('PROJECT').find((p) => p.STATUS === 'active' && p.CUSTOMERID && inAssignar('projects', p.RECORDNO).length === 1)!;
  const customer = h.sage.records('CUSTOMER').find((c) => c.CUSTOMERID === project.CUSTOMERID)!;
  const [oldClient] = inAssignar('clients', customer.RECORDNO);
  // The client vanishes from Assignar, then the project changes in Sage: Assignar refuses the project
  // (its client_id no longer exists), and the same sync recreates the client (drift, overwrite policy).
  h.assignar.deleteRecord('clients', oldClient.id as number, { hard: true });
  h.sage.upsertRecords('PROJECT', [{ ...project, NAME: 'Renamed after its client vanished' }]);
  const refusedRun = await h.run('incrementalSync');
  const [refused] = await h.ledger.getOutcomes(refusedRun.runId, 'project', [project.RECORDNO]);
  expect(refused.outcome).toBe('failed');
  expect(refused.reason).toMatch(/client_id/);
  expect((await h.ledger.getFailingRecords('demo', 'project', [project.RECORDNO]))[0].refused).toBe(true);
  const [newClient] = inAssignar('clients', customer.RECORDNO);
  expect(newClient.id).not.toBe(oldClient.id);

  // Nothing changed in Sage Intacct since, but the client link did: the project is sent again and lands.
  const next = await h.run('incrementalSync');
  expect((await h.ledger.getOutcomes(next.runId, 'project', [project.RECORDNO])).map((o) => o.outcome)).toEqual(['updated']);
  const [inAssignarNow] = inAssignar('projects', project.RECORDNO);
  expect(inAssignarNow.name).toBe('Renamed after its client vanished');
  expect(inAssignarNow.client_id).toBe(newClient.id);
  expect(await h.ledger.getFailingRecords('demo', 'project', [project.RECORDNO])).toEqual([]);
});
