import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { apiCaller, http, type Call } from './assignar-sandbox-http';

let sb: AssignarSandbox;
let call: Call;
beforeAll(async () => {
  sb = await startAssignarSandbox({ seed: 'demo' });
  call = await apiCaller(sb);
});
afterAll(async () => {
  await sb?.close();
});
beforeEach(async () => {
  await sb.reset('demo');
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const tick = () => new Promise((r) => setTimeout(r, 5));

interface Case {
  resource: string;
  collection: string;
  item: (id: number) => string;
  body: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  change: Record<string, unknown>;
  createStatus: number;
  updateStatus: number;
  deleteStatus: number;
  modified: 'modified_time' | 'date_modified';
  /** What DELETE leaves behind. */
  deleted: Record<string, unknown>;
}

const cases: Case[] = [
  {
    resource: 'clients',
    collection: '/clients/',
    item: (id) => `/clients/${id}`,
    body: () => ({ name: 'Acme Construction', company_name: 'Acme Construction LLC', external_id: 'C-0001', integration_id: '11', email: 'ap@acme.example.com' }),
    change: { name: 'Acme Construction Co', company_name: 'Acme Construction LLC' },
    createStatus: 201,
    updateStatus: 204,
    deleteStatus: 204,
    modified: 'modified_time',
    deleted: { active: false },
  },
  {
    resource: 'projects',
    collection: '/projects/',
    item: (id) => `/projects/${id}`,
    body: async () => {
      const c = await call('POST', '/clients/', { name: 'Owner', company_name: 'Owner Inc' });
      return { name: 'Harbor Point Tower', client_id: c.body.data.id, external_id: 'P-0001', integration_id: '21' };
    },
    change: { name: 'Harbor Point Tower (Stage 1)' },
    createStatus: 200,
    updateStatus: 204,
    deleteStatus: 204,
    modified: 'modified_time',
    deleted: { active: false, deleted_at: expect.stringMatching(ISO), deleted_by_id: 0 },
  },
  {
    resource: 'tasks',
    collection: '/tasks',
    item: (id) => `/tasks/${id}`,
    body: () => ({ name: 'Carpenter', external_id: 'LAB-CARP', integration_id: '31' }),
    change: { name: 'Carpenter (Journeyman)' },
    createStatus: 201,
    updateStatus: 204,
    deleteStatus: 204,
    modified: 'modified_time',
    deleted: { active: false },
  },
  {
    resource: 'assets',
    collection: '/assets',
    item: (id) => `/assets/${id}`,
    body: () => ({ name: 'Skid Steer', external_id: 'EQ-SKID', integration_id: '41', active: true, make: 'Bobcat' }),
    change: { name: 'Skid Steer Loader', active: true },
    createStatus: 200,
    updateStatus: 200,
    deleteStatus: 200,
    modified: 'modified_time',
    deleted: { active: false, deleted_at: expect.stringMatching(ISO), deleted_by_id: 0 },
  },
  {
    resource: 'activities',
    collection: '/activities',
    item: (id) => `/activities/${id}`,
    body: () => ({ name: 'Labor', external_id: 'LAB', integration_id: '51' }),
    change: { name: 'Labor (Regular)' },
    createStatus: 201,
    updateStatus: 204,
    deleteStatus: 204,
    modified: 'date_modified',
    deleted: { active: false, deleted_at: expect.stringMatching(ISO), deleted_by_id: 0 },
  },
  {
    resource: 'users',
    collection: '/users',
    item: (id) => `/users/${id}`,
    body: () => ({ user_type_id: 2, employee_id: 'E1001', integration_id: '61', first_name: 'Ava', last_name: 'Lopez', email: 'ava.lopez@example-builders.com', employment_type: 1 }),
    change: { contact: '(312) 555-0199' },
    createStatus: 200,
    updateStatus: 200,
    deleteStatus: 204,
    modified: 'modified_time',
    deleted: { active: false },
  },
  {
    resource: 'orders',
    collection: '/orders',
    item: (id) => `/orders/${id}`,
    body: async () => {
      const c = await call('POST', '/clients/', { name: 'Owner', company_name: 'Owner Inc' });
      const p = await call('POST', '/projects/', { name: 'Site', client_id: c.body.data.id });
      return { client_id: c.body.data.id, project_id: p.body.data.id, order_owner: 1001, start_date: '2025-03-01', end_date: '2025-09-30', job_number: 'P-0001-01', integration_id: '71' };
    },
    change: { client_id: 0, order_owner: 1001, start_date: '2025-03-01', end_date: '2025-10-31' },
    createStatus: 201,
    updateStatus: 204,
    deleteStatus: 204,
    modified: 'modified_time',
    deleted: { active: false },
  },
];

describe.each(cases)('$resource CRUD over HTTP', (c) => {
  test('create → get → list → update → delete, with the spec status codes and envelopes', async () => {
    const body = await c.body();
    const created = await call('POST', c.collection, body);
    expect(created.status).toBe(c.createStatus);
    expect(created.body.status).toBe(201);
    const data = created.body.data;
    expect(Number.isInteger(data.id)).toBe(true);
    for (const [k, v] of Object.entries(body)) expect(data[k]).toEqual(v);
    expect(data[c.modified]).toMatch(ISO);
    const id = data.id as number;

    const got = await call('GET', c.item(id));
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ status: 200, data: { id } });
    for (const [k, v] of Object.entries(body)) expect(got.body.data[k]).toEqual(v);

    const listed = await call('GET', c.collection);
    expect(listed.status).toBe(200);
    expect(listed.body.status).toBe(200);
    expect(listed.body.data.map((r: { id: number }) => r.id)).toContain(id);
    expect(listed.body.count).toBe(listed.body.data.length);

    await tick();
    const change = { ...c.change };
    if ('client_id' in change) change.client_id = body.client_id;
    const updated = await call('PUT', c.item(id), change);
    expect(updated.status).toBe(c.updateStatus);
    if (c.updateStatus === 204) expect(updated.text).toBe('');
    else expect(updated.body).toEqual({ status: 204 });
    const after = (await call('GET', c.item(id))).body.data;
    for (const [k, v] of Object.entries(change)) expect(after[k]).toEqual(v);
    expect(Date.parse(after[c.modified])).toBeGreaterThan(Date.parse(got.body.data[c.modified]));

    await tick();
    const deleted = await call('DELETE', c.item(id));
    expect(deleted.status).toBe(c.deleteStatus);
    if (c.deleteStatus === 204) expect(deleted.text).toBe('');
    else expect(deleted.body).toEqual({ status: 204 });
    const gone = await call('GET', c.item(id));
    expect(gone.status).toBe(200);
    expect(gone.body.data).toMatchObject(c.deleted);
    expect(Date.parse(gone.body.data[c.modified])).toBeGreaterThan(Date.parse(after[c.modified]));
    const stats = sb.stats();
    expect(stats.writes[c.resource]).toMatchObject({ creates: expect.any(Number), updates: 1, deletes: 1 });
  });

  test('unknown id → 404 with the API error shape; PUT and DELETE too', async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', await c.body()],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(method, c.item(987654), body);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ errorType: expect.any(String), errorMessage: expect.stringMatching(/^\[404\] Object Not Found - [A-Za-z]+ \(id:987654\)$/), trace: [] });
    }
  });

  test('ids are integers assigned in sequence', async () => {
    const a = await call('POST', c.collection, await c.body());
    const b = await call('POST', c.collection, await c.body());
    if (c.resource === 'users') {
      // The same email among active workers is refused; the second user needs another.
      expect(b.status).toBe(400);
      const other = await call('POST', c.collection, { ...(await c.body()), email: 'other@example-builders.com' });
      expect(other.body.data.id).toBe(a.body.data.id + 1);
      return;
    }
    expect(b.body.data.id).toBe(a.body.data.id + 1);
  });
});

