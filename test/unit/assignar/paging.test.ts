import { AssignarClient, AssignarMalformedResponseError, type PageCursor } from '../../../src/assignar';
import { ConfigError, ValidationError } from '../../../src/errors';
import { FakeAssignar, rows, testConfig, type RecordedRequest } from './helpers';

/** A server holding `total` records that pages them as Assignar documents (1-based pages). */
function pagedServer(total: number, shape: 'array' | 'rows' = 'array') {
  return (req: RecordedRequest) => {
    const page = Number(req.query.get('page'));
    const size = Number(req.query.get('page_size'));
    const start = (page - 1) * size;
    const data = rows(start + 1, Math.max(0, Math.min(size, total - start)));
    return { status: 200, body: shape === 'rows' ? { status: 200, data: { count: data.length, rows: data } } : { status: 200, data, count: data.length } };
  };
}

describe('Assignar paging', () => {
  it('returns one page with a serialisable cursor for the next', async () => {
    const fake = new FakeAssignar();
    fake.api = pagedServer(7);
    const client = fake.client({ pageSize: 3 });

    const first = await client.users.listPage({ filter: { user_type_id: 2 }, fields: ['employee_id'] });
    expect(first.items.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(first.next).toEqual({ page: 2, pageSize: 3 });

    // The cursor survives a JSON round trip (an activity heartbeat) and resumes where it left off.
    const cursor = JSON.parse(JSON.stringify(first.next)) as PageCursor;
    const second = await client.users.listPage({ filter: { user_type_id: 2 }, fields: ['employee_id'] }, cursor);
    expect(second.items.map((r) => r.id)).toEqual([4, 5, 6]);
    const third = await client.users.listPage({}, second.next!);
    expect(third.items.map((r) => r.id)).toEqual([7]);
    expect(third.next).toBeNull();

    const q = fake.apiCalls[0].query;
    expect(fake.apiCalls[0].pathname).toBe('/v2/users');
    expect(q.get('user_type_id')).toBe('2');
    expect(q.get('fields')).toBe('id,employee_id');
    expect(q.get('sort')).toBe('id');
    expect(q.get('page')).toBe('1');
    expect(q.get('page_size')).toBe('3');
    expect(fake.apiCalls.map((c) => c.query.get('page'))).toEqual(['1', '2', '3']);
  });

  it('keeps the page size of the cursor even if the query asks for another', async () => {
    const fake = new FakeAssignar();
    fake.api = pagedServer(10);
    const client = fake.client({ pageSize: 3 });
    const page = await client.users.listPage({ pageSize: 5 }, { page: 2, pageSize: 4 });
    expect(page.items.map((r) => r.id)).toEqual([5, 6, 7, 8]);
    expect(fake.apiCalls[0].query.get('page_size')).toBe('4');
  });

  it('iterates every page and stops on the first short page', async () => {
    const fake = new FakeAssignar();
    fake.api = pagedServer(8);
    const client = fake.client({ pageSize: 3 });
    const pages: number[][] = [];
    for await (const page of client.clients.pages()) pages.push(page.items.map((r) => r.id));
    expect(pages).toEqual([[1, 2, 3], [4, 5, 6], [7, 8]]);
    expect(fake.apiCalls).toHaveLength(3);
    expect(fake.apiCalls[0].pathname).toBe('/v2/clients/');
  });

  it('needs one extra request (an empty page) when the total is a multiple of the page size', async () => {
    const fake = new FakeAssignar();
    fake.api = pagedServer(6);
    const client = fake.client({ pageSize: 3 });
    const ids: number[] = [];
    for await (const r of client.projects.items()) ids.push(r.id);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fake.apiCalls.map((c) => c.query.get('page'))).toEqual(['1', '2', '3']);
    expect(fake.apiCalls[0].pathname).toBe('/v2/projects/');
  });

  it('resumes an iteration from a cursor', async () => {
    const fake = new FakeAssignar();
    fake.api = pagedServer(8);
    const client = fake.client({ pageSize: 3 });
    const ids: number[] = [];
    for await (const page of client.tasks.pages({}, { start: { page: 2, pageSize: 3 } })) ids.push(...page.items.map((r) => r.id));
    expect(ids).toEqual([4, 5, 6, 7, 8]);
  });

  it('reads timesheets-expanded from data.rows', async () => {
    const fake = new FakeAssignar();
    fake.api = pagedServer(4, 'rows');
    const client = fake.client({ pageSize: 3 });
    const all = await client.timesheetsExpanded.listAll({ filter: { processed_at: { is: null }, status: { starts_with: 'APPROVED' } } });
    expect(all.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(fake.apiCalls[0].pathname).toBe('/v2/timesheets-expanded');
    expect(fake.apiCalls[0].query.get('processed_at__is')).toBe('null');
    expect(fake.apiCalls[0].query.get('status__starts_with')).toBe('APPROVED');
  });

  it('stops when the server ignores page_size and returns more than asked', async () => {
    const fake = new FakeAssignar();
    fake.api = () => ({ status: 200, body: { status: 200, data: rows(1, 10) } });
    const client = fake.client({ pageSize: 3 });
    const all = await client.activities.listAll();
    expect(all).toHaveLength(10);
    expect(fake.apiCalls).toHaveLength(1);
  });

  it('refuses to loop when the server ignores page', async () => {
    const fake = new FakeAssignar();
    fake.api = () => ({ status: 200, body: { status: 200, data: rows(1, 3) } });
    const client = fake.client({ pageSize: 3 });
    await expect(client.activities.listAll()).rejects.toBeInstanceOf(AssignarMalformedResponseError);
    expect(fake.apiCalls).toHaveLength(2);
  });

  it('uses the spec paths for get, create and update', async () => {
    const fake = new FakeAssignar();
    fake.api = (req) => {
      if (req.method === 'GET') return { status: 200, body: { status: 200, data: { id: Number(req.pathname.split('/').pop()), name: 'x' } } };
      if (req.method === 'POST') return { status: 201, body: { status: 201, data: { id: 99, ...JSON.parse(req.body!) } } };
      return { status: 204 };
    };
    const client = fake.client();
    expect((await client.clients.get(5)).id).toBe(5);
    expect((await client.projects.get(6)).id).toBe(6);
    const created = await client.clients.create({ name: 'Acme', company_name: 'Acme Pty' });
    expect(created).toMatchObject({ id: 99, name: 'Acme', company_name: 'Acme Pty' });
    await client.projects.update(6, { active: false });
    expect(fake.apiCalls.map((c) => `${c.method} ${c.pathname}`)).toEqual([
      'GET /v2/clients/5',
      'GET /v2/projects/6',
      'POST /v2/clients/',
      'PUT /v2/projects/6',
    ]);
    expect(fake.apiCalls[2].headers['content-type']).toBe('application/json');
    expect(JSON.parse(fake.apiCalls[3].body!)).toEqual({ active: false });
  });

  it('refuses ids that would change the path, without sending anything', async () => {
    const fake = new FakeAssignar();
    const client = fake.client();
    await expect(client.users.get('')).rejects.toBeInstanceOf(ValidationError);
    await expect(client.users.update('1/../2', { active: false })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.processTimesheet('..')).rejects.toBeInstanceOf(ValidationError);
    expect(fake.apiCalls).toHaveLength(0);
  });

  it('encodes string ids', async () => {
    const fake = new FakeAssignar();
    fake.api = () => ({ status: 200, body: { status: 200, data: { id: 1 } } });
    await fake.client().clients.get('a b');
    expect(fake.apiCalls[0].url).toBe('/v2/clients/a%20b');
  });
});

describe('AssignarClient construction', () => {
  it('needs a client secret', () => {
    expect(() => new AssignarClient(testConfig(), { clientSecret: '' })).toThrow(ConfigError);
  });

  it('owns and closes its connection pool when no dispatcher is given', async () => {
    const client = new AssignarClient(testConfig(), { clientSecret: 'x' });
    await expect(client.close()).resolves.toBeUndefined();
  });
});
