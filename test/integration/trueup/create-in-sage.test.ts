/**
 * The true-up's `create-in-sage` action (issue 10, the go-live case) end to end: a real Temporal dev server,
 * both sandboxes over HTTP, the existing-tenant seed. An approved Assignar-only worker becomes a Sage
 * Intacct employee with its contact, linked, with integration_id written back; a rejected one is untouched.
 * And the apply redone after a crash between the Sage Intacct create and the ledger creates nothing twice.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ApproveInput, ApproveResult, TrueupStatus } from '../../../src/contracts/trueup';
import type { TrueupPlanItem } from '../../../src/ledger';
import type { SyncContext } from '../../../src/sync/sync-context';
import { applyCreateInSage } from '../../../src/trueup/create-in-sage';
import { usersById } from '../../../src/trueup/apply-items';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';
import { waitFor } from '../../helpers/wait-for';

type Row = Record<string, unknown>;
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

const users = () => h.assignar.records('users') as Row[];
const userNamed = (first: string) => users().find((u) => u.first_name === first)!;
const employeeIds = () => new Set(h.sage.records('EMPLOYEE').map((e) => e.EMPLOYEEID));

/** The trueUp's plan, made once and shared: the second test applies an item the first one left alone. */
let planned: TrueupPlanItem[] = [];
let trueupId = '';

test('an approved create-in-sage item makes one Sage Intacct employee with its contact, links it and writes integration_id back; a rejected one stays only in Assignar', async () => {
  const handle = await env.client.workflow.start('trueUp', {
    taskQueue: h.taskQueue,
    workflowId: `trueUp/demo/${h.taskQueue}`,
    args: [{ connection: 'demo', applyDelaySeconds: 0, rediffSeconds: 3600, reminderSeconds: 3600 }],
  });
  const status = () => handle.query<TrueupStatus>('status');
  await waitFor('the plan', async () => (await status()).phase === 'awaiting-approval');
  trueupId = (await status()).trueupId;
  planned = await h.ledger.listTrueupItems('demo', trueupId, { actions: ['create-in-sage'], limit: 100 });
  const tess = userNamed('Tess');
  const sam = userNamed('Sam');
  const itemOf = (u: Row) => planned.find((i) => i.assignarId === String(u.id))!;
  expect(itemOf(tess)).toBeDefined();
  expect(itemOf(sam)).toBeDefined();
  const samBefore = { ...sam };
  const employeesBefore = employeeIds();
  expect(h.sage.records('CONTACT')).toEqual([]);

  const approved = await handle.executeUpdate<ApproveResult, [ApproveInput]>('approveItems', { args: [{ items: [itemOf(tess).itemId] }] });
  expect(approved).toEqual({ approved: 1, errors: [] });
  await handle.signal('reject', { items: [itemOf(sam).itemId], reason: 'a labour-hire worker: stays out of payroll' });
  await waitFor('the create applied and verified', async () => ((await status()).counts['create-in-sage']?.verified ?? 0) === 1, 60_000);
  const after = await status();
  expect(after.counts['create-in-sage']).toMatchObject({ verified: 1, rejected: 1 });

  // Sage Intacct: exactly one new employee, Tess's, named by a contact of its own.
  const added = h.sage.records('EMPLOYEE').filter((e) => !employeesBefore.has(e.EMPLOYEEID));
  expect(added).toHaveLength(1);
  const [employee] = added;
  const employeeId = `A${String(tess.id)}`;
  expect(employee).toMatchObject({
    EMPLOYEEID: employeeId,
    STATUS: 'active',
    'CONTACT.FIRSTNAME': 'Tess',
    'CONTACT.LASTNAME': 'Trainee',
    'CONTACT.EMAIL1': 'tess.trainee@demo-construction.example.com',
    'CONTACT.CONTACTNAME': `Trainee, Tess (${employeeId})`,
  });
  const contacts = h.sage.records('CONTACT');
  expect(contacts).toEqual([expect.objectContaining({ CONTACTNAME: `Trainee, Tess (${employeeId})`, PRINTAS: 'Tess Trainee', FIRSTNAME: 'Tess', LASTNAME: 'Trainee', EMAIL1: 'tess.trainee@demo-construction.example.com' })]);
  expect(employee.CONTACTKEY).toBe(contacts[0].RECORDNO);

  // The link, and Assignar holding Sage Intacct's values.
  expect(await h.ledger.getLinksByAssignarIds('demo', 'worker', [String(tess.id)])).toEqual([expect.objectContaining({ sageKey: employee.RECORDNO, sageId: employeeId, status: 'active' })]);
  const tessNow = userNamed('Tess');
  expect(String(tessNow.integration_id)).toBe(employee.RECORDNO);
  expect(tessNow.employee_id).toBe(employeeId);

  // The rejected worker: untouched, unlinked, absent in Sage Intacct.
  expect(userNamed('Sam')).toEqual(samBefore);
  expect(await h.ledger.getLinksByAssignarIds('demo', 'worker', [String(sam.id)])).toEqual([]);
  expect(h.sage.records('EMPLOYEE').some((e) => e['CONTACT.LASTNAME'] === 'Tempest' || e['CONTACT.EMAIL1'] === sam.email)).toBe(false);

  await handle.signal('cancel');
  expect((await handle.result()).phase).toBe('cancelled');
});

