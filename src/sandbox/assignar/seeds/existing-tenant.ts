import type { ResourceContext } from '../resources/types';
import { WORKER_USER_TYPE_ID } from '../resources/users';
import { put } from './demo';
import type { SageRecords } from './sage-source';

/**
 * An Assignar tenant that was used for a while before the integration: workers, clients and projects
 * created by hand in the app. Built from the Sage Intacct sandbox's demo records so a true-up has real
 * work: some match by employee ID (users.employee_id) or external_id, some only by email, some only by
 * name; some are duplicated, some edited (names, phones), some archived, some carry conflicting keys,
 * and some exist only in Assignar. Every record's `comments` says which case it is, for people reading
 * the data; nothing in the product should rely on it.
 */

type Sage = Record<string, string>;

const EMPLOYMENT_TYPES: Record<string, number> = { 'Full Time': 1, 'Part Time': 2, Casual: 3, Contractor: 4 };

function stamp(i: number): { modified_by: string; modified_time: string } {
  const t = Date.UTC(2024, 2, 4, 14, 0, 0) + i * 3 * 86_400_000 + (i % 7) * 3_600_000;
  return { modified_by: i % 3 === 0 ? 'dana.whitfield@demo-construction.example.com' : 'office.admin', modified_time: new Date(t).toISOString() };
}

function phoneOf(e: Sage): string {
  return e['CONTACT.PHONE1'] || e['CONTACT.CELLPHONE'] || '';
}

function alteredPhone(p: string): string {
  const digits = p.replace(/\D/g, '');
  const last = digits.slice(-4) || '0000';
  return `(555) 010-${String((Number(last) + 4321) % 10000).padStart(4, '0')}`;
}