describe('request validation against the spec request schemas', () => {
  test('an empty body → 400 "Missing payload."; invalid JSON → 400', async () => {
    for (const path of ['/clients/', '/users', '/tasks']) {
      const empty = await call('POST', path, {});
      expect(empty.status).toBe(400);
      expect(empty.body).toEqual({ message: '[400] Missing payload.' });
    }
    const bad = await call('POST', '/tasks', '{"name": ');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^\[400\] /);
  });

  test('missing required fields and wrong types → 400 {message: "[400] ..."}', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['/clients/', { name: 'No company name' }, /company_name/],
      ['/clients/', { name: 'A', company_name: 'A', email: null }, /email/],
      ['/tasks', { external_id: 'X' }, /name/],
      ['/tasks', { name: 'Role', req_machines: 'yes' }, /req_machines/],
      ['/activities', { name: 7 }, /name/],
      ['/assets', { description: 'no name' }, /name/],
      ['/assets', { name: 'A', attachments: 'none' }, /attachments/],
      ['/orders', { client_id: 1, order_owner: 1001, start_date: '2025-01-01' }, /end_date/],
      ['/users', { user_type_id: 2, first_name: 'No', last_name: 'Type', tasks: 'x' }, /tasks/],
      ['/users', { first_name: 'No', last_name: 'Type' }, /user_type_id/],
      ['/users', { user_type_id: '2', first_name: 'A', last_name: 'B' }, /user_type_id/],
      ['/projects/', { name: 'P', client_id: 'one' }, /client_id/],
      ['/projects/', { client_id: 1 }, /name/],
    ];
    for (const [path, body, field] of cases) {
      const res = await call('POST', path, body);
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
      expect(res.body.message).toMatch(/^\[400\] /);
      expect(res.body.message).toMatch(field);
    }
  });

  test('nullable fields accept null (integration_id), read-only fields are ignored, unknown fields dropped and counted', async () => {
    const res = await call('POST', '/tasks', { name: 'Welder', integration_id: null, id: 5, modified_time: '2000-01-01T00:00:00.000Z', colour: 'blue' });
    expect(res.status).toBe(201);
    expect(res.body.data.id).not.toBe(5);
    expect(res.body.data.integration_id).toBeNull();
    expect(res.body.data.modified_time).not.toBe('2000-01-01T00:00:00.000Z');
    expect(res.body.data).not.toHaveProperty('colour');
    const u = await call('POST', '/users', { user_type_id: 2, first_name: 'Ex', last_name: 'Ternal', external_id: 'E1' });
    expect(u.status).toBe(200);
    expect((await call('GET', `/users/${u.body.data.id}`)).body.data).not.toHaveProperty('external_id');
    expect(sb.stats().ignoredFields).toMatchObject({ 'tasks.colour': 1, 'users.external_id': 1 });
  });

  test('PUT validates against the same schema (required fields included)', async () => {
    const c = await call('POST', '/clients/', { name: 'A', company_name: 'A Co' });
    const res = await call('PUT', `/clients/${c.body.data.id}`, { name: 'B' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/company_name/);
  });
});

