import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { sageSeed } from '../../src/sandbox/sage';
import { apiCaller, controlCaller, type Call, type Loose } from './assignar-sandbox-http';

let sb: AssignarSandbox;
let call: Call;
let control: Call;
beforeAll(async () => {
  sb = await startAssignarSandbox({ seed: 'demo' });
  call = await apiCaller(sb);
  control = controlCaller(sb);
});
afterAll(async () => {
  await sb?.close();
});
beforeEach(async () => {
  await control('POST', 'reset');
});

describe('control API', () => {
  test('GET /_sandbox/ describes the sandbox: URLs, credentials, routes', async () => {
    const res = await control('GET', '');
    expect(res.body).toMatchObject({ sandbox: 'assignar', apiBase: sb.apiBase, tokenUrl: sb.tokenUrl, clientId: 'demo-client', clientSecret: 'demo-client-secret', seed: 'demo' });
    expect(res.body.routes).toContain('PUT /v2/timesheets/{timesheetId}/process');
  });

  test('GET stats: requests by method and path template, by status, writes per resource; DELETE stats clears them', async () => {
    await call('GET', '/users');
    await call('GET', '/users/1001');
    await call('GET', '/users/1001/');
    await call('POST', '/tasks', { name: 'Role' });
    await call('PUT', '/tasks/4001', { name: 'Role 2' });
    await call('GET', '/nope');
    const s = (await control('GET', 'stats')).body;
    expect(s.requests.byRoute).toMatchObject({ 'GET /v2/users': 1, 'GET /v2/users/{userId}': 2, 'POST /v2/tasks': 1, 'PUT /v2/tasks/{taskId}': 1, 'GET (unmatched)': 1 });
    expect(s.requests.byStatus).toMatchObject({ '200': 3, '201': 1, '204': 1, '404': 1 });
    expect(s.writes.tasks).toEqual({ creates: 1, updates: 1, deletes: 0 });
    expect(s).toMatchObject({
      http429: { total: 0, rate: 0, concurrency: 0 },
      rejectedForRate: 0,
      inFlight: 0,
      peakConcurrency: expect.any(Number),
      concurrency: { current: 0, peak: expect.any(Number), cap: 0 },
      faults: { errors: 0, timeouts: 0 },
      records: { users: 1, clients: 0, tasks: 1 },
    });
    await control('GET', 'records/users');
    expect((await control('GET', 'stats')).body.requests.total).toBe(s.requests.total);
    await control('DELETE', 'stats');
    expect((await control('GET', 'stats')).body.requests.total).toBe(0);
  });

  test('POST reset brings back the start-up seed and clears counters', async () => {
    await call('POST', '/clients/', { name: 'Temp', company_name: 'Temp' });
    expect((await control('GET', 'records/clients')).body).toHaveLength(1);
    const res = await control('POST', 'reset');
    expect(res.body).toMatchObject({ ok: true, reset: true, scale: 'demo', records: { clients: 0, users: 1, 'user-types': 3 } });
    expect((await control('GET', 'records/clients')).body).toEqual([]);
    expect((await control('GET', 'stats')).body.requests.total).toBe(0);
  });

  test('POST seed {"scale": ...}: none is an empty tenant, demo has the lookups and an admin', async () => {
    const none = await control('POST', 'seed', { scale: 'none' });
    expect(Object.values(none.body.records).every((n) => n === 0)).toBe(true);
    expect((await call('GET', '/users')).body).toEqual({ status: 200, data: [], count: 0 });
    // A new tenant has no user types: a worker cannot be created yet.
    expect((await call('POST', '/users', { user_type_id: 2, first_name: 'A', last_name: 'B' })).body.message).toBe('[400] Foreign Key Constraint Error - user_type_id');
    const demo = await control('POST', 'seed', { scale: 'demo' });
    expect(demo.body.records).toMatchObject({ users: 1, 'user-types': 3, 'employment-types': 4, 'asset-classes': 3, tags: 3, clients: 0, projects: 0 });
    expect((await control('POST', 'seed', { scale: 'large' })).status).toBe(400);
  });

  test('POST seed {"records": ...} upserts explicit records (lookups first), optionally from an empty tenant', async () => {
    const res = await control('POST', 'seed', {
      replace: true,
      records: {
        users: [{ id: 1500, user_type_id: 2, first_name: 'Pat', last_name: 'Doe', email: 'pat@example.com' }],
        'user-types': [{ id: 2, user_type: 'mobile', label: 'Worker' }],
        clients: [{ name: 'Explicit Client', company_name: 'Explicit' }],
      },
    });
    expect(res.body).toMatchObject({ ok: true, upserted: { users: 1, 'user-types': 1, clients: 1 }, records: { users: 1, clients: 1, 'user-types': 1 } });
    const u = (await call('GET', '/users/1500')).body.data;
    expect(u).toMatchObject({ id: 1500, full_name: 'Pat Doe', username: 'pat@example.com', active: true });
    // Sequences continue after explicit ids.
    expect((await call('POST', '/users', { user_type_id: 2, first_name: 'Next', last_name: 'One' })).body.data.id).toBe(1501);
    expect((await control('POST', 'seed', { records: { widgets: [] } })).status).toBe(400);
  });

  test('GET records/<type> returns every record with the API JSON (inactive and deleted too)', async () => {
    const c = await call('POST', '/clients/', { name: 'Gone', company_name: 'Gone' });
    await call('DELETE', `/clients/${c.body.data.id}`);
    const p = await call('POST', '/projects/', { name: 'Gone too' });
    await call('DELETE', `/projects/${p.body.data.id}`);
    const clients = (await control('GET', 'records/clients')).body;
    expect(clients).toEqual([(await call('GET', `/clients/${c.body.data.id}`)).body.data]);
    expect(clients[0].active).toBe(false);
    expect((await control('GET', 'records/projects')).body[0].deleted_at).toEqual(expect.any(String));
    expect((await control('GET', `records/clients/${c.body.data.id}`)).body.id).toBe(c.body.data.id);
    expect((await control('GET', 'records/widgets')).status).toBe(404);
    expect((await control('GET', 'records/clients/999')).status).toBe(404);
  });

  test('POST records/<type> creates or updates by id as a person in the app: no API validation, modified_time bumped', async () => {
    const created = await control('POST', 'records/users', [
      { user_type_id: 2, first_name: 'Manual', last_name: 'Entry', email: 'manual@example.com', employee_id: 'E9' },
      { user_type_id: 2, first_name: 'Twin', last_name: 'Entry', email: 'manual@example.com' },
    ]);
    expect(created.status).toBe(200);
    expect(created.body).toHaveLength(2);
    const [a, twin] = created.body as Loose[];
    expect(a).toMatchObject({ full_name: 'Manual Entry', modified_by: 'office.admin', tags: [], suppliers: [], tasks: [] });
    await new Promise((r) => setTimeout(r, 5));
    const edited = await control('POST', 'records/users', [{ id: a.id, contact: '(555) 010-0000', last_name: 'Edited' }]);
    expect(edited.body[0]).toMatchObject({ id: a.id, contact: '(555) 010-0000', last_name: 'Edited', full_name: 'Manual Edited', employee_id: 'E9' });
    expect(Date.parse(edited.body[0].modified_time)).toBeGreaterThan(Date.parse(a.modified_time));
    // The API sees the edit, and can filter on modified_time to find it.
    const since = await call('GET', `/users?modified_time__gt=${encodeURIComponent(twin.modified_time)}`);
    expect(since.body.data.map((u: Loose) => u.id)).toEqual([a.id]);
  });

  test('DELETE records/<type>/<id>: soft as the app does; ?hard=true removes the row', async () => {
    const [u] = (await control('POST', 'records/users', [{ user_type_id: 2, first_name: 'Del', last_name: 'Me' }])).body as Loose[];
    expect((await control('DELETE', `records/users/${u.id}`)).body).toMatchObject({ ok: true, hard: false });
    expect((await call('GET', `/users/${u.id}`)).body.data.active).toBe(false);
    expect((await control('DELETE', `records/users/${u.id}?hard=true`)).body).toMatchObject({ ok: true, hard: true });
    expect((await call('GET', `/users/${u.id}`)).status).toBe(404);
    expect((await control('DELETE', `records/users/${u.id}`)).status).toBe(404);
  });

  test('POST records/timesheets takes the expanded shape and derives durations and totals', async () => {
    const [u] = (await control('POST', 'records/users', [{ user_type_id: 2, first_name: 'Tim', last_name: 'Sheet', employee_id: 'E77' }])).body as Loose[];
    const [ts] = (
      await control('POST', 'records/timesheets', [
        {
          user_id: u.id,
          status: 'APPROVED',
          activity_entries: [
            { start_at: '2025-03-03T13:00:00.000Z', end_at: '2025-03-03T17:00:00.000Z', start_at_tz: 'America/Chicago' },
            { start_at: '2025-03-03T17:30:00.000Z', end_at: '2025-03-03T21:45:00.000Z', start_at_tz: 'America/Chicago' },
          ],
        },
      ])
    ).body as Loose[];
    expect(ts).toMatchObject({
      user_id: u.id,
      status: 'APPROVED',
      is_processed: false,
      start_time: '07:00',
      end_time: '15:45',
      total_time: '08:15',
      submitted_date: '2025-03-03',
      user: { user_id: u.id, employee_id: 'E77' },
    });
    expect(ts.activity_entries.map((e: Loose) => e.duration)).toEqual([240, 255]);
    expect((await call('PUT', `/timesheets/${ts.id}/process`)).status).toBe(200);
    expect((await control('POST', 'records/timesheets', [{ status: 'DONE' }])).status).toBe(400);
  });
});