function plainAscii(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

interface WorkerCase {
  e: Sage;
  note: string;
  patch?: Record<string, unknown>;
}

export function seedExistingTenant(ctx: ResourceContext, sage: SageRecords): { workers: number; clients: number; projects: number } {
  const employees = (sage.EMPLOYEE ?? []) as Sage[];
  const emailCount = new Map<string, number>();
  for (const e of employees) {
    const m = (e['CONTACT.EMAIL1'] ?? '').toLowerCase();
    if (m) emailCount.set(m, (emailCount.get(m) ?? 0) + 1);
  }
  const clean = employees.filter((e) => e.STATUS === 'active' && e['CONTACT.EMAIL1'] && emailCount.get(e['CONTACT.EMAIL1'].toLowerCase()) === 1);
  const inactive = employees.filter((e) => e.STATUS === 'inactive');
  const worker = (e: Sage, extra: Record<string, unknown>, i: number): Record<string, unknown> => {
    const email = e['CONTACT.EMAIL1'] || undefined;
    return {
      user_type_id: WORKER_USER_TYPE_ID,
      employee_id: e.EMPLOYEEID,
      first_name: e['CONTACT.FIRSTNAME'],
      last_name: e['CONTACT.LASTNAME'],
      email,
      username: email ?? `${plainAscii(e['CONTACT.FIRSTNAME']) || 'worker'}.${plainAscii(e['CONTACT.LASTNAME']) || e.EMPLOYEEID.toLowerCase()}`,
      contact: phoneOf(e) || undefined,
      employment_type: EMPLOYMENT_TYPES[e.EMPLOYEETYPE] ?? 1,
      active: true,
      eula: 1,
      ...stamp(i),
      ...extra,
    };
  };

  const cases: WorkerCase[] = [];
  const at = (i: number) => clean[i] as Sage | undefined;
  const push = (e: Sage | undefined, note: string, patch?: Record<string, unknown>) => e && cases.push({ e, note, patch });
  push(at(0), 'match by employee_id, email and name');
  push(at(1), 'match by employee_id, email and name');
  push(at(2), 'match by employee_id, email and name');
  push(at(3), 'match by email only (no employee_id)', { employee_id: undefined });
  if (at(4)) push(at(4), 'match by email only, different case (no employee_id)', { employee_id: undefined, email: at(4)!['CONTACT.EMAIL1'].toUpperCase(), username: at(4)!['CONTACT.EMAIL1'].toUpperCase() });
  if (at(5)) {
    const e = at(5)!;
    const personal = `${plainAscii(e['CONTACT.FIRSTNAME']) || 'worker'}.${plainAscii(e['CONTACT.LASTNAME']) || e.EMPLOYEEID.toLowerCase()}@personal-mail.example.com`;
    push(e, 'match by name only (personal email, other phone)', { employee_id: undefined, email: personal, username: personal, contact: alteredPhone(phoneOf(e)) });
  }
  push(at(6), 'duplicated: first of two workers for one employee');
  push(at(7), 'edited in Assignar: last name and phone differ', { last_name: `${at(7)?.['CONTACT.LASTNAME']}-Reyes`, contact: alteredPhone(at(7) ? phoneOf(at(7)!) : '') });
  push(at(8), 'archived in Assignar, active in Sage Intacct', { active: false });
  if (at(9) && at(10)) push(at(9), 'conflicting keys: employee_id of one employee, email of another', { email: at(10)!['CONTACT.EMAIL1'], username: at(10)!['CONTACT.EMAIL1'] });
  push(inactive[0], 'active in Assignar, inactive in Sage Intacct');
  if (at(11)) push(at(11), 'office user in Assignar (user type 3) who is an employee in Sage Intacct', { user_type_id: 3 });

  const users: Array<Record<string, unknown>> = cases.map((c, i) => ({ ...worker(c.e, c.patch ?? {}, i), comments: `existing-tenant: ${c.note}` }));
  const dup = at(6);
  if (dup) {
    const username = `${plainAscii(dup['CONTACT.FIRSTNAME']) || 'worker'}.${plainAscii(dup['CONTACT.LASTNAME']) || dup.EMPLOYEEID.toLowerCase()}2`;
    users.push({
      ...worker(dup, { email: undefined, username, contact: undefined }, users.length),
      comments: 'existing-tenant: duplicated: second worker for the same employee (no email, a resource)',
    });
  }
  const onlyHere = [
    { first_name: 'Sam', last_name: 'Tempest', email: 'sam.tempest@labour-hire.example.com', employment_type: 4, note: 'Assignar only: labour-hire worker' },
    { first_name: 'Lee', last_name: 'Legacy', employee_id: 'LEGACY-017', note: 'Assignar only: employee_id unknown to Sage Intacct' },
    { first_name: 'Tess', last_name: 'Trainee', email: 'tess.trainee@demo-construction.example.com', employment_type: 3, note: 'Assignar only: trainee' },
  ];
  for (const [i, o] of onlyHere.entries()) {
    const { note, ...rest } = o;
    users.push({
      user_type_id: WORKER_USER_TYPE_ID,
      username: rest.email ?? `${rest.first_name.toLowerCase()}.${rest.last_name.toLowerCase()}`,
      active: true,
      employment_type: 1,
      eula: 1,
      ...rest,
      ...stamp(users.length + i),
      comments: `existing-tenant: ${note}`,
    });
  }
  for (const u of users) for (const k of Object.keys(u)) if (u[k] === undefined) delete u[k];
  put(ctx, 'users', users);

  // Clients (Sage CUSTOMER).
  const customers = ((sage.CUSTOMER ?? []) as Sage[]).filter((c) => c.STATUS === 'active');
  const nameCount = new Map<string, number>();
  for (const c of customers) nameCount.set(c.NAME, (nameCount.get(c.NAME) ?? 0) + 1);
  const uniqueCustomers = customers.filter((c) => nameCount.get(c.NAME) === 1);
  const client = (c: Sage, extra: Record<string, unknown>, i: number, note: string): Record<string, unknown> => ({
    name: c.NAME,
    company_name: c.NAME,
    external_id: c.CUSTOMERID,
    email: c['DISPLAYCONTACT.EMAIL1'] || undefined,
    office_phone: c['DISPLAYCONTACT.PHONE1'] || undefined,
    address_1: c['DISPLAYCONTACT.MAILADDRESS.ADDRESS1'] || undefined,
    city: c['DISPLAYCONTACT.MAILADDRESS.CITY'] || undefined,
    state: c['DISPLAYCONTACT.MAILADDRESS.STATE'] || undefined,
    postcode: c['DISPLAYCONTACT.MAILADDRESS.ZIP'] || undefined,
    active: true,
    integration_id: null,
    ...stamp(i),
    ...extra,
    comments: `existing-tenant: ${note}`,
  });
  const clients: Array<Record<string, unknown>> = [];
  /** CUSTOMERID → the Assignar client id a project of that customer hangs under. */
  const clientFor = new Map<string, number>();
  const cAt = (i: number) => uniqueCustomers[i] as Sage | undefined;
  const addClient = (c: Sage | undefined, note: string, extra: Record<string, unknown> = {}) => {
    if (!c) return;
    clients.push(client(c, extra, clients.length, note));
  };
  addClient(cAt(0), 'match by external_id and name');
  addClient(cAt(1), 'match by external_id and name');
  addClient(cAt(2), 'match by name only (no external_id)', { external_id: undefined });
  addClient(cAt(3), 'edited in Assignar: name differs', { name: `${cAt(3)?.NAME} (old account)`, company_name: `${cAt(3)?.NAME} Inc.` });
  addClient(cAt(4), 'duplicated: first of two clients for one customer');
  addClient(cAt(4), 'duplicated: second client with the same name, no external_id', { external_id: undefined });
  addClient(cAt(5), 'archived in Assignar, active in Sage Intacct', { active: false });
  clients.push({ name: 'Walk-in Customers', company_name: 'Walk-in Customers', active: true, integration_id: null, ...stamp(clients.length), comments: 'existing-tenant: Assignar only' });
  clients.push({ name: 'TEST CLIENT - do not use', company_name: 'Test', active: true, integration_id: null, ...stamp(clients.length), comments: 'existing-tenant: Assignar only (test record)' });
  for (const c of clients) for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
  const clientIds = put(ctx, 'clients', clients);
  clients.forEach((c, i) => {
    const source = uniqueCustomers.find((s) => s.CUSTOMERID === c.external_id || (!c.external_id && s.NAME === c.name));
    if (source && !clientFor.has(source.CUSTOMERID)) clientFor.set(source.CUSTOMERID, clientIds[i]);
  });
  const walkIn = clientIds[clients.length - 2];

  // Projects (Sage PROJECT), preferring projects of customers that exist as clients here.
  const sageProjects = ((sage.PROJECT ?? []) as Sage[]).filter((p) => p.STATUS === 'active');
  const ordered = [...sageProjects.filter((p) => clientFor.has(p.CUSTOMERID)), ...sageProjects.filter((p) => !clientFor.has(p.CUSTOMERID))];
  const pAt = (i: number) => ordered[i] as Sage | undefined;
  const projects: Array<Record<string, unknown>> = [];
  const addProject = (p: Sage | undefined, note: string, extra: Record<string, unknown> = {}) => {
    if (!p) return;
    projects.push({
      name: p.NAME,
      external_id: p.PROJECTID,
      client_id: clientFor.get(p.CUSTOMERID),
      active: true,
      integration_id: null,
      ...stamp(projects.length),
      ...extra,
      _note: note,
    });
  };
  addProject(pAt(0), 'match by external_id and name');
  addProject(pAt(1), 'match by external_id and name');
  addProject(pAt(2), 'match by name only (no external_id)', { external_id: undefined });
  addProject(pAt(3), 'edited in Assignar: name differs', { name: `${pAt(3)?.NAME} - Stage 2` });
  addProject(pAt(4), 'duplicated: first of two projects for one Sage project');
  addProject(pAt(4), 'duplicated: second project with the same name, no external_id', { external_id: undefined });
  addProject(pAt(5), 'deleted in Assignar, active in Sage Intacct', { active: false, deleted_at: '2025-02-03T16:20:00.000Z', deleted_by_id: 1001 });
  projects.push({ name: 'Yard & Workshop', client_id: walkIn, active: true, integration_id: null, ...stamp(projects.length), _note: 'Assignar only: internal project' });
  projects.push({ name: 'Training Day', active: true, integration_id: null, ...stamp(projects.length), _note: 'Assignar only' });
  for (const p of projects) {
    delete p._note;
    for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
  }
  put(ctx, 'projects', projects);
  return { workers: users.length, clients: clients.length, projects: projects.length };
}
