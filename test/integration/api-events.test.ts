/**
 * Both API clients report their calls through the ApiEventSink (src/observability/api-events.ts): requests
 * (with the metered Sage Intacct transactions), retries, rate-limit pauses, waits for a slot or a token, and
 * sign-ins/tokens obtained again. Against the sandboxes over real HTTP, with their fault injection; every
 * figure the events claim is checked against the sandbox's own counters.
 */
import { loadConfig, type AppConfig } from '../../src/config';
import type { ApiEvent, ApiEventSink } from '../../src/observability/api-events';
import { ConnectionClients } from '../../src/runtime/connection-clients';
import { resetCompanyLimiters } from '../../src/sage';
import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';

let sage: SageSandbox;
let assignar: AssignarSandbox;

beforeAll(async () => {
  [sage, assignar] = await Promise.all([startSageSandbox({ port: 0, seed: 'demo' }), startAssignarSandbox({ port: 0, seed: 'demo' })]);
});

afterAll(async () => {
  await Promise.all([sage?.close(), assignar?.close()]);
});

beforeEach(() => {
  resetCompanyLimiters();
  sage.faults({ latencyMs: 0, concurrencyCap: 2, failNextRequests: 0, offline: false });
  sage.expireSessions();
  sage.resetStats();
  assignar.resetFaults();
});

class Recorder implements ApiEventSink {
  readonly events: ApiEvent[] = [];
  emit(event: ApiEvent): void {
    this.events.push(event);
  }
  of<T extends ApiEvent['type']>(type: T): Extract<ApiEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<ApiEvent, { type: T }> => e.type === type);
  }
}

/** The embedded demo connection on the sandboxes' random ports, with the given per-system tweaks. */
function demoConfig(tweak: { sage?: Record<string, unknown>; assignar?: Record<string, unknown> } = {}): AppConfig {
  const config = loadConfig(undefined, {});
  const demo = config.connections[0];
  Object.assign(demo.sage, { endpoint: sage.endpointUrl, userTimeZoneOffset: sage.userTimeZoneOffset, maxRetries: 8 }, tweak.sage);
  Object.assign(demo.assignar, { apiBase: assignar.apiBase, tokenUrl: assignar.tokenUrl }, tweak.assignar);
  return config;
}

function clients(tweak?: Parameters<typeof demoConfig>[0]): { clients: ConnectionClients; events: Recorder } {
  const events = new Recorder();
  return { clients: new ConnectionClients(demoConfig(tweak), {}, events), events };
}