describe('users', () => {
  const worker = { user_type_id: 2, first_name: 'Joe', last_name: 'Smith', email: 'joe.smith@example.com' };

  test('create echoes sent fields plus id, defaults and audit values; username defaults to the email', async () => {
    const res = await call('POST', '/users', { ...worker, tasks: [], tags: [{ tag_id: 301 }], suppliers: [] });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      id: expect.any(Number),
      ...worker,
      active: true,
      full_name: 'Joe Smith',
      username: 'joe.smith@example.com',
      tags: [{ tag_id: '301' }],
      tasks: [],
      suppliers: [],
      modified_by: expect.any(String),
      modified_time: expect.stringMatching(ISO),
    });
    const got = (await call('GET', `/users/${res.body.data.id}`)).body.data;
    expect(got.tags).toEqual([{ tag_id: 301, name: 'HEAVY VEHICLES', description: null, color: '#009688' }]);
    expect(got.suppliers).toEqual([]);
  });

  test('a worker without email gets a first.last username (a resource without mobile access)', async () => {
    const res = await call('POST', '/users', { user_type_id: 2, first_name: 'Ana', last_name: "O'Brien" });
    expect(res.body.data.username).toBe('ana.obrien');
  });

  test('unique email among ACTIVE users of the same user type', async () => {
    const a = await call('POST', '/users', worker);
    expect(a.status).toBe(200);
    const dup = await call('POST', '/users', { ...worker, first_name: 'Joseph', email: 'JOE.SMITH@example.com' });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ message: '[400] Unique Constraint Error - email' });
    // Another user type may hold the same email.
    expect((await call('POST', '/users', { ...worker, user_type_id: 3 })).status).toBe(200);
    // An inactive worker does not block it; reactivating into a clash is refused.
    expect((await call('PUT', `/users/${a.body.data.id}`, { active: false })).status).toBe(200);
    const b = await call('POST', '/users', worker);
    expect(b.status).toBe(200);
    const back = await call('PUT', `/users/${a.body.data.id}`, { active: true });
    expect(back.status).toBe(400);
    expect(back.body.message).toBe('[400] Unique Constraint Error - email');
    // Changing an email into a clash is refused too.
    const c = await call('POST', '/users', { ...worker, email: 'other@example.com' });
    expect((await call('PUT', `/users/${c.body.data.id}`, { email: 'joe.smith@example.com' })).body.message).toBe('[400] Unique Constraint Error - email');
  });

  test('foreign keys: user type, employment type, tasks, tags; unknown suppliers', async () => {
    expect((await call('POST', '/users', { ...worker, user_type_id: 99 })).body.message).toBe('[400] Foreign Key Constraint Error - user_type_id');
    expect((await call('POST', '/users', { ...worker, employment_type: 42 })).body.message).toBe('[400] Foreign Key Constraint Error - employment_type');
    expect((await call('POST', '/users', { ...worker, tasks: [{ task_id: 4999 }] })).body.message).toBe('[400] Foreign Key Constraint Error - task_id');
    expect((await call('POST', '/users', { ...worker, tags: [{ tag_id: 9 }] })).body.message).toBe('[400] Foreign Key Constraint Error - tag_id');
    expect((await call('POST', '/users', { ...worker, suppliers: [{ supplier_id: 28 }] })).body.message).toMatch(/^\[400\] Unknown supplier_id: 28/);
  });

  test('tasks (roles) are linked and rendered with name and external_id', async () => {
    const t = await call('POST', '/tasks', { name: 'Crane Operator', external_id: 'LAB-CRANE' });
    const u = await call('POST', '/users', { ...worker, tasks: [{ task_id: t.body.data.id }] });
    expect(u.body.data.tasks).toEqual([{ task_id: t.body.data.id }]);
    expect((await call('GET', `/users/${u.body.data.id}`)).body.data.tasks).toEqual([{ task_id: String(t.body.data.id), name: 'Crane Operator', external_id: 'LAB-CRANE' }]);
  });
});

