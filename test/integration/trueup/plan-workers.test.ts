import { getConnection } from '../../../src/config';
import { startAssignarSandbox, type AssignarSandbox } from '../../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../../src/sandbox/sage';
import { planWorkers, type PlanItem } from '../../../src/trueup/plan-workers';
import { sandboxConfig } from '../../helpers/sync-harness';

type Row = Record<string, unknown>;
let sage: SageSandbox;
let assignar: AssignarSandbox;

beforeAll(async () => {
  sage = await startSageSandbox({ port: 0, seed: 'demo' });
  assignar = await startAssignarSandbox({ port: 0, seed: 'existing-tenant' });
});
afterAll(async () => {
  await Promise.all([sage?.close(), assignar?.close()]);
});

function plan(links: Parameters<typeof planWorkers>[0]['links'] = []): PlanItem[] {
  const connection = getConnection(sandboxConfig(sage, assignar), 'demo');
  return planWorkers({ employees: sage.records('EMPLOYEE') as Row[], users: assignar.records('users') as Row[], links, map: { config: connection, assignarIdFor: () => undefined } });
}

test('go-live on the existing-tenant seed: every hand-made worker gets the action its case calls for', () => {
  const items = plan();
  const users = assignar.records('users') as Row[];
  const note = (assignarId: string | null) => String(users.find((u) => String(u.id) === assignarId)?.comments ?? '').replace('existing-tenant: ', '');
  const byNote = new Map<string, string[]>();
  for (const i of items) if (i.assignarId) byNote.set(note(i.assignarId), [...(byNote.get(note(i.assignarId)) ?? []), i.action]);
  expect(byNote.get('match by employee_id, email and name')).toEqual(['link', 'link', 'link']);
  expect(byNote.get('match by email only (no employee_id)')).toEqual(['link']);
  expect(byNote.get('match by email only, different case (no employee_id)')).toEqual(['link']);
  expect(byNote.get('match by name only (personal email, other phone)')).toEqual(['link']);
  expect(byNote.get('edited in Assignar: last name and phone differ')).toEqual(['link']);
  expect(byNote.get('archived in Assignar, active in Sage Intacct')).toEqual(['link']);
  expect(byNote.get('conflicting keys: employee_id of one employee, email of another')).toEqual(['leave']);
  expect(byNote.get('active in Assignar, inactive in Sage Intacct')).toEqual(['deactivate-orphan']);
  expect(byNote.get('office user in Assignar (user type 3) who is an employee in Sage Intacct')).toEqual(['leave']);
  // …and its employee is not proposed for creation either (the office user holds its employee ID).
  const office = items.find((i) => i.action === 'leave' && note(i.assignarId).startsWith('office user'))!;
  expect(items.filter((i) => i.sageKey === office.sageKey).map((i) => i.action)).toEqual(['leave']);
  expect([...(byNote.get('duplicated: first of two workers for one employee') ?? []), ...(byNote.get('duplicated: second worker for the same employee (no email, a resource)') ?? [])].sort()).toEqual(['deactivate-duplicate', 'link']);
  for (const n of [...byNote.keys()].filter((k) => k.startsWith('Assignar only'))) expect([n, byNote.get(n)]).toEqual([n, ['create-in-sage']]);

  // Confidence says how sure: an ID with its email is certain, a name alone is a guess.
  const link = (n: string) => items.find((i) => i.action === 'link' && note(i.assignarId) === n)!;
  expect(link('match by employee_id, email and name').confidence).toBe(1);
  expect(link('match by name only (personal email, other phone)').confidence).toBeLessThan(0.5);
  // Sage employees in scope with no Assignar worker at all are proposed for creation in Assignar.
  const recreate = items.filter((i) => i.action === 'recreate');
  expect(recreate.length).toBeGreaterThan(10);
  expect(recreate.every((i) => i.assignarId === null && i.sageKey)).toBe(true);
  // The employees a conflicting worker's keys point at are the person's decision: none is proposed for creation
  // (creating one would adopt the conflicting worker by its employee ID and settle the conflict unseen).
  const conflicting = users.find((u) => String(u.comments).includes('conflicting keys'))!;
  const pointedAt = (sage.records('EMPLOYEE') as Row[]).filter((e) => e.EMPLOYEEID === conflicting.employee_id || String(e['CONTACT.EMAIL1']).toLowerCase() === String(conflicting.email).toLowerCase());
  expect(pointedAt).toHaveLength(2);
  for (const e of pointedAt) expect(items.filter((i) => i.sageKey === String(e.RECORDNO) && i.action === 'recreate')).toEqual([]);
  // Deterministic: the same systems give the same plan.
  expect(plan()).toEqual(items);
  expect(new Set(items.map((i) => i.itemId)).size).toBe(items.length);
});

