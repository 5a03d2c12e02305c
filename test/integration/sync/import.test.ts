import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ENTITY_KINDS } from '../../../src/config/schema';
import type { RunSummary } from '../../../src/contracts/sync';
import { byIntegrationId, expectedInScope, RESOURCE_OF } from '../../helpers/expectations';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';

let env: TestWorkflowEnvironment;
let h: SyncHarness;
let first: RunSummary;

beforeAll(async () => {
  env = await startTemporal();
  h = await SyncHarness.start(env);
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

test('a dry run returns the plan and writes nothing', async () => {
  const before = Object.fromEntries(Object.values(RESOURCE_OF).map((r) => [r, h.assignar.records(r).length]));
  h.assignar.resetStats();
  const plan = await h.run('initialImport', { dryRun: true });
  expect(plan.dryRun).toBe(true);
  expect(h.assignarWrites()).toBe(0);
  expect(Object.fromEntries(Object.values(RESOURCE_OF).map((r) => [r, h.assignar.records(r).length]))).toEqual(before);
  expect((await h.ledger.linkCounts('demo'))).toEqual({});
  const expected = expectedInScope(h.sage);
  expect(plan.counts.client?.created).toBe(expected.client.length);
  expect(plan.counts.worker?.seen).toBe(expected.worker.length);
  const planned = await h.ledger.listOutcomes(plan.runId, { kind: 'client', limit: 1000 });
  expect(planned.every((o) => o.outcome === 'created' && (o.details as { dryRun?: boolean }).dryRun === true)).toBe(true);
});

test('the import brings every in-scope record over once, linked, in dependency order', async () => {
  first = await h.run('initialImport');
  const expected = expectedInScope(h.sage);
  const links = new Map<string, Map<string, string>>();
  for (const kind of ENTITY_KINDS) {
    const c = first.counts[kind]!;
    expect(c.seen).toBe(expected[kind].length);
    expect(c.created + c.failed).toBe(c.seen);
    const kindLinks = new Map((await h.ledger.listLinks('demo', kind, { limit: 10_000 })).map((l) => [l.sageKey, l.assignarId]));
    links.set(kind, kindLinks);
    const inAssignar = byIntegrationId(h.assignar, RESOURCE_OF[kind]);
    const failed = new Set((await h.ledger.listOutcomes(first.runId, { kind, outcome: 'failed', limit: 1000 })).map((o) => o.recordKey));
    expect(failed.size).toBe(c.failed);
    for (const record of expected[kind]) {
      const copies = inAssignar.get(record.RECORDNO) ?? [];
      if (failed.has(record.RECORDNO)) {
        expect(copies).toHaveLength(0);
        continue;
      }
      expect(copies).toHaveLength(1);
      expect(String(copies[0].id)).toBe(kindLinks.get(record.RECORDNO));
      expect(copies[0].active).toBe(true);
    }
  }

  // Keys and cross-links as DESIGN.md §2 has them.
  const clients = h.assignar.records('clients');
  const projects = h.assignar.records('projects');
  for (const p of projects) {
    const sageProject = h.sage.records('PROJECT').find((r) => r.RECORDNO === String(p.integration_id))!;
    expect(p.external_id).toBe(sageProject.PROJECTID);
    if (!sageProject.CUSTOMERID) {
      expect(p.client_id ?? null).toBeNull(); // an internal project: Assignar allows no client
      continue;
    }
    expect(clients.find((c) => c.id === p.client_id)?.external_id).toBe(sageProject.CUSTOMERID);
  }
  for (const o of h.assignar.records('orders')) {
    const task = h.sage.records('TASK').find((r) => r.RECORDNO === String(o.integration_id))!;
    expect(o.job_number).toContain(task.TASKID);
    const project = projects.find((p) => p.id === o.project_id)!;
    expect(project.external_id).toBe(task.PROJECTID);
    expect(o.client_id).toBe(project.client_id);
  }
  for (const u of h.assignar.records('users').filter((r) => r.integration_id)) {
    const employee = h.sage.records('EMPLOYEE').find((r) => r.RECORDNO === String(u.integration_id))!;
    expect(u.employee_id).toBe(employee.EMPLOYEEID);
    expect(u.user_type_id).toBe(2);
    expect(u.first_name).toBe(employee['CONTACT.FIRSTNAME'].trim());
    if (employee['CONTACT.EMAIL1']) {
      expect(u.email).toBe(employee['CONTACT.EMAIL1']);
      expect(u.username).toBe(employee['CONTACT.EMAIL1']);
    }
  }
  for (const a of h.assignar.records('assets')) expect(a.active).toBe(true);
});

test('failures name the record and say what to fix; the rest proceeds', async () => {
  const failed = await h.ledger.listOutcomes(first.runId, { outcome: 'failed', limit: 1000 });
  expect(failed.length).toBeGreaterThan(0); // the demo seed carries real-world mess: shared emails, inactive customers
  for (const f of failed) {
    expect(f.reason).toMatch(/Sage Intacct/);
    expect(f.reason).toContain(f.sageId!.split(':')[0]);
  }
  // Two employees sharing an email: the first keeps it, the other fails naming both, without a wasted write.
  const sharedEmail = failed.filter((f) => f.kind === 'worker' && /same email/.test(f.reason ?? ''));
  expect(sharedEmail.length).toBeGreaterThan(0);
  for (const f of sharedEmail) expect(f.reason).toMatch(/as EMPLOYEE \w+/);
});

test('hostile names and emails round-trip exactly', async () => {
  const hostile = /[&<>'"\]]|[^\x00-\x7f]/;
  const customers = h.sage.records('CUSTOMER').filter((c) => c.STATUS === 'active' && hostile.test(c.NAME));
  expect(customers.length).toBeGreaterThan(3);
  const clients = byIntegrationId(h.assignar, 'clients');
  for (const c of customers) expect(clients.get(c.RECORDNO)?.[0].name).toBe(c.NAME);
  const users = byIntegrationId(h.assignar, 'users');
  const employees = h.sage.records('EMPLOYEE').filter((e) => e.STATUS === 'active' && hostile.test(e['CONTACT.LASTNAME'] + e['CONTACT.FIRSTNAME']));
  let checked = 0;
  for (const e of employees) {
    const u = users.get(e.RECORDNO)?.[0];
    if (!u) continue;
    expect(u.last_name).toBe(e['CONTACT.LASTNAME'].trim());
    checked += 1;
  }
  expect(checked).toBeGreaterThan(3);
});

test('re-running the import on an unchanged source writes nothing', async () => {
  h.assignar.resetStats();
  const again = await h.run('initialImport');
  expect(h.assignarWrites()).toBe(0);
  for (const kind of ENTITY_KINDS) {
    const c = again.counts[kind]!;
    expect(c.created + c.updated + c.adopted + c.deactivated).toBe(0);
    expect(c.unchanged).toBe(first.counts[kind]!.created);
    // Records Assignar refused are reported again, not re-sent, until they change in Sage Intacct.
    expect(c.failed).toBe(first.counts[kind]!.failed);
  }
});

test('the ledger outcomes agree with the summary', async () => {
  const counts = await h.ledger.outcomeCounts(first.runId);
  for (const kind of ENTITY_KINDS) {
    expect(counts[kind]?.created ?? 0).toBe(first.counts[kind]!.created);
    expect(counts[kind]?.failed ?? 0).toBe(first.counts[kind]!.failed);
  }
});
