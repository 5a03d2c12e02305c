import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { apiCaller, type Call } from './assignar-sandbox-http';

let sb: AssignarSandbox;
let call: Call;

/** 12 tasks with varied columns (made as a person in the app would, through the control API). */
const TASKS = Array.from({ length: 12 }, (_, i) => ({
  id: 4001 + i,
  name: ['Carpenter', 'Electrician', 'Plumber', 'Laborer', 'Foreman', 'Operator'][i % 6] + (i >= 6 ? ' II' : ''),
  external_id: i === 3 ? null : `LAB-${String(i + 1).padStart(2, '0')}`,
  integration_id: i % 4 === 0 ? null : String(100 + i),
  active: i !== 5,
  req_machines: i % 6 === 5,
  pay_level: String(i % 3),
  payroll_acc: i % 2 ? String(i) : String(i + 2),
  charge_code_id: i,
  modified_time: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
}));

beforeAll(async () => {
  sb = await startAssignarSandbox({ seed: 'demo' });
  sb.upsertRecords('tasks', TASKS);
  call = await apiCaller(sb);
});
afterAll(async () => {
  await sb?.close();
});

async function ids(query: string): Promise<number[]> {
  const res = await call('GET', `/tasks?${query}`);
  if (res.status !== 200) throw new Error(`${query}: ${res.status} ${res.text}`);
  return res.body.data.map((t: { id: number }) => t.id);
}
const t = (...n: number[]) => n.map((i) => 4001 + i);