test('after linking, an edited worker is an overwrite and a deleted one is recreated', () => {
  const first = plan();
  const links = first
    .filter((i) => i.action === 'link')
    .map((i) => ({ sageKey: i.sageKey!, sageId: i.sageId!, assignarId: i.assignarId!, status: 'active' as const }));
  const users = assignar.records('users') as Row[];
  const edited = users.find((u) => String(u.comments).includes('edited in Assignar'))!;
  const second = plan(links);
  const overwrite = second.find((i) => i.assignarId === String(edited.id))!;
  expect(overwrite.action).toBe('overwrite');
  expect(overwrite.evidence.map((e) => e.field)).toEqual(expect.arrayContaining(['contact', 'last_name']));
  expect(second.some((i) => i.action === 'link')).toBe(false);

  // Its linked worker deleted: another worker that is the same person is relinked, else it is recreated.
  const gone = links.find((l) => l.assignarId !== String(edited.id))!;
  const relinked = plan(links.map((l) => (l === gone ? { ...l, assignarId: '999999' } : l))).filter((i) => i.sageKey === gone.sageKey);
  expect(relinked.map((i) => [i.action, i.assignarId])).toEqual([['link', gone.assignarId]]);
  expect(relinked[0].summary).toContain('999999 was deleted');
  const without = users.filter((u) => String(u.id) !== gone.assignarId);
  const connection = getConnection(sandboxConfig(sage, assignar), 'demo');
  const recreated = planWorkers({ employees: sage.records('EMPLOYEE') as Row[], users: without, links, map: { config: connection, assignarIdFor: () => undefined } }).filter((i) => i.sageKey === gone.sageKey);
  expect(recreated.map((i) => [i.action, i.assignarId])).toEqual([['recreate', null]]);
});

test('two employees sharing an email: the lower RECORDNO is created, the other is left with what to fix; a twice-typed worker with an ID is a duplicate, not a name guess', () => {
  const connection = getConnection(sandboxConfig(sage, assignar), 'demo');
  const active = (sage.records('EMPLOYEE') as Row[]).filter((e) => e.STATUS === 'active' && e['CONTACT.EMAIL1']);
  const [a, b, c] = active;
  const twin: Row = { ...b, 'CONTACT.EMAIL1': String(a['CONTACT.EMAIL1']).toUpperCase() };
  const items = planWorkers({ employees: [a, twin], users: [], links: [], map: { config: connection, assignarIdFor: () => undefined } });
  const [first, second] = [a, twin].sort((x, y) => Number(x.RECORDNO) - Number(y.RECORDNO));
  expect(items.map((i) => [i.sageKey, i.action])).toEqual(expect.arrayContaining([[String(first.RECORDNO), 'recreate'], [String(second.RECORDNO), 'leave']]));
  expect(items.find((i) => i.action === 'leave')!.summary).toMatch(/same email .* Give each its own email/);
  // Linked first: when the higher RECORDNO is linked, it keeps the email and nothing else is proposed for it.
  const linked = planWorkers({ employees: [a, twin], users: [], links: [{ sageKey: String(second.RECORDNO), sageId: String(second.EMPLOYEEID), assignarId: '77', status: 'active' }], map: { config: connection, assignarIdFor: () => undefined } });
  expect(linked.find((i) => i.sageKey === String(first.RECORDNO))!.action).toBe('leave');

  // Employee c is linked to worker 500; worker 501 was typed in again with c's employee ID and the name of unlinked employee a.
  const users: Row[] = [
    { id: 500, user_type_id: 2, active: true, employee_id: c.EMPLOYEEID, email: c['CONTACT.EMAIL1'], first_name: c['CONTACT.FIRSTNAME'], last_name: c['CONTACT.LASTNAME'], integration_id: String(c.RECORDNO) },
    { id: 501, user_type_id: 2, active: true, employee_id: c.EMPLOYEEID, first_name: a['CONTACT.FIRSTNAME'], last_name: a['CONTACT.LASTNAME'] },
  ];
  const dup = planWorkers({ employees: [a, c], users, links: [{ sageKey: String(c.RECORDNO), sageId: String(c.EMPLOYEEID), assignarId: '500', status: 'active' }], map: { config: connection, assignarIdFor: () => undefined } });
  expect(dup.filter((i) => i.assignarId === '501').map((i) => [i.action, i.sageKey])).toEqual([['deactivate-duplicate', String(c.RECORDNO)]]);
  expect(dup.find((i) => i.sageKey === String(a.RECORDNO))!.action).toBe('recreate');
});