describe('projects, orders, assets', () => {
  test("a project's client_id and parent_id must exist; GET adds client, parent, sub_projects", async () => {
    expect((await call('POST', '/projects/', { name: 'P', client_id: 2999 })).body).toEqual({ message: '[400] Foreign Key Constraint Error - client_id' });
    const c = await call('POST', '/clients/', { name: 'Owner', company_name: 'Owner Inc', external_id: 'C-9' });
    const parent = await call('POST', '/projects/', { name: 'Campus', client_id: c.body.data.id, external_id: 'P-1' });
    expect((await call('POST', '/projects/', { name: 'Child', parent_id: 3999 })).body.message).toBe('[400] Foreign Key Constraint Error - parent_id');
    const child = await call('POST', '/projects/', { name: 'Building A', client_id: c.body.data.id, parent_id: parent.body.data.id, activities: [] });
    const got = (await call('GET', `/projects/${child.body.data.id}`)).body.data;
    expect(got.client).toEqual({ id: c.body.data.id, name: 'Owner', external_id: 'C-9' });
    expect(got.parent).toEqual({ id: parent.body.data.id, name: 'Campus', external_id: 'P-1' });
    expect(got.root_path).toBe(`${parent.body.data.id}.${child.body.data.id}`);
    expect((await call('GET', `/projects/${parent.body.data.id}`)).body.data.sub_projects).toEqual([{ id: child.body.data.id, name: 'Building A' }]);
    expect((await call('PUT', `/projects/${child.body.data.id}`, { client_id: 2999 })).body.message).toBe('[400] Foreign Key Constraint Error - client_id');
  });

  test("an order's project_id, client_id and order_owner must exist", async () => {
    const c = await call('POST', '/clients/', { name: 'Owner', company_name: 'Owner Inc' });
    const base = { client_id: c.body.data.id, order_owner: 1001, start_date: '2025-01-01', end_date: '2025-02-01' };
    expect((await call('POST', '/orders', { ...base, project_id: 3999 })).body.message).toBe('[400] Foreign Key Constraint Error - project_id');
    expect((await call('POST', '/orders', { ...base, client_id: 2999 })).body.message).toBe('[400] Foreign Key Constraint Error - client_id');
    expect((await call('POST', '/orders', { ...base, order_owner: 1999 })).body.message).toBe('[400] Foreign Key Constraint Error - order_owner');
    const ok = await call('POST', '/orders', base);
    expect(ok.status).toBe(201);
    expect(ok.body.data).toMatchObject({ active: true, status_id: 1, type_id: 1, date_created: expect.stringMatching(ISO) });
  });

  test('assets: active defaults to false when not sent (the request schema default), asset class FK, attachments always echoed', async () => {
    const a = await call('POST', '/assets', { name: 'Light Tower' });
    expect(a.body.data).toMatchObject({ active: false, attachments: [] });
    expect((await call('POST', '/assets', { name: 'X', asset_class_id: 77 })).body.message).toBe('[400] Foreign Key Constraint Error - asset_class_id');
    expect((await call('POST', '/assets', { name: 'X', attachments: [{ attachment_id: 2 }] })).body.message).toMatch(/^\[400\] Unknown attachment_id: 2\./);
    const b = await call('POST', '/assets', { name: 'Dozer', asset_class_id: 1, tags: [{ tag_id: 302 }], active: true });
    const got = (await call('GET', `/assets/${b.body.data.id}`)).body.data;
    expect(got.assetClass).toEqual({ id: 1, name: 'Heavy Machinery', description: 'Large construction equipment', code: 'HEAVY-MACH' });
    expect(got.tags).toEqual([{ tag_id: 302, name: 'GPS TRACKED', description: 'Telematics fitted', color: '#795548' }]);
    expect(b.body.data.tags).toEqual([{ tag_id: '302' }]);
  });

  test('reactivating a soft-deleted asset clears deleted_at', async () => {
    const a = await call('POST', '/assets', { name: 'Pump', active: true });
    await call('DELETE', `/assets/${a.body.data.id}`);
    expect((await call('GET', `/assets/${a.body.data.id}`)).body.data.deleted_at).toMatch(ISO);
    await call('PUT', `/assets/${a.body.data.id}`, { name: 'Pump', active: true });
    expect((await call('GET', `/assets/${a.body.data.id}`)).body.data).toMatchObject({ active: true, deleted_at: null, deleted_by_id: null });
  });
});

