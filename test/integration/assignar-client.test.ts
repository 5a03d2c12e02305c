import {
  AssignarBadRequestError,
  AssignarClient,
  AssignarForeignKeyError,
  AssignarNotFoundError,
  AssignarTransientError,
  AssignarUniqueConstraintError,
  type AssignarClientOptions,
  type UserWrite,
} from '../../src/assignar';
import { AssignarConfigSchema, type AssignarConfig } from '../../src/config/schema';
import { startAssignarSandbox, type AssignarSandbox, type StatsSnapshot } from '../../src/sandbox/assignar';

/**
 * The Assignar client against the Assignar sandbox over real HTTP (the sandbox listens on a random port in
 * this process; nothing is mocked). Every figure asserted on the server side comes from the sandbox's own
 * counters and tables, not from the client, so a client that retried a conflict, dropped a 429 or lost a
 * write would be caught here.
 */

const DEMO_ADMIN_ID = 1001;
const WORKER = 2;

let sb: AssignarSandbox;
const clients: AssignarClient[] = [];

beforeAll(async () => {
  sb = await startAssignarSandbox({ port: 0, seed: 'demo' });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sb?.close();
});
beforeEach(async () => {
  sb.resetFaults();
  await sb.reset('demo');
});

function config(over: Partial<Record<keyof AssignarConfig, unknown>> = {}): AssignarConfig {
  return AssignarConfigSchema.parse({
    apiBase: sb.apiBase,
    tokenUrl: sb.tokenUrl,
    clientId: sb.credentials.clientId,
    clientSecret: { env: 'ASSIGNAR_CLIENT_SECRET' },
    requestsPerSecond: 500,
    concurrency: 8,
    pageSize: 50,
    requestTimeoutMs: 5000,
    maxRetries: 6,
    ...over,
  });
}

function client(over: Partial<Record<keyof AssignarConfig, unknown>> = {}, options: AssignarClientOptions = {}): AssignarClient {
  const c = new AssignarClient(config(over), { clientSecret: sb.credentials.clientSecret }, { backoff: { baseMs: 20, capMs: 200 }, ...options });
  clients.push(c);
  return c;
}

/** Requests the sandbox counted on one route: method and the spec's path template under /v2. */
function routeCount(s: StatsSnapshot, route: string): number {
  const [method, path] = route.split(' ');
  return s.requests.byRoute[`${method} /v2${path}`] ?? 0;
}

/** Every API request the sandbox counted, token requests excluded. */
function apiRequests(s: StatsSnapshot): number {
  return Object.entries(s.requests.byRoute)
    .filter(([route]) => !route.includes('/oauth2/'))
    .reduce((n, [, v]) => n + v, 0);
}