describe('existing-tenant seed', () => {
  test('hand-made workers, clients and projects matching the Sage demo records by employee ID, email or name; duplicated, edited, Assignar-only', async () => {
    const res = await control('POST', 'seed', { scale: 'existing-tenant' });
    expect(res.status).toBe(200);
    const sage = sageSeed('demo');
    const employees = sage.EMPLOYEE;
    const byId = new Map(employees.map((e) => [e.EMPLOYEEID, e]));
    const byEmail = new Map(employees.filter((e) => e['CONTACT.EMAIL1']).map((e) => [e['CONTACT.EMAIL1'].toLowerCase(), e]));
    const byName = new Map(employees.map((e) => [`${e['CONTACT.FIRSTNAME']} ${e['CONTACT.LASTNAME']}`, e]));
    const workers = ((await call('GET', '/users?user_type_id=2')).body.data as Loose[]).filter((u) => u.id !== 1001);
    expect(workers.length).toBeGreaterThanOrEqual(12);
    const kind = (u: Loose) => {
      if (u.employee_id && byId.has(u.employee_id)) return 'employee_id';
      if (u.email && byEmail.has(u.email.toLowerCase())) return 'email';
      if (byName.has(`${u.first_name} ${u.last_name}`)) return 'name';
      return 'assignar-only';
    };
    const kinds = workers.map(kind);
    expect(kinds.filter((k) => k === 'employee_id').length).toBeGreaterThanOrEqual(5);
    expect(kinds).toContain('email');
    expect(kinds).toContain('name');
    expect(kinds.filter((k) => k === 'assignar-only').length).toBeGreaterThanOrEqual(2);
    // Two Assignar workers for one employee.
    const ids = workers.filter((u) => u.employee_id && byId.has(u.employee_id)).map((u) => u.employee_id);
    expect(ids.length).toBeGreaterThan(new Set(ids).size);
    // Edited: matched by employee_id but with a different phone or name.
    const edited = workers.filter((u) => {
      const e = u.employee_id && byId.get(u.employee_id);
      return e && (u.last_name !== e['CONTACT.LASTNAME'] || (u.contact ?? '') !== (e['CONTACT.PHONE1'] || e['CONTACT.CELLPHONE'] || ''));
    });
    expect(edited.length).toBeGreaterThanOrEqual(1);
    // No integration ids: these were made by hand.
    expect(workers.every((u) => u.integration_id === null)).toBe(true);

    const customers = new Map(sage.CUSTOMER.map((c) => [c.CUSTOMERID, c]));
    const clients = (await call('GET', '/clients/')).body.data as Loose[];
    expect(clients.filter((c) => c.external_id && customers.has(c.external_id)).length).toBeGreaterThanOrEqual(3);
    expect(clients.filter((c) => !c.external_id && sage.CUSTOMER.some((s) => s.NAME === c.name)).length).toBeGreaterThanOrEqual(1);
    expect(clients.some((c) => !sage.CUSTOMER.some((s) => s.NAME === c.name || s.CUSTOMERID === c.external_id))).toBe(true);
    const projects = (await call('GET', '/projects/')).body.data as Loose[];
    const sageProjects = new Map(sage.PROJECT.map((p) => [p.PROJECTID, p]));
    expect(projects.filter((p) => p.external_id && sageProjects.has(p.external_id)).length).toBeGreaterThanOrEqual(3);
    // A project's client is the Assignar client of its Sage customer.
    for (const p of projects.filter((x) => x.external_id && x.client)) {
      const sp = sageProjects.get(p.external_id)!;
      const cl = clients.find((c) => c.id === p.client_id)!;
      expect(cl.external_id === sp.CUSTOMERID || cl.name === customers.get(sp.CUSTOMERID)?.NAME).toBe(true);
    }
    // The generator works on this tenant too.
    expect(sb.simulateTimesheets({ seed: 1, days: 1, startDate: '2025-03-03' }).created).toBeGreaterThan(0);
  });

  test('startAssignarSandbox({seed: "existing-tenant"}) gives the same data', async () => {
    const other = await startAssignarSandbox({ seed: 'existing-tenant' });
    try {
      await control('POST', 'seed', { scale: 'existing-tenant' });
      expect(other.records('users')).toEqual(sb.records('users'));
      expect(other.records('projects')).toEqual(sb.records('projects'));
    } finally {
      await other.close();
    }
  });
});