describe('paths as the spec spells them', () => {
  test('trailing slashes: /clients/ and /projects/ as in the spec, and the other form, both work', async () => {
    for (const path of ['/clients', '/clients/', '/projects', '/projects/', '/users/', '/tasks/']) {
      expect((await call('GET', path)).status).toBe(200);
    }
    const c = await call('POST', '/clients', { name: 'N', company_name: 'N' });
    expect(c.status).toBe(201);
    expect((await call('GET', `/clients/${c.body.data.id}/`)).status).toBe(200);
    expect(sb.stats().requests.byRoute['GET /v2/clients/']).toBeGreaterThanOrEqual(2);
  });

  test('lookups: user types and employment types (GET only)', async () => {
    const types = await call('GET', '/user-types');
    expect(types.body.data.map((t: { id: number }) => t.id)).toEqual([1, 2, 3]);
    expect((await call('GET', '/user-types/2')).body.data).toMatchObject({ id: 2, user_type: 'mobile' });
    expect((await call('GET', '/employment-types')).body.data[0]).toEqual({ id: 1, name: 'Full Time' });
    expect((await call('POST', '/user-types', { user_type: 'x', label: 'y' })).status).toBe(404);
  });

  test('an unknown route → 404; a non-integer id → 404 Object Not Found', async () => {
    expect((await call('GET', '/suppliers')).status).toBe(404);
    const res = await call('GET', '/users/abc');
    expect(res.status).toBe(404);
    expect(res.body.errorMessage).toBe('[404] Object Not Found - User (id:abc)');
    expect((await http(`${sb.baseUrl}/v3/users`)).status).toBe(404);
  });
});