describe('Sage Intacct client events', () => {
  test('each request is reported with the transactions it is billed, and they add up to what the gateway metered', async () => {
    const { clients: c, events } = clients();
    const client = c.sage('demo');
    await client.query({ object: 'EMPLOYEE', pageSize: 5 });
    const ids = (await client.query({ object: 'PROJECT', select: ['RECORDNO'], pageSize: 250 })).records.map((r) => r.RECORDNO);
    // More than 100 keys go as several functions in one request (each one metered).
    const found = await client.read('PROJECT', [...ids, ...Array.from({ length: 150 }, (_, i) => String(900_000_000 + i))], ['PROJECTID']);
    expect(found.records).toHaveLength(ids.length);

    // Writes are billed per record: three customers in one create, then deleted in one delete.
    const created = await client.create('CUSTOMER', ['A', 'B', 'C'].map((x) => ({ CUSTOMERID: `C-EVENTS-${x}`, NAME: `Events ${x}` })));
    await client.delete('CUSTOMER', created.map((r) => String((r as { RECORDNO: string }).RECORDNO)));

    const requests = events.of('request');
    expect(requests.every((e) => e.system === 'sage' && e.connection === 'demo' && e.outcome === 'ok' && e.durationMs >= 0)).toBe(true);
    expect(requests.map((e) => [e.operation, e.transactions])).toEqual([
      ['getAPISession', 0], // not metered
      ['query', 1],
      ['query', 1],
      [`read ×${Math.ceil((ids.length + 150) / 100)}`, Math.ceil((ids.length + 150) / 100)],
      ['create', 3],
      ['delete', 3],
    ]);
    const metered = requests.reduce((n, e) => n + (e.transactions ?? 0), 0);
    expect(metered).toBe(sage.stats().transactions.total);
    expect(requests.length).toBe(sage.stats().requests);
  });

  test('a 5xx is a failed request and a retry; an expired session is a retry and a renewed session', async () => {
    const { clients: c, events } = clients();
    const client = c.sage('demo');
    await client.connect();
    sage.faults({ failNextRequests: 1 });
    await client.query({ object: 'EMPLOYEE', pageSize: 1 });
    expect(events.of('request').filter((e) => e.outcome === 'error')).toEqual([
      expect.objectContaining({ system: 'sage', connection: 'demo', operation: 'query', status: 503 }),
    ]);
    // A refused request ran nothing: it is billed nothing.
    expect(events.of('request').filter((e) => e.outcome === 'error')[0].transactions).toBeUndefined();
    expect(events.of('retry')).toEqual([expect.objectContaining({ system: 'sage', connection: 'demo', operation: 'query', attempt: 1, reason: expect.stringContaining('SageTransientError') })]);
    expect(events.of('session-renewed')).toHaveLength(0); // the first sign-in is not a renewal

    expect(sage.expireSessions()).toBeGreaterThan(0);
    await client.query({ object: 'EMPLOYEE', pageSize: 1 });
    expect(events.of('retry').map((e) => e.reason)).toContain('session');
    expect(events.of('session-renewed')).toEqual([{ type: 'session-renewed', system: 'sage', connection: 'demo' }]);
    expect(sage.stats().sessionsOpened).toBe(2);
  });

  test("the gateway's rate limit is reported as rate-limited with the pause, once per refusal", async () => {
    // The client may send 4 at once; the gateway takes 1 per company and refuses the rest with GW-0010.
    const { clients: c, events } = clients({ sage: { concurrency: 4 } });
    const client = c.sage('demo');
    await client.connect();
    sage.faults({ concurrencyCap: 1, latencyMs: 30 });
    await Promise.all(Array.from({ length: 6 }, () => client.query({ object: 'EMPLOYEE', pageSize: 1 })));
    const refused = sage.stats().responses.rateLimited;
    expect(refused).toBeGreaterThan(0);
    const limited = events.of('rate-limited');
    expect(limited).toHaveLength(refused);
    expect(limited.every((e) => e.system === 'sage' && e.connection === 'demo' && e.pauseMs >= 0)).toBe(true);
    expect(events.of('retry').filter((e) => /RateLimit/.test(e.reason))).toHaveLength(refused);
  });

  test('a request that waited for the company slot reports the wait', async () => {
    const { clients: c, events } = clients({ sage: { concurrency: 1 } });
    const client = c.sage('demo');
    await client.connect();
    sage.faults({ latencyMs: 40 });
    await Promise.all([client.query({ object: 'EMPLOYEE', pageSize: 1 }), client.query({ object: 'PROJECT', select: ['PROJECTID'], pageSize: 1 })]);
    const waits = events.of('limit-wait');
    // The second query could only start once the first (held ≥ 40 ms by the gateway) had answered.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ system: 'sage', connection: 'demo' });
    expect(waits[0].waitMs).toBeGreaterThanOrEqual(30);
  });
});

describe('Assignar client events', () => {
  test('requests, 429 pauses with Retry-After, retries and a renewed token', async () => {
    const { clients: c, events } = clients({ assignar: { requestsPerSecond: 500, concurrency: 4, maxRetries: 6 } });
    const client = c.assignar('demo');
    await client.users.listPage({ pageSize: 5 });
    const first = events.of('request');
    expect(first).toEqual([expect.objectContaining({ system: 'assignar', connection: 'demo', operation: 'GET /users', outcome: 'ok', status: 200 })]);

    // The tenant allows 2 requests a second with no burst: the client (told 500/s) meets 429s.
    assignar.setFaults({ requestsPerSecond: 2, burst: 1 });
    await Promise.all(Array.from({ length: 4 }, () => client.users.listPage({ pageSize: 1 })));
    const http429 = assignar.stats().http429.total;
    expect(http429).toBeGreaterThan(0);
    const limited = events.of('rate-limited');
    expect(limited).toHaveLength(http429);
    expect(limited.every((e) => e.connection === 'demo' && e.pauseMs >= 1000)).toBe(true); // Retry-After is in whole seconds
    expect(events.of('retry').filter((e) => e.reason === 'rate_limit')).toHaveLength(http429);
    expect(events.of('request').filter((e) => e.status === 429)).toHaveLength(http429);
    expect(events.of('request')).toHaveLength(client.stats().requests);

    assignar.resetFaults();
    assignar.expireTokens();
    await client.users.listPage({ pageSize: 1 });
    expect(events.of('request').filter((e) => e.status === 401)).toHaveLength(1);
    expect(events.of('session-renewed')).toEqual([{ type: 'session-renewed', system: 'assignar', connection: 'demo' }]);
  });

  test("a request that waited for the connection's rate token reports the wait", async () => {
    const { clients: c, events } = clients({ assignar: { requestsPerSecond: 10, concurrency: 4 } });
    const client = c.assignar('demo');
    await client.authenticate();
    // 10/s with a burst of 1: three requests at once go out 100 ms apart.
    await Promise.all(Array.from({ length: 3 }, () => client.users.listPage({ pageSize: 1 })));
    const waits = events.of('limit-wait');
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(waits.every((e) => e.system === 'assignar' && e.connection === 'demo' && e.waitMs > 0)).toBe(true);
    expect(Math.max(...waits.map((e) => e.waitMs))).toBeGreaterThanOrEqual(150);
  });
});