describe('paging', () => {
  test('page is 1-based, page_size sets the size, count is the total matching', async () => {
    const p1 = await call('GET', '/tasks?page=1&page_size=5&sort=id');
    expect(p1.body.data.map((r: { id: number }) => r.id)).toEqual(t(0, 1, 2, 3, 4));
    expect(p1.body.count).toBe(12);
    expect(await ids('page=3&page_size=5&sort=id')).toEqual(t(10, 11));
    expect(await ids('page=4&page_size=5&sort=id')).toEqual([]);
    expect((await call('GET', '/tasks?page=2&page_size=5&active=true&sort=id')).body.count).toBe(11);
  });

  test('without paging every record comes back; page alone uses 100 per page', async () => {
    expect((await ids('')).length).toBe(12);
    expect((await ids('page=1')).length).toBe(12);
  });

  test('invalid page or page_size → 400', async () => {
    for (const q of ['page=0', 'page=-1', 'page=x', 'page_size=0', 'page=1&page_size=abc']) {
      const res = await call('GET', `/tasks?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^\[400\] /);
    }
  });

  test('maxPageSize knob cuts a larger page_size', async () => {
    sb.setFaults({ maxPageSize: 4 });
    try {
      const res = await call('GET', '/tasks?page=1&page_size=10&sort=id');
      expect(res.body.data).toHaveLength(4);
      expect(res.body.count).toBe(12);
    } finally {
      sb.setFaults({ maxPageSize: 0 });
    }
  });
});

describe('sorting', () => {
  test('ascending by default, - for descending, several fields, NULLs first ascending', async () => {
    expect(await ids('sort=-id')).toEqual(t(11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
    expect(await ids('sort=-active,id&page=1&page_size=3')).toEqual(t(0, 1, 2));
    expect((await ids('sort=-active,id')).at(-1)).toBe(4006);
    expect(await ids('sort=pay_level,-id&page=1&page_size=4')).toEqual(t(9, 6, 3, 0));
    const byExt = await ids('sort=external_id');
    expect(byExt[0]).toBe(4004); // external_id null sorts first
    const byName = (await call('GET', '/tasks?sort=name,id&fields=name')).body.data.map((r: { name: string }) => r.name);
    expect(byName).toEqual([...byName].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  });

  test('an unknown sort field → 400', async () => {
    const res = await call('GET', '/tasks?sort=colour');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/colour/);
  });
});

describe('fields selection', () => {
  test('only the listed top-level fields come back', async () => {
    const res = await call('GET', '/tasks?fields=id,name&page=1&page_size=2&sort=id');
    expect(res.body.data).toEqual([
      { id: 4001, name: 'Carpenter' },
      { id: 4002, name: 'Electrician' },
    ]);
    const u = await call('GET', '/users?fields=id,username,tags');
    expect(u.body.data[0]).toEqual({ id: 1001, username: expect.any(String), tags: [] });
  });

  test('an unknown field → 400', async () => {
    expect((await call('GET', '/tasks?fields=id,nope')).status).toBe(400);
  });
});

describe('filters (every operator of the spec table)', () => {
  test('plain equality on any top-level field, typed by the schema, text case-insensitive', async () => {
    expect(await ids('external_id=LAB-02')).toEqual(t(1));
    expect(await ids('external_id=lab-02')).toEqual(t(1));
    expect(await ids('active=false')).toEqual(t(5));
    expect(await ids('req_machines=true&active=true')).toEqual(t(11));
    expect(await ids('charge_code_id=7')).toEqual(t(7));
    expect(await ids('name=Operator II')).toEqual(t(11));
  });

  test('comparisons: gt gte lt lte ne (NULL never matches), timestamps compared as instants', async () => {
    expect(await ids('charge_code_id__gt=9')).toEqual(t(10, 11));
    expect(await ids('charge_code_id__gte=10')).toEqual(t(10, 11));
    expect(await ids('charge_code_id__lt=2')).toEqual(t(0, 1));
    expect(await ids('charge_code_id__lte=1')).toEqual(t(0, 1));
    expect((await ids('integration_id__ne=101')).length).toBe(8); // 12 - 3 nulls - 1
    expect(await ids('modified_time__gte=2025-01-11')).toEqual(t(10, 11));
    expect(await ids('modified_time__gt=2025-01-11T00:00:00Z')).toEqual(t(11));
    expect(await ids('modified_time__lt=2025-01-02T00:00:00.000Z')).toEqual(t(0));
  });

  test('is / not take null, true or false', async () => {
    expect(await ids('integration_id__is=null')).toEqual(t(0, 4, 8));
    expect((await ids('integration_id__not=null')).length).toBe(9);
    expect(await ids('active__is=false')).toEqual(t(5));
    expect((await ids('active__not=false')).length).toBe(11);
    expect((await call('GET', '/tasks?active__is=maybe')).status).toBe(400);
  });

  test('in / not_in', async () => {
    expect(await ids('external_id__in=LAB-01,LAB-03,nope')).toEqual(t(0, 2));
    expect(await ids('charge_code_id__in=1,2&sort=-id')).toEqual(t(2, 1));
    expect((await ids('charge_code_id__not_in=0,1,2')).length).toBe(9);
    expect((await ids('external_id__not_in=LAB-01')).length).toBe(10); // the NULL one never matches
  });

  test('substring / starts_with / ends_with', async () => {
    expect(await ids('name__substring=lect')).toEqual(t(1, 7));
    expect(await ids('name__starts_with=op')).toEqual(t(5, 11));
    expect(await ids('name__ends_with= II')).toEqual(t(6, 7, 8, 9, 10, 11));
    expect(await ids('external_id__ends_with=12')).toEqual(t(11));
  });

  test('between / not_between (inclusive)', async () => {
    expect(await ids('charge_code_id__between=3,5')).toEqual(t(3, 4, 5));
    expect((await ids('charge_code_id__not_between=3,5')).length).toBe(9);
    expect(await ids('modified_time__between=2025-01-02,2025-01-03T00:00:00Z')).toEqual(t(1, 2));
    expect((await call('GET', '/tasks?charge_code_id__between=3')).status).toBe(400);
  });

  test('column comparisons: col ne_col gt_col lt_col gte_col lte_col', async () => {
    // payroll_acc is i+2 for even i, i for odd i; pay_level is i % 3 (text).
    expect(await ids('payroll_acc__col=pay_level')).toEqual(t(1));
    expect((await ids('payroll_acc__ne_col=pay_level')).length).toBe(11);
    expect(await ids('charge_code_id__lt_col=payroll_acc&charge_code_id__lte=4')).toEqual(t(0, 2, 4));
    expect(await ids('charge_code_id__gte_col=payroll_acc&charge_code_id__lte=3')).toEqual(t(1, 3));
    expect(await ids('charge_code_id__gt_col=pay_level&charge_code_id__lte=3')).toEqual(t(3));
    expect(await ids('charge_code_id__lte_col=pay_level')).toEqual(t(0, 1, 2));
    expect((await call('GET', '/tasks?charge_code_id__col=unknown')).status).toBe(400);
  });

  test('filters combine (AND), with sort and paging', async () => {
    const res = await call('GET', '/tasks?active=true&name__starts_with=c&sort=-id&page=1&page_size=1');
    expect(res.body.data.map((r: { id: number }) => r.id)).toEqual(t(6));
    expect(res.body.count).toBe(2);
  });

  test('unknown fields or operators → 400; relation objects are not filterable', async () => {
    expect((await call('GET', '/tasks?colour=red')).status).toBe(400);
    expect((await call('GET', '/tasks?name__like=x')).status).toBe(400);
    expect((await call('GET', '/projects/?client=1')).status).toBe(400);
    expect((await call('GET', '/tasks?charge_code_id=abc')).status).toBe(400);
    // `relations` is accepted (the spec mentions it) and ignored.
    expect((await call('GET', '/tasks?relations=skills')).status).toBe(200);
  });

  test('filters work on every list, the timesheet list included', async () => {
    expect((await call('GET', '/users?user_type_id=1')).body.count).toBe(1);
    expect((await call('GET', '/clients/?active=true')).status).toBe(200);
    const ts = await call('GET', '/timesheets-expanded?is_processed=false&status__in=APPROVED,SUBMITTED&page=1&page_size=10&sort=-id');
    expect(ts.body).toEqual({ status: 200, data: { count: 0, rows: [] } });
  });
});
