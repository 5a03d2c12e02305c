import { startAssignarSandbox, type AssignarSandbox } from '../../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../../src/sandbox/sage';
import { matchWorkers, normaliseName, normalisePhone, type AssignarWorkerFacts, type SageEmployeeFacts } from '../../../src/trueup/match-workers';

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

const s = (v: unknown) => (v === undefined || v === null ? null : String(v));

test('names and phones compare the way people write them', () => {
  expect(normaliseName(' José ', "O'Brien-Smith")).toBe('jose obrien smith');
  expect(normaliseName('J.R.', 'Ewing')).toBe(normaliseName('JR', 'ewing'));
  expect(normaliseName('ZOË', 'Nakamura')).toBe('zoe nakamura');
  expect(normalisePhone('+1 (312) 555-0147')).toBe(normalisePhone('312.555.0147'));
  expect(normalisePhone('12')).toBe('');
});

test('each case of the existing-tenant seed is matched by the rule its note names', () => {
  const employees: SageEmployeeFacts[] = (sage.records('EMPLOYEE') as Row[]).map((e) => ({
    recordNo: String(e.RECORDNO),
    employeeId: String(e.EMPLOYEEID),
    firstName: s(e['CONTACT.FIRSTNAME']),
    lastName: s(e['CONTACT.LASTNAME']),
    email: s(e['CONTACT.EMAIL1']),
    phone: s(e['CONTACT.PHONE1']) ?? s(e['CONTACT.CELLPHONE']),
  }));
  const users = (assignar.records('users') as Row[]).filter((u) => String(u.comments ?? '').startsWith('existing-tenant:'));
  const workers: AssignarWorkerFacts[] = users.map((u) => ({ id: String(u.id), employeeId: s(u.employee_id), integrationId: s(u.integration_id), firstName: s(u.first_name), lastName: s(u.last_name), email: s(u.email), phone: s(u.contact) }));
  const note = new Map(users.map((u) => [String(u.id), String(u.comments).replace('existing-tenant: ', '')]));
  const results = matchWorkers(employees, workers);
  const seen = new Set<string>();
  for (const m of results) {
    const n = note.get(m.assignarId)!;
    seen.add(n.split(':')[0]);
    const rule = m.kind === 'match' ? m.rule : m.kind;
    if (n.startsWith('match by employee_id, email and name')) expect([n, rule, m.kind === 'match' && m.confidence]).toEqual([n, 'employee-id', 1]);
    else if (n.startsWith('match by email only')) expect([n, rule]).toEqual([n, 'email']);
    else if (n.startsWith('match by name only')) expect([n, rule]).toEqual([n, 'name']);
    else if (n.startsWith('conflicting keys')) expect([n, m.kind]).toEqual([n, 'conflict']);
    else if (n.startsWith('Assignar only')) expect([n, m.kind]).toEqual([n, 'none']);
    else if (n.startsWith('duplicated')) expect([n, rule]).toEqual([n, 'employee-id']);
    else expect([n, m.kind]).toEqual([n, 'match']); // edited, archived, inactive in Sage, office user: still the same person
  }
  // Both duplicates name the same employee: the planner keeps one and proposes deactivating the other.
  const dups = results.filter((m) => note.get(m.assignarId)!.startsWith('duplicated'));
  expect(dups).toHaveLength(2);
  expect(new Set(dups.map((m) => (m.kind === 'match' ? m.recordNo : '')))).toHaveProperty('size', 1);
  expect(seen).toEqual(new Set(['match by employee_id, email and name', 'match by email only (no employee_id)', 'match by email only, different case (no employee_id)', 'match by name only (personal email, other phone)', 'duplicated', 'edited in Assignar', 'archived in Assignar, active in Sage Intacct', 'conflicting keys', 'active in Assignar, inactive in Sage Intacct', 'office user in Assignar (user type 3) who is an employee in Sage Intacct', 'Assignar only']));
});
