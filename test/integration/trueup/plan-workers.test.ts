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