function worker(i: number, over: Partial<UserWrite> = {}): UserWrite {
  const n = String(i).padStart(4, '0');
  return {
    user_type_id: WORKER,
    employee_id: `E${n}`,
    integration_id: String(5000 + i),
    first_name: `First${n}`,
    last_name: `Last${n}`,
    email: `worker.${n}@example-builders.com`,
    username: `worker.${n}@example-builders.com`,
    employment_type: 1,
    active: true,
    ...over,
  };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('create, update and list every resource the product writes', () => {
  test('clients, projects, tasks, assets, activities, workers and orders', async () => {
    const c = client();

    const cl = await c.clients.create({ name: 'Acme Construction', company_name: 'Acme Construction LLC', external_id: 'C-0001', integration_id: '11', active: true });
    expect(cl).toMatchObject({ id: expect.any(Number), name: 'Acme Construction', external_id: 'C-0001', integration_id: '11' });
    await sleep(5);
    await c.clients.update(cl.id, { name: 'Acme Construction Co', company_name: 'Acme Construction LLC', external_id: 'C-0001', integration_id: '11', active: true });
    const clAfter = await c.clients.get(cl.id);
    expect(clAfter.name).toBe('Acme Construction Co');
    expect(Date.parse(clAfter.modified_time!)).toBeGreaterThan(Date.parse(cl.modified_time!));

    const pr = await c.projects.create({ name: 'Harbor Point Tower', client_id: cl.id, external_id: 'P-0001', integration_id: '21', state: 'IL', active: true });
    expect(pr).toMatchObject({ id: expect.any(Number), client_id: cl.id, name: 'Harbor Point Tower' });
    await c.projects.update(pr.id, { name: 'Harbor Point Tower (Stage 1)', client_id: cl.id, external_id: 'P-0001', integration_id: '21', state: 'IL', active: true });
    const prAfter = await c.projects.get(pr.id);
    expect(prAfter).toMatchObject({ name: 'Harbor Point Tower (Stage 1)', client_id: cl.id, client: { id: cl.id, name: 'Acme Construction Co' } });

    const task = await c.tasks.create({ name: 'Carpenter', external_id: 'LAB-CARP', integration_id: '31', active: true });
    await c.tasks.update(task.id, { name: 'Carpenter (Journeyman)', external_id: 'LAB-CARP', integration_id: '31', active: true });
    expect((await c.tasks.get(task.id)).name).toBe('Carpenter (Journeyman)');

    // The asset request body defaults `active` to false: the product always sends it.
    const asset = await c.assets.create({ name: 'Skid Steer', external_id: 'EQ-SKID', integration_id: '41', make: 'Bobcat', active: true });
    expect(asset.active).toBe(true);
    await c.assets.update(asset.id, { name: 'Skid Steer Loader', external_id: 'EQ-SKID', integration_id: '41', make: 'Bobcat', active: true });
    expect(await c.assets.get(asset.id)).toMatchObject({ name: 'Skid Steer Loader', active: true });

    const act = await c.activities.create({ name: 'Labor', external_id: 'LAB', integration_id: '51', active: true });
    await c.activities.update(act.id, { name: 'Labor (Regular)', external_id: 'LAB', integration_id: '51', active: true });
    const actAfter = await c.activities.get(act.id);
    expect(actAfter.name).toBe('Labor (Regular)');
    expect(actAfter.date_modified).toEqual(expect.any(String));

    const w = await c.users.create(worker(1));
    expect(w).toMatchObject({ id: expect.any(Number), user_type_id: WORKER, employee_id: 'E0001', email: 'worker.0001@example-builders.com' });
    await c.users.update(w.id, { ...worker(1), contact: '(312) 555-0199' });
    expect(await c.users.get(w.id)).toMatchObject({ contact: '(312) 555-0199', full_name: 'First0001 Last0001', active: true });

    // The demo seed's administrator (user 1001) owns the work orders.
    const order = { client_id: cl.id, project_id: pr.id, order_owner: DEMO_ADMIN_ID, start_date: '2025-03-01', end_date: '2025-09-30', job_number: 'P-0001-01', integration_id: '71' };
    const o = await c.orders.create(order);
    expect(o).toMatchObject({ id: expect.any(Number), client_id: cl.id, project_id: pr.id, order_owner: DEMO_ADMIN_ID });
    await c.orders.update(o.id, { ...order, end_date: '2025-10-31', job_description: 'Level 3 framing' });
    expect(await c.orders.get(o.id)).toMatchObject({ end_date: '2025-10-31', job_description: 'Level 3 framing', project_id: pr.id });

    // The sandbox's own tables hold exactly what the client wrote: one record each, updated once.
    const s = sb.stats();
    for (const resource of ['clients', 'projects', 'tasks', 'assets', 'activities', 'users', 'orders']) {
      expect(s.writes[resource]).toMatchObject({ creates: 1, updates: 1 });
    }
    expect(sb.records('orders')).toEqual([expect.objectContaining({ id: o.id, job_description: 'Level 3 framing' })]);
    expect(sb.records('users').filter((u) => u.user_type_id === WORKER)).toEqual([expect.objectContaining({ id: w.id, contact: '(312) 555-0199' })]);

    // Lists see the records, with a filter on integration_id (how the product finds what it made).
    expect((await c.projects.listAll({ filter: { integration_id: '21' } })).map((p) => p.id)).toEqual([pr.id]);
    expect((await c.orders.listAll({ filter: { project_id: pr.id } })).map((x) => x.id)).toEqual([o.id]);
    expect((await c.activities.listAll({ filter: { external_id: 'LAB' } })).map((x) => x.id)).toEqual([act.id]);
    expect((await c.assets.listAll({ filter: { active: true } })).map((x) => x.id)).toEqual([asset.id]);
    expect((await c.tasks.listAll()).map((x) => x.id)).toEqual([task.id]);
    expect((await c.clients.listAll({ filter: { name: { starts_with: 'Acme' } } })).map((x) => x.id)).toEqual([cl.id]);
    expect(c.stats()).toMatchObject({ retries: 0, failures: 0, http429: 0, http5xx: 0, tokenRequests: 1 });
  });

  test('get of a missing record is a typed not-found', async () => {
    const c = client();
    const err = await rejection(c.users.get(987654));
    expect(err).toBeInstanceOf(AssignarNotFoundError);
    expect(err).toMatchObject({ status: 404, retryable: false });
  });
});

describe('listing: paging, stable sort, filters, fields', () => {
  const N = 23;
  let c: AssignarClient;
  let ids: number[];

  beforeEach(async () => {
    c = client({ pageSize: 5 });
    // Last names repeat (three families), so sorting by last_name needs a tie-breaker to be stable.
    const bodies = Array.from({ length: N }, (_, i) => worker(i + 1, { last_name: ['Nguyen', 'Okafor', 'Adams'][i % 3] }));
    const results = await c.users.createMany(bodies);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    ids = results.map((r) => (r.status === 'fulfilled' ? r.value : NaN));
    expect(new Set(ids).size).toBe(N);
  });

  test('pages smaller than the set: every worker exactly once, in a stable order, in ⌈N/size⌉ requests', async () => {
    sb.resetStats();
    const pages = [];
    for await (const page of c.users.pages({ filter: { user_type_id: WORKER }, sort: ['last_name'] })) pages.push(page);
    // 23 workers in pages of 5: 5, 5, 5, 5, 3 (the short page ends the listing).
    expect(pages.map((p) => p.items.length)).toEqual([5, 5, 5, 5, 3]);
    expect(routeCount(sb.stats(), 'GET /users')).toBe(5);
    const got = pages.flatMap((p) => p.items);
    expect(got.map((u) => u.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    // last_name, then id (the client adds it): ties keep the same order on every page.
    const expected = sb
      .records('users')
      .filter((u) => u.user_type_id === WORKER)
      .sort((a, b) => String(a.last_name).localeCompare(String(b.last_name)) || (a.id as number) - (b.id as number))
      .map((u) => u.id);
    expect(got.map((u) => u.id)).toEqual(expected);

    // A listing resumed from a serialised cursor continues where it stopped.
    const resumed = [];
    for await (const page of c.users.pages({ filter: { user_type_id: WORKER }, sort: ['last_name'] }, { start: JSON.parse(JSON.stringify(pages[2].next)) })) {
      resumed.push(...page.items.map((u) => u.id));
    }
    expect(resumed).toEqual(expected.slice(15));

    // Descending, through the item iterator.
    const desc = [];
    for await (const u of c.users.items({ filter: { user_type_id: WORKER }, sort: ['-employee_id'] })) desc.push(u.employee_id);
    expect(desc).toEqual([...desc].sort().reverse());
    expect(desc).toHaveLength(N);
  });

  test('filters with __ operators', async () => {
    const list = async (filter: Parameters<typeof c.users.listAll>[0]) => (await c.users.listAll(filter)).map((u) => u.employee_id).sort();
    expect(await list({ filter: { employee_id: { in: ['E0003', 'E0007', 'E9999'] } } })).toEqual(['E0003', 'E0007']);
    expect(await list({ filter: { employee_id: { between: ['E0010', 'E0012'] } } })).toEqual(['E0010', 'E0011', 'E0012']);
    expect(await list({ filter: { user_type_id: WORKER, employee_id: { gte: 'E0021' } } })).toEqual(['E0021', 'E0022', 'E0023']);
    expect(await list({ filter: { user_type_id: WORKER, last_name: { ne: 'Nguyen' }, employee_id: { lt: 'E0007' } } })).toEqual(['E0002', 'E0003', 'E0005', 'E0006']);
    expect(await list({ filter: { email: { ends_with: '0013@example-builders.com' } } })).toEqual(['E0013']);
    expect(await list({ filter: { first_name: { substring: 'rst001' } } })).toEqual(['E0010', 'E0011', 'E0012', 'E0013', 'E0014', 'E0015', 'E0016', 'E0017', 'E0018', 'E0019']);
    expect((await c.users.listAll({ filter: { user_type_id: { not_in: [WORKER] } } })).map((u) => u.id)).toEqual([DEMO_ADMIN_ID]);
    expect(await list({ filter: { user_type_id: WORKER, employee_id: { is: null } } })).toEqual([]);
    // A timestamp comparison: everything was modified after a minute ago, nothing after a minute from now.
    const minute = 60_000;
    expect(await list({ filter: { user_type_id: WORKER, modified_time: { gt: new Date(Date.now() - minute) } } })).toHaveLength(N);
    expect(await list({ filter: { user_type_id: WORKER, modified_time: { gt: new Date(Date.now() + minute) } } })).toEqual([]);
  });

  test('fields selection returns only the fields asked for (and id)', async () => {
    const page = await c.users.listPage({ filter: { user_type_id: WORKER }, fields: ['employee_id', 'email'] });
    expect(page.items).toHaveLength(5);
    for (const u of page.items) expect(Object.keys(u).sort()).toEqual(['email', 'employee_id', 'id']);
  });
});

describe('conflicts surface as typed errors and are not retried', () => {
  test('a second active worker with the same email (other case) → AssignarUniqueConstraintError on email, one attempt', async () => {
    const c = client();
    await c.users.create(worker(1));
    const before = routeCount(sb.stats(), 'POST /users');
    const err = await rejection(c.users.create(worker(2, { email: 'WORKER.0001@example-builders.com' })));
    expect(err).toBeInstanceOf(AssignarUniqueConstraintError);
    expect(err).toMatchObject({ field: 'email', status: 400, retryable: false, outcomeUnknown: false });
    expect(routeCount(sb.stats(), 'POST /users') - before).toBe(1);
    expect(c.stats()).toMatchObject({ retries: 0, failures: 1 });
    expect(sb.records('users').filter((u) => u.user_type_id === WORKER)).toHaveLength(1);
  });

  test('a project whose client does not exist → AssignarForeignKeyError on client_id, one attempt', async () => {
    const c = client();
    await c.authenticate();
    const before = routeCount(sb.stats(), 'POST /projects/');
    const err = await rejection(c.projects.create({ name: 'Orphan', client_id: 987654, integration_id: '99', active: true }));
    expect(err).toBeInstanceOf(AssignarForeignKeyError);
    expect(err).toMatchObject({ field: 'client_id', status: 400, retryable: false });
    expect(routeCount(sb.stats(), 'POST /projects/') - before).toBe(1);
    expect(c.stats()).toMatchObject({ retries: 0, failures: 1 });
    expect(sb.records('projects')).toEqual([]);
  });

  test('createMany: the conflicting items fail with their typed error, the others are created', async () => {
    const c = client();
    const bodies = [worker(1), worker(2), worker(3, { email: 'worker.0001@example-builders.com' }), worker(4)];
    const results = await c.users.createMany(bodies);
    // Items 0 and 2 share an email: whichever the server saw second is refused (they run concurrently).
    expect(results[1].status).toBe('fulfilled');
    expect(results[3].status).toBe('fulfilled');
    const pair = [results[0], results[2]];
    expect(pair.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = pair.find((r) => r.status === 'rejected')!;
    expect(failed.status === 'rejected' && failed.error).toBeInstanceOf(AssignarUniqueConstraintError);
    expect(routeCount(sb.stats(), 'POST /users')).toBe(4);
    expect(sb.records('users').filter((u) => u.user_type_id === WORKER)).toHaveLength(3);
  });
});

describe('429 with Retry-After: the client backs off and completes', () => {
  test('a tenant limit well below the client’s configured rate: every create succeeds once, no duplicates', async () => {
    const N = 40;
    // The sandbox allows 10 requests/s (bucket of 10); the client is configured for 200/s, so it bounces.
    sb.setFaults({ requestsPerSecond: 10 });
    sb.resetStats();
    const c = client({ requestsPerSecond: 200, concurrency: 8, maxRetries: 10 });
    const results = await c.users.createMany(Array.from({ length: N }, (_, i) => worker(i + 1)));

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const s = sb.stats();
    const cs = c.stats();
    expect(s.http429.rate).toBeGreaterThan(0);
    expect(cs.http429).toBeGreaterThan(0);
    // Both sides count the same responses; every 429 was retried, and nothing else was.
    expect(cs.http429).toBe(s.http429.total);
    expect(cs.retries).toBe(cs.http429);
    expect(cs.failures).toBe(0);
    // Users are created with HTTP 200 (body status 201); the token answers count as 200s too.
    expect(s.requests.byStatus['200']).toBe(N + s.tokens.issued);
    expect(s.writes.users.creates).toBe(N);
    expect(routeCount(s, 'POST /users')).toBe(N + s.http429.total);
    // Retry-After (1 s) is honoured for the whole connection: after a 429 the client sends nothing for a
    // second, in which the bucket refills 10 tokens. So each pause lets ≥ 10 creates through and costs at
    // most the requests in flight (concurrency 8) as 429s: at most ⌈(40 − 10) / 10⌉ + 1 pauses. A client
    // that retried at once would collect hundreds.
    expect(s.http429.total).toBeLessThanOrEqual(8 * (Math.ceil((N - 10) / 10) + 1));

    const workers = sb.records('users').filter((u) => u.user_type_id === WORKER);
    const employeeIds = workers.map((u) => u.employee_id);
    expect(employeeIds).toHaveLength(N);
    expect(new Set(employeeIds).size).toBe(N);
  });
});

describe('token lifecycle', () => {
  test('an expired token mid-run: the next call gets 401, the client renews once and succeeds', async () => {
    sb.resetStats();
    const c = client();
    await c.users.create(worker(1));
    expect(sb.stats().tokens.issued).toBe(1);

    sb.setFaults({ expireTokens: true });
    const w = await c.users.create(worker(2));
    expect(w.employee_id).toBe('E0002');
    await c.users.listAll({ filter: { user_type_id: WORKER } });

    const s = sb.stats();
    expect(s.tokens.issued).toBe(2);
    expect(s.requests.byStatus['401']).toBe(1);
    expect(s.tokens.authFailures).toBe(1);
    expect(c.stats()).toMatchObject({ tokenRequests: 2, tokenRenewals: 1, failures: 0 });
    // The refused create was not applied, and the repeat created it once.
    expect(sb.records('users').filter((u) => u.employee_id === 'E0002')).toHaveLength(1);
  });

  test('a token is cached until shortly before it expires, then renewed without a 401', async () => {
    sb.resetStats();
    // The client's clock is moved, not waited for: the sandbox's one-hour tokens stay valid throughout.
    let skewMs = 0;
    const c = client({}, { now: () => Date.now() + skewMs });
    await c.tasks.listAll();
    await c.tasks.listAll();
    expect(sb.stats().tokens.issued).toBe(1);
    // Lifetime 3600 s: still used 61 s before it expires …
    skewMs = 3600_000 - 61_000;
    await c.tasks.listAll();
    expect(sb.stats().tokens.issued).toBe(1);
    // … and renewed inside the last minute, before the API could refuse it.
    skewMs = 3600_000 - 30_000;
    await c.tasks.listAll();
    const s = sb.stats();
    expect(s.tokens.issued).toBe(2);
    expect(s.requests.byStatus['401'] ?? 0).toBe(0);
    expect(c.stats()).toMatchObject({ tokenRequests: 2, tokenRenewals: 0 });
  });
});

describe('timesheets: the export selection and processing', () => {
  test('approved & unprocessed listed, one processed, processing again is harmless, a submitted one is refused', async () => {
    const c = client({ pageSize: 4 });
    const cl = await c.clients.create({ name: 'Acme', company_name: 'Acme LLC', active: true });
    const pr = await c.projects.create({ name: 'Tower', client_id: cl.id, state: 'IL', active: true });
    await c.orders.create({ client_id: cl.id, project_id: pr.id, order_owner: DEMO_ADMIN_ID, start_date: '2025-01-01', end_date: '2026-12-31', job_number: 'J-1' });
    await c.activities.create({ name: 'Labor', external_id: 'LAB', active: true });
    await c.tasks.create({ name: 'Carpenter', external_id: 'CARP', active: true });
    const made = await c.users.createMany(Array.from({ length: 6 }, (_, i) => worker(i + 1)));
    expect(made.every((r) => r.status === 'fulfilled')).toBe(true);

    const sim = sb.simulateTimesheets({ days: 3, approveRatio: 0.6, seed: 7 });
    expect(sim.approved).toBeGreaterThan(0);
    expect(sim.submitted).toBeGreaterThan(0);

    const stored = sb.records('timesheets');
    const expected = stored
      .filter((t) => String(t.status).startsWith('APPROVED') && t.is_processed !== true)
      .map((t) => t.id as number)
      .sort((a, b) => a - b);
    expect(expected.length).toBeGreaterThan(4); // more than one page

    const selection = { filter: { status: { starts_with: 'APPROVED' }, is_processed: false }, sort: ['id'] };
    const listed = await c.timesheetsExpanded.listAll(selection);
    expect(listed.map((t) => t.id)).toEqual(expected);
    for (const t of listed) {
      expect(t.status).toMatch(/^APPROVED/);
      expect(t.is_processed).toBe(false);
      expect(t.user?.employee_id).toMatch(/^E\d{4}$/);
    }

    const first = listed[0].id;
    expect(await c.processTimesheet(first)).toEqual({ id: first, alreadyProcessed: false });
    expect(sb.records('timesheets').find((t) => t.id === first)).toMatchObject({ is_processed: true });
    const processed = await c.timesheetsExpanded.listAll({ filter: { is_processed: true } });
    expect(processed.map((t) => t.id)).toEqual([first]);
    expect(processed[0].processed_at).toEqual(expect.any(String));
    expect((await c.timesheetsExpanded.listAll(selection)).map((t) => t.id)).toEqual(expected.slice(1));

    // A repeat after a crash: Assignar says "already processed"; the goal holds.
    expect(await c.processTimesheet(first)).toEqual({ id: first, alreadyProcessed: true });
    expect(sb.stats().writes.timesheets.processed).toBe(1);

    const submitted = stored.find((t) => t.status === 'SUBMITTED')!;
    const before = routeCount(sb.stats(), 'PUT /timesheets/{timesheetId}/process');
    const err = await rejection(c.processTimesheet(submitted.id as number));
    expect(err).toBeInstanceOf(AssignarBadRequestError);
    expect(err).toMatchObject({ status: 400, retryable: false, serverMessage: expect.stringMatching(/must be completed/) });
    expect(routeCount(sb.stats(), 'PUT /timesheets/{timesheetId}/process') - before).toBe(1);
    expect(sb.records('timesheets').find((t) => t.id === submitted.id)).toMatchObject({ is_processed: false });
  });
});

describe('5xx', () => {
  test('reads are retried and complete', async () => {
    const c = client({ pageSize: 3 });
    const made = await c.users.createMany(Array.from({ length: 12 }, (_, i) => worker(i + 1)));
    expect(made.every((r) => r.status === 'fulfilled')).toBe(true);
    sb.setFaults({ errorRate: 0.4, faultSeed: 11 });
    sb.resetStats();
    const before = c.stats();

    const all = await c.users.listAll({ filter: { user_type_id: WORKER } });
    const one = await c.users.get(all.find((u) => u.employee_id === 'E0006')!.id);
    await c.users.update(one.id, { ...worker(6), contact: '555-0106' });

    expect(all.map((u) => u.employee_id).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `E${String(i + 1).padStart(4, '0')}`));
    const s = sb.stats();
    const cs = c.stats();
    expect(s.faults.errors).toBeGreaterThan(0);
    expect(cs.http5xx - before.http5xx).toBe(s.faults.errors);
    expect(cs.retries - before.retries).toBe(s.faults.errors);
    expect(cs.failures).toBe(0);
    // Every answered request was either an injected 5xx or a success.
    expect(apiRequests(s)).toBe((s.requests.byStatus['200'] ?? 0) + (s.requests.byStatus['204'] ?? 0) + s.faults.errors);
    expect(sb.records('users').find((u) => u.id === one.id)).toMatchObject({ contact: '555-0106' });
  });

  test('a create that got a 5xx is not retried: its outcome is unknown', async () => {
    const c = client();
    await c.authenticate();
    sb.setFaults({ errorRate: 1 });
    sb.resetStats();
    const err = await rejection(c.users.create(worker(1)));
    expect(err).toBeInstanceOf(AssignarTransientError);
    expect(err).toMatchObject({ retryable: true, outcomeUnknown: true });
    expect(routeCount(sb.stats(), 'POST /users')).toBe(1);
    expect(c.stats()).toMatchObject({ retries: 0, failures: 1 });
  });
});
