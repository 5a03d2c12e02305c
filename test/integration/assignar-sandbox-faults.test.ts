import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { apiCaller, controlCaller, http, token, type Call } from './assignar-sandbox-http';

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
  await sb.reset();
  sb.resetFaults();
});

describe('rate limit (token bucket)', () => {
  test('beyond the limit → 429 with Retry-After in whole seconds and {message}; counted', async () => {
    // A bucket of 5 refilled at 1 per second: 12 requests at once get 5 (or, on a slow machine, 6) through.
    sb.setFaults({ requestsPerSecond: 1, burst: 5 });
    const results = await Promise.all(Array.from({ length: 12 }, () => call('GET', '/users')));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok.length).toBeGreaterThanOrEqual(5);
    expect(ok.length).toBeLessThanOrEqual(6);
    expect(limited.length).toBe(12 - ok.length);
    for (const r of limited) {
      expect(r.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(r.body).toEqual({ message: expect.stringMatching(/Too Many Requests/) });
    }
    const stats = sb.stats();
    expect(stats.http429).toEqual({ total: limited.length, rate: limited.length, concurrency: 0 });
    expect(stats.requests.byStatus['429']).toBe(limited.length);
  });

  test('by default the bucket holds one second of requests', async () => {
    sb.setFaults({ requestsPerSecond: 4 });
    const results = await Promise.all(Array.from({ length: 10 }, () => call('GET', '/users')));
    const ok = results.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(4);
    expect(ok).toBeLessThan(10);
  });

  test('honouring Retry-After gets through; steady traffic under the limit is never refused', async () => {
    sb.setFaults({ requestsPerSecond: 2, burst: 2 });
    const burst = await Promise.all(Array.from({ length: 8 }, () => call('GET', '/tasks')));
    const refused = burst.find((r) => r.status === 429)!;
    expect(refused).toBeDefined();
    await new Promise((r) => setTimeout(r, Number(refused.headers.get('retry-after')) * 1000));
    expect((await call('GET', '/tasks')).status).toBe(200);
    // 20 req/s, paced at no more than 10 req/s: never refused.
    sb.setFaults({ requestsPerSecond: 20, burst: null });
    const before = sb.stats().http429.total;
    for (let i = 0; i < 10; i++) {
      expect((await call('GET', '/tasks')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sb.stats().http429.total).toBe(before);
  });

  test('the control API, and the token endpoint, are not rate-limited', async () => {
    sb.setFaults({ requestsPerSecond: 1, burst: 1 });
    const control = controlCaller(sb);
    for (let i = 0; i < 5; i++) expect((await control('GET', 'stats')).status).toBe(200);
    for (let i = 0; i < 3; i++) await token(sb);
  });
});

describe('concurrency cap', () => {
  test('requests in flight above the cap → 429; peak concurrency is reported', async () => {
    sb.setFaults({ concurrencyCap: 2, latencyMs: 1000 });
    const results = await Promise.all(Array.from({ length: 6 }, () => call('GET', '/clients/')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBe(2);
    expect(statuses.filter((s) => s === 429).length).toBe(4);
    expect(results.find((r) => r.status === 429)!.headers.get('retry-after')).toBe('1');
    const stats = sb.stats();
    expect(stats.http429.concurrency).toBe(4);
    expect(stats.peakConcurrency).toBeGreaterThanOrEqual(3);
  });
});

describe('latency, 5xx and timeouts', () => {
  test('latencyMs delays every API request', async () => {
    sb.setFaults({ latencyMs: 2000 });
    const order: string[] = [];
    const users = call('GET', '/users').then((r) => {
      order.push('api');
      return r;
    });
    // The API request has arrived and is held; the control API (no latency) answers meanwhile.
    for (let i = 0; i < 200 && sb.stats().inFlight < 1; i++) await new Promise((r) => setTimeout(r, 10));
    const control = controlCaller(sb);
    const stats = await control('GET', 'stats');
    order.push('control');
    expect(stats.body.inFlight).toBe(1);
    expect((await users).status).toBe(200);
    expect(order).toEqual(['control', 'api']);
  });

  test('errorRate answers 5xx before doing anything (no write happens)', async () => {
    sb.setFaults({ errorRate: 1 });
    const res = await call('POST', '/tasks', { name: 'Never stored' });
    expect([500, 502, 503]).toContain(res.status);
    expect(res.body.message).toMatch(/^\[50\d\] /);
    sb.setFaults({ errorRate: 0 });
    expect(sb.records('tasks')).toHaveLength(0);
    expect(sb.stats().faults.errors).toBe(1);
  });

  test('errorRate is a share: about that many requests fail (seeded, repeatable)', async () => {
    sb.setFaults({ errorRate: 0.3, faultSeed: 7 });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await call('GET', '/tasks')).status);
    const failed = statuses.filter((s) => s >= 500).length;
    expect(failed).toBeGreaterThan(15);
    expect(failed).toBeLessThan(45);
    sb.setFaults({ errorRate: 0.3, faultSeed: 7 });
    const again: number[] = [];
    for (let i = 0; i < 100; i++) again.push((await call('GET', '/tasks')).status);
    expect(again).toEqual(statuses);
  });

  test('timeoutMode after: the write happens but the answer is lost', async () => {
    sb.setFaults({ timeoutRate: 1, timeoutMs: 100, timeoutMode: 'after' });
    await expect(call('POST', '/tasks', { name: 'Stored anyway' })).rejects.toThrow();
    sb.setFaults({ timeoutRate: 0 });
    expect(sb.records('tasks').map((t) => t.name)).toEqual(['Stored anyway']);
    expect(sb.stats().faults.timeouts).toBe(1);
  });

  test('timeoutMode before: the request is dropped unprocessed', async () => {
    sb.setFaults({ timeoutRate: 1, timeoutMs: 100, timeoutMode: 'before' });
    await expect(call('POST', '/tasks', { name: 'Never stored' })).rejects.toThrow();
    sb.setFaults({ timeoutRate: 0 });
    expect(sb.records('tasks')).toHaveLength(0);
    expect((await call('GET', '/tasks')).status).toBe(200);
  });

  test('a client that gives up first sees its own timeout; the sandbox keeps serving', async () => {
    sb.setFaults({ timeoutRate: 1, timeoutMs: 5_000, timeoutMode: 'before' });
    const t = await token(sb);
    await expect(http(`${sb.apiBase}/users`, { headers: { authorization: `Bearer ${t}` }, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    sb.setFaults({ timeoutRate: 0 });
    expect((await call('GET', '/users')).status).toBe(200);
  });

  test('PUT /_sandbox/faults validates and reports the knobs; DELETE restores the start-up ones; reset keeps them', async () => {
    const control = controlCaller(sb);
    expect((await control('PUT', 'faults', { errorRate: 2 })).status).toBe(400);
    expect((await control('PUT', 'faults', { timeoutMode: 'sideways' })).status).toBe(400);
    const set = await control('PUT', 'faults', { latencyMs: 5, requestsPerSecond: 100, concurrencyCap: 10, errorRate: 0, timeoutRate: 0, tokenTtlSeconds: 60 });
    expect(set.body).toMatchObject({ latencyMs: 5, requestsPerSecond: 100, concurrencyCap: 10, tokenTtlSeconds: 60, expiredTokens: 0 });
    expect((await control('GET', 'faults')).body).toMatchObject({ latencyMs: 5, requestsPerSecond: 100 });
    await control('POST', 'reset');
    expect((await control('GET', 'faults')).body).toMatchObject({ latencyMs: 5, requestsPerSecond: 100 });
    expect((await control('DELETE', 'faults')).body).toMatchObject({ latencyMs: 0, requestsPerSecond: 0, concurrencyCap: 0, tokenTtlSeconds: 3600 });
  });
});

describe('start-up options', () => {
  test('requestsPerSecond, concurrencyCap, latencyMs and tokenTtlSeconds given to startAssignarSandbox apply', async () => {
    const other = await startAssignarSandbox({ requestsPerSecond: 2, concurrencyCap: 3, latencyMs: 1, tokenTtlSeconds: 120 });
    try {
      expect(other.faults()).toMatchObject({ requestsPerSecond: 2, concurrencyCap: 3, latencyMs: 1, tokenTtlSeconds: 120 });
      const c = await apiCaller(other);
      const statuses = (await Promise.all(Array.from({ length: 6 }, () => c('GET', '/users')))).map((r) => r.status);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
      expect(statuses).toContain(429);
    } finally {
      await other.close();
    }
  });
});
