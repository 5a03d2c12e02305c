import {
  AssignarAuthError,
  AssignarBadRequestError,
  AssignarError,
  AssignarForeignKeyError,
  AssignarMalformedResponseError,
  AssignarNotFoundError,
  AssignarRateLimitError,
  AssignarTransientError,
  AssignarUniqueConstraintError,
} from '../../../src/assignar';
import { fullJitterDelay, parseRetryAfter } from '../../../src/http/backoff';
import { SyncError } from '../../../src/errors';
import { FakeAssignar, instantClock, type Reply } from './helpers';

const ok: Reply = { status: 200, body: { status: 200, data: { id: 1 } } };

async function failure(reply: Reply, method: 'get' | 'create' | 'update' = 'get', config = { maxRetries: 0 }) {
  const fake = new FakeAssignar();
  fake.api = () => reply;
  const client = fake.client(config);
  const call =
    method === 'get'
      ? client.users.get(1)
      : method === 'create'
        ? client.users.create({ first_name: 'A', last_name: 'B', user_type_id: 2 })
        : client.users.update(1, { active: false });
  const err = await (call as Promise<unknown>).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { err: err as AssignarError, fake, client };
}

describe('Assignar error typing', () => {
  it('unique constraint conflict carries the field', async () => {
    const { err } = await failure({ status: 400, body: { message: '[400] Unique Constraint Error - email' } }, 'create');
    expect(err).toBeInstanceOf(AssignarUniqueConstraintError);
    expect(err).toBeInstanceOf(SyncError);
    expect((err as AssignarUniqueConstraintError).field).toBe('email');
    expect(err.retryable).toBe(false);
    expect(err.kind).toBe('unique_constraint');
    expect(err.status).toBe(400);
    expect(err.message).toContain('POST /users');
    expect(err.message).toContain('[400] Unique Constraint Error - email');
    expect(err.name).toBe('AssignarUniqueConstraintError');
  });

  it('foreign key conflict', async () => {
    const { err } = await failure({ status: 400, body: { message: '[400] Foreign Key Constraint Error' } }, 'update');
    expect(err).toBeInstanceOf(AssignarForeignKeyError);
    expect(err.retryable).toBe(false);
    expect((err as AssignarForeignKeyError).field).toBeUndefined();
  });

  it('other 400s are bad requests', async () => {
    const { err } = await failure({ status: 400, body: { message: '[400] "first_name" is required' } }, 'create');
    expect(err).toBeInstanceOf(AssignarBadRequestError);
    expect(err.retryable).toBe(false);
    expect(err.serverMessage).toBe('[400] "first_name" is required');
  });

  it('404 in either documented body shape', async () => {
    const a = await failure({ status: 404, body: { errorType: 'NotFound', errorMessage: '[404] Object Not Found - User (1)', trace: [] } });
    expect(a.err).toBeInstanceOf(AssignarNotFoundError);
    expect(a.err.serverMessage).toBe('[404] Object Not Found - User (1)');
    expect(a.err.message).toContain('GET /users/1');
    const b = await failure({ status: 404, body: { message: '[404] Object Not Found - Skill (id:9)' } });
    expect(b.err).toBeInstanceOf(AssignarNotFoundError);
    expect(b.err.retryable).toBe(false);
  });

  it('403 is a non-retryable auth error', async () => {
    const { err, fake } = await failure({ status: 403, body: { message: 'Forbidden' } });
    expect(err).toBeInstanceOf(AssignarAuthError);
    expect(err.retryable).toBe(false);
    expect(fake.tokenCalls).toHaveLength(1);
  });

  it('429 is a retryable rate-limit error with Retry-After', async () => {
    const { err, client } = await failure({ status: 429, body: { message: 'Too Many Requests' }, headers: { 'retry-after': '7' } });
    expect(err).toBeInstanceOf(AssignarRateLimitError);
    expect(err.retryable).toBe(true);
    expect((err as AssignarRateLimitError).retryAfterMs).toBe(7000);
    expect(client.stats().http429).toBe(1);
  });

  it('5xx is transient; HTML bodies become a short message', async () => {
    const { err } = await failure({ status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
    expect(err).toBeInstanceOf(AssignarTransientError);
    expect(err.retryable).toBe(true);
    expect(err.serverMessage).toBe('502 Bad Gateway');
    expect(err.outcomeUnknown).toBe(false);
  });

  it('a 5xx on a create says the outcome is unknown', async () => {
    const { err } = await failure({ status: 500, body: { message: 'oops' } }, 'create');
    expect(err).toBeInstanceOf(AssignarTransientError);
    expect(err.outcomeUnknown).toBe(true);
  });

  it('an error status inside a 200 envelope is an error', async () => {
    const { err } = await failure({ status: 200, body: { status: 400, message: '[400] Unique Constraint Error - name' } }, 'create');
    expect(err).toBeInstanceOf(AssignarUniqueConstraintError);
    expect(err.status).toBe(400);
  });

  it('a body that is not the envelope is malformed', async () => {
    const a = await failure({ status: 200, body: 'not json' });
    expect(a.err).toBeInstanceOf(AssignarMalformedResponseError);
    expect(a.err.retryable).toBe(false);
    const b = await failure({ status: 200, body: { status: 200, data: { name: 'no id' } } });
    expect(b.err).toBeInstanceOf(AssignarMalformedResponseError);
    expect((b.err as AssignarMalformedResponseError).issues[0]).toMatch(/^data\.id: /);
  });

  it('a record that fails its schema is malformed and the message names the place, not the value', async () => {
    const fake = new FakeAssignar();
    fake.api = () => ({ status: 200, body: { status: 200, data: [{ id: 1 }, { id: 2, employee_id: 12345, email: 'x@y.z' }] } });
    const err = (await fake.client().users.listPage().catch((e: unknown) => e)) as AssignarMalformedResponseError;
    expect(err).toBeInstanceOf(AssignarMalformedResponseError);
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatch(/^data\[1\]\.employee_id: /);
    expect(err.message).not.toContain('12345');
  });

  it('unknown extra fields pass through untouched', async () => {
    const fake = new FakeAssignar();
    fake.api = () => ({ status: 200, body: { status: 200, data: { id: 3, employee_id: 'E1', brand_new_field: { a: 1 } }, extra: true } });
    const user = await fake.client().users.get(3);
    expect(user).toEqual({ id: 3, employee_id: 'E1', brand_new_field: { a: 1 } });
  });
});

describe('Assignar write outcomes', () => {
  it('create accepts 201, and 200 with status 201 in the body', async () => {
    const fake = new FakeAssignar();
    let n = 0;
    fake.api = () => (++n === 1 ? { status: 201, body: { status: 201, data: { id: 10, name: 'a' } } } : { status: 200, body: { status: 201, data: { id: 11 } } });
    const client = fake.client();
    expect((await client.tasks.create({ name: 'a' })).id).toBe(10);
    expect((await client.tasks.create({ name: 'b' })).id).toBe(11);
  });

  it('update accepts 204, and 200 with status 204 in the body', async () => {
    const fake = new FakeAssignar();
    let n = 0;
    fake.api = () => (++n === 1 ? { status: 204 } : { status: 200, body: { status: 204 } });
    const client = fake.client();
    await client.assets.update(1, { name: 'x', active: true });
    await client.assets.update(2, { name: 'y', active: true });
    expect(fake.apiCalls.map((c) => c.method)).toEqual(['PUT', 'PUT']);
  });

  it('processTimesheet PUTs /timesheets/{id}/process and treats "already processed" as done', async () => {
    const fake = new FakeAssignar();
    let n = 0;
    fake.api = () => (++n === 1 ? { status: 200, body: { status: 200 } } : { status: 400, body: { message: 'Timesheet already processed' } });
    const client = fake.client();
    expect(await client.processTimesheet(42)).toEqual({ id: 42, alreadyProcessed: false });
    expect(await client.processTimesheet(42)).toEqual({ id: 42, alreadyProcessed: true });
    expect(fake.apiCalls.map((c) => `${c.method} ${c.pathname}`)).toEqual(['PUT /v2/timesheets/42/process', 'PUT /v2/timesheets/42/process']);
  });

  it('processTimesheet still fails on other refusals', async () => {
    const fake = new FakeAssignar();
    fake.api = () => ({ status: 400, body: { message: 'Timesheet must be completed before processing' } });
    await expect(fake.client().processTimesheet(1)).rejects.toBeInstanceOf(AssignarBadRequestError);
  });
});

describe('Assignar retries', () => {
  it('retries 5xx on reads with exponential backoff and full jitter, up to maxRetries', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    fake.api = () => ({ status: 503, body: {} });
    const client = fake.client({ maxRetries: 4 }, { now: clock.now, sleep: clock.sleep, random: () => 0.5 });
    await expect(client.users.get(1)).rejects.toBeInstanceOf(AssignarTransientError);
    expect(fake.apiCalls).toHaveLength(5);
    // random 0.5 × min(cap, 250 · 2^n)
    expect(clock.sleeps).toEqual([125, 250, 500, 1000]);
    expect(client.stats()).toMatchObject({ requests: 5, retries: 4, http5xx: 5, failures: 1 });
  });

  it('full jitter stays within [0, min(cap, base·2^n))', () => {
    for (let n = 0; n < 12; n++) {
      const ceiling = Math.min(20_000, 250 * 2 ** n);
      expect(fullJitterDelay(n, { baseMs: 250, capMs: 20_000, random: () => 0 })).toBe(0);
      expect(fullJitterDelay(n, { baseMs: 250, capMs: 20_000, random: () => 0.999999 })).toBeLessThan(ceiling);
    }
  });

  it('succeeds after transient failures', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    let n = 0;
    fake.api = () => (++n <= 2 ? { status: 500, body: {} } : ok);
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep });
    expect((await client.users.get(1)).id).toBe(1);
    expect(client.stats().retries).toBe(2);
  });

  it('honours Retry-After seconds on a 429, then completes', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    let n = 0;
    fake.api = () => (++n === 1 ? { status: 429, body: {}, headers: { 'retry-after': '3' } } : ok);
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep, random: () => 0 });
    expect((await client.users.get(1)).id).toBe(1);
    expect(clock.sleeps).toContain(3000);
    expect(client.stats()).toMatchObject({ http429: 1, retries: 1, requests: 2 });
  });

  it('honours Retry-After as an HTTP-date', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    let n = 0;
    fake.api = () => (++n === 1 ? { status: 429, body: {}, headers: { 'retry-after': new Date(clock.now() + 5000).toUTCString() } } : ok);
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep, random: () => 0 });
    await client.users.get(1);
    const waited = clock.sleeps.find((ms) => ms > 0)!;
    expect(waited).toBeGreaterThan(4000); // HTTP-dates have whole seconds
    expect(waited).toBeLessThanOrEqual(5000);
  });

  it('a 429 holds every request of the connection, not just the one that got it', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar(clock.now);
    let n = 0;
    fake.api = () => (++n === 1 ? { status: 429, body: {}, headers: { 'retry-after': '2' } } : ok);
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep });
    const start = clock.now();
    await client.users.get(1);
    await client.users.get(2); // a different request, sent after the 429
    expect(fake.apiCalls[2].at - start).toBeGreaterThanOrEqual(2000);
  });

  it('does not wait out a Retry-After beyond the in-process limit', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    fake.api = () => ({ status: 429, body: {}, headers: { 'retry-after': '3600' } });
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep });
    const err = (await client.users.get(1).catch((e: unknown) => e)) as AssignarRateLimitError;
    expect(err).toBeInstanceOf(AssignarRateLimitError);
    expect(err.retryAfterMs).toBe(3_600_000);
    expect(fake.apiCalls).toHaveLength(1);
  });

  it('retries a create after a 429 (the server refused it) but not after a 5xx (it may exist)', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    const replies: Reply[] = [
      { status: 429, body: {}, headers: { 'retry-after': '1' } },
      { status: 201, body: { status: 201, data: { id: 5 } } },
      { status: 500, body: {} },
    ];
    fake.api = () => replies.shift()!;
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep });
    expect((await client.tasks.create({ name: 'x' })).id).toBe(5);
    const err = (await client.tasks.create({ name: 'y' }).catch((e: unknown) => e)) as AssignarTransientError;
    expect(err).toBeInstanceOf(AssignarTransientError);
    expect(err.outcomeUnknown).toBe(true);
    expect(err.retryable).toBe(true);
    expect(fake.apiCalls).toHaveLength(3);
  });

  it('retries an ambiguous create when asked to', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    let n = 0;
    fake.api = () => (++n === 1 ? { status: 500, body: {} } : { status: 201, body: { status: 201, data: { id: 8 } } });
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep });
    expect((await client.tasks.create({ name: 'x' }, { retryAmbiguous: true })).id).toBe(8);
  });

  it('does not retry non-retryable errors', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    fake.api = () => ({ status: 404, body: { message: 'nope' } });
    const client = fake.client({ maxRetries: 5 }, { now: clock.now, sleep: clock.sleep });
    await expect(client.users.get(1)).rejects.toBeInstanceOf(AssignarNotFoundError);
    expect(fake.apiCalls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('connection resets are transient and retried on reads', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    fake.failApi(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 2);
    fake.api = () => ok;
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep });
    expect((await client.users.get(1)).id).toBe(1);
    expect(client.stats()).toMatchObject({ networkErrors: 2, retries: 2 });
  });

  it('a connection reset during a create is transient with an unknown outcome; a refused connection is retried', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    fake.failApi(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 1);
    fake.failApi(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 1);
    fake.api = () => ({ status: 201, body: { status: 201, data: { id: 1 } } });
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep });
    const err = (await client.tasks.create({ name: 'x' }).catch((e: unknown) => e)) as AssignarTransientError;
    expect(err).toBeInstanceOf(AssignarTransientError);
    expect(err.message).toContain('ECONNRESET');
    expect(err.outcomeUnknown).toBe(true);
    expect(client.stats()).toMatchObject({ networkErrors: 2, retries: 1 });
  });

  it('a request that exceeds requestTimeoutMs is a transient timeout', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    fake.delayApi(2_000, ok);
    fake.api = () => ok;
    const client = fake.client({ requestTimeoutMs: 50 }, { now: clock.now, sleep: clock.sleep });
    expect((await client.users.get(1)).id).toBe(1);
    expect(client.stats()).toMatchObject({ networkErrors: 1, retries: 1 });
  });

  it('a caller abort stops retrying and surfaces the abort reason', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    const controller = new AbortController();
    fake.api = () => {
      controller.abort(new Error('activity cancelled'));
      return { status: 503, body: {} };
    };
    const client = fake.client({ maxRetries: 5 }, { now: clock.now, sleep: clock.sleep });
    await expect(client.users.get(1, { signal: controller.signal })).rejects.toThrow('activity cancelled');
    expect(fake.apiCalls).toHaveLength(1);
  });
});

describe('Retry-After parsing', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  it.each([
    ['120', 120_000],
    ['0', 0],
    ['1.5', 1500],
    ['Sun, 01 Jun 2025 12:00:30 GMT', 30_000],
    ['Sun, 01 Jun 2025 11:00:00 GMT', 0],
  ])('%s → %d ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
  it.each([[undefined], [''], ['-1'], ['soon'], ['12abc']])('%s → undefined', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