test('redone after a crash between the Sage Intacct create and the ledger, the apply finds what it created and creates nothing twice', async () => {
  const lee = userNamed('Lee');
  const item = planned.find((i) => i.assignarId === String(lee.id))!;
  expect(item).toBeDefined();
  const sage = h.clients.sage('demo');
  const runId = `${trueupId}/redo-test`;
  await h.ledger.startRun({ runId, connection: 'demo', workflowType: 'trueUp' });
  const ctx: SyncContext = {
    connection: h.connection,
    sage,
    assignar: h.clients.assignar('demo'),
    ledger: h.ledger,
    runId,
    dryRun: false,
    defaults: {},
    progress: () => undefined,
    attempt: 1,
  };
  const employeesBefore = employeeIds();
  const contactsBefore = h.sage.records('CONTACT').length;

  // First attempt: Sage Intacct creates the employee, then the worker dies before anything reaches the ledger.
  const real = sage.createEmployeeWithContact.bind(sage);
  const crash = jest.spyOn(sage, 'createEmployeeWithContact').mockImplementationOnce(async (input, opts) => {
    await real(input, opts);
    throw new Error('worker process killed');
  });
  await expect(applyCreateInSage(ctx, trueupId, [item], await usersById(ctx, [String(lee.id)]))).rejects.toThrow('worker process killed');
  expect(crash).toHaveBeenCalledTimes(1);
  const added = h.sage.records('EMPLOYEE').filter((e) => !employeesBefore.has(e.EMPLOYEEID));
  // Lee's own employee ID was free in Sage Intacct, so it is the new EMPLOYEEID.
  expect(added.map((e) => [e.EMPLOYEEID, e['CONTACT.FIRSTNAME'], e['CONTACT.LASTNAME']])).toEqual([['LEGACY-017', 'Lee', 'Legacy']]);
  expect(await h.ledger.getLinksByAssignarIds('demo', 'worker', [String(lee.id)])).toEqual([]);

  // The redo (the activity retried): found by its deterministic EMPLOYEEID, linked, written; not created again.
  const redo = await applyCreateInSage(ctx, trueupId, [item], await usersById(ctx, [String(lee.id)]));
  expect(redo.failures).toEqual(new Map());
  expect([...redo.done]).toEqual([item.itemId]);
  expect(crash).toHaveBeenCalledTimes(1);
  // And once more, as after a crash after the ledger but before the item was marked applied.
  const again = await applyCreateInSage(ctx, trueupId, [item], await usersById(ctx, [String(lee.id)]));
  expect([...again.done]).toEqual([item.itemId]);
  expect(crash).toHaveBeenCalledTimes(1);
  crash.mockRestore();

  expect(h.sage.records('EMPLOYEE').filter((e) => !employeesBefore.has(e.EMPLOYEEID))).toHaveLength(1);
  expect(h.sage.records('CONTACT')).toHaveLength(contactsBefore + 1);
  expect(h.sage.records('CONTACT').find((c) => c.CONTACTNAME === 'Legacy, Lee (LEGACY-017)')).toBeDefined();
  expect(await h.ledger.getLinksByAssignarIds('demo', 'worker', [String(lee.id)])).toEqual([expect.objectContaining({ sageKey: added[0].RECORDNO, sageId: 'LEGACY-017', status: 'active' })]);
  expect(String(userNamed('Lee').integration_id)).toBe(added[0].RECORDNO);
});

test('an employee ID another person holds in Sage Intacct: the worker’s own ID falls back to the derived one; the derived one taken fails the item with what to do', async () => {
  const sam = userNamed('Sam');
  const item = planned.find((i) => i.assignarId === String(sam.id))!;
  const runId = `${trueupId}/taken-test`;
  await h.ledger.startRun({ runId, connection: 'demo', workflowType: 'trueUp' });
  const ctx: SyncContext = { connection: h.connection, sage: h.clients.sage('demo'), assignar: h.clients.assignar('demo'), ledger: h.ledger, runId, dryRun: false, defaults: {}, progress: () => undefined, attempt: 1 };
  const apply = async () => applyCreateInSage(ctx, trueupId, [item], await usersById(ctx, [String(sam.id)]));
  const derived = `A${String(sam.id)}`;
  h.sage.seed({ EMPLOYEE: [{ EMPLOYEEID: derived, 'CONTACT.FIRSTNAME': 'Someone', 'CONTACT.LASTNAME': 'Else', 'CONTACT.EMAIL1': 'someone.else@example.com' }] });
  const before = h.sage.records('EMPLOYEE').length;

  const taken = await apply();
  expect(taken.done.size).toBe(0);
  expect(taken.failures.get(item.itemId)).toMatch(new RegExp(`employee ID ${derived} is taken by another person \\(Someone Else <someone.else@example.com>\\).*Give the worker an employee ID that is unused`));

  // Its own employee ID held by another employee too: both are named.
  h.assignar.upsertRecords('users', [{ ...userNamed('Sam'), employee_id: 'E1001' }]);
  expect((await apply()).failures.get(item.itemId)).toMatch(/its employee ID E1001 is Sage Intacct employee E1001 .* and the employee ID A\d+ is taken/);
  expect(h.sage.records('EMPLOYEE')).toHaveLength(before);
  expect(h.sage.records('CONTACT').some((c) => c.LASTNAME === 'Tempest')).toBe(false);

  // Given an unused employee ID, the worker gets it.
  h.assignar.upsertRecords('users', [{ ...userNamed('Sam'), employee_id: 'LH-42' }]);
  const ok = await apply();
  expect([...ok.done]).toEqual([item.itemId]);
  expect(h.sage.records('EMPLOYEE').find((e) => e.EMPLOYEEID === 'LH-42')).toMatchObject({ 'CONTACT.FIRSTNAME': 'Sam', 'CONTACT.LASTNAME': 'Tempest', 'CONTACT.EMAIL1': 'sam.tempest@labour-hire.example.com' });
});
