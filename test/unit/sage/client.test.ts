import type { SageConfig } from '../../../src/config/schema';
import {
  buildCreate,
  buildLookup,
  buildQuery,
  equalTo,
  resetCompanyLimiters,
  SageAlreadyDoneError,
  SageAuthenticationError,
  SageBusinessError,
  SageClient,
  SageRateLimitError,
  SageRequestError,
  SageSessionError,
  SageTransientError,
  type SageWriteRecord,
} from '../../../src/sage';
import { ValidationError } from '../../../src/errors';
import { answerQuery, FakeGateway, parseRequest, sageLike, SESSION_ENDPOINT, type FakeRequest, type QueryLog } from './fake-gateway';
import * as fx from './fixtures';

const LOGIN_ORIGIN = 'https://api.intacct.test';
const SESSION_ORIGIN = 'https://na12.intacct.test';
const SECRETS = { senderPassword: 'sender-SECRET-pw', userPassword: 'user-SECRET-pw' };

function config(overrides: Partial<SageConfig> = {}): SageConfig {
  return {
    endpoint: `${LOGIN_ORIGIN}/ia/xml/xmlgw.phtml`,
    senderId: 'MySender',
    senderPassword: { env: 'SAGE_SENDER_PASSWORD' },
    userId: 'ws_user',
    companyId: 'ACME',
    userPassword: { env: 'SAGE_USER_PASSWORD' },
    entityId: 'EAST',
    userTimeZoneOffset: '-06:00',
    concurrency: 2,
    requestTimeoutMs: 5_000,
    pageSize: 2000,
    maxRetries: 3,
    auditHistory: true,
    ...overrides,
  };
}

const sleeps: number[] = [];
const noSleep = async (ms: number) => {
  sleeps.push(ms);
};

function client(gw: FakeGateway, overrides: Partial<SageConfig> = {}, now?: () => number) {
  return new SageClient(config(overrides), SECRETS, { dispatcher: gw.agent, sleep: noSleep, random: () => 0.5, ...(now ? { now } : {}) });
}

function employees(n: number, wm: (i: number) => string = () => '06/01/2025 10:00:00') {
  return Array.from({ length: n }, (_, i) => ({
    RECORDNO: String(i + 1),
    EMPLOYEEID: `E${String(i + 1).padStart(3, '0')}`,
    STATUS: 'active',
    WHENCREATED: '01/01/2025 00:00:00',
    WHENMODIFIED: wm(i),
    'CONTACT.EMAIL1': `e${i + 1}@example.com`,
  }));
}

const queryOk = (rows: Record<string, string>[], log?: QueryLog[]) => sageLike((_req, f) => answerQuery(f, rows, log));

beforeEach(() => {
  resetCompanyLimiters();
  sleeps.length = 0;
});

describe('sessions', () => {
  it('opens a session with getAPISession alone, then sends calls with the session id to the returned endpoint', async () => {
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], queryOk(employees(3)));
    const c = client(gw);
    const page = await c.query({ object: 'EMPLOYEE', filter: equalTo('STATUS', 'active') });
    expect(page.records).toHaveLength(3);
    await c.query({ object: 'EMPLOYEE' });

    expect(gw.logins).toHaveLength(1);
    const login = gw.logins[0];
    expect(login.url).toBe(`${LOGIN_ORIGIN}/ia/xml/xmlgw.phtml`);
    expect(login.functions).toHaveLength(1);
    expect(login.functions[0].body).toEqual({ locationid: 'EAST' });
    expect(login.login).toEqual({ userid: 'ws_user', companyid: 'ACME', password: 'user-SECRET-pw', locationid: 'EAST' });
    expect(login.senderId).toBe('MySender');
    expect(login.senderPassword).toBe('sender-SECRET-pw');
    expect(login.uniqueId).toBe('false');

    expect(gw.calls).toHaveLength(2);
    for (const call of gw.calls) {
      expect(call.url).toBe(SESSION_ENDPOINT);
      expect(call.sessionId).toBe('S1');
      expect(call.login).toBeUndefined();
    }
    await expect(c.connect()).resolves.toMatchObject({ endpoint: SESSION_ENDPOINT });
  });

  it('renews before the sliding sessiontimeout, read from every response', async () => {
    let now = Date.parse('2025-06-01T10:00:00Z');
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');
    const slidingAuth = () => fx.authentication({ timestamp: iso(now), timeout: iso(now + 60 * 60_000) });
    const rows = employees(1);
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], sageLike((req, f) => answerQuery(f, rows).replace(/<authentication>[\s\S]*?<\/authentication>/, slidingAuth()), { auth: slidingAuth }));
    const c = client(gw, {}, () => now);

    await c.query({ object: 'EMPLOYEE' });
    now += 50 * 60_000; // 50 min later: still inside the hour
    await c.query({ object: 'EMPLOYEE' });
    now += 50 * 60_000; // 100 min after login, but the last call slid the timeout to 110 min
    await c.query({ object: 'EMPLOYEE' });
    expect(gw.logins).toHaveLength(1);
    now += 59 * 60_000 + 30_000; // inside the last minute before the timeout: renew first
    await c.query({ object: 'EMPLOYEE' });
    expect(gw.logins).toHaveLength(2);
    expect(gw.calls.map((r) => r.sessionId)).toEqual(['S1', 'S1', 'S1', 'S2']);
  });

  it('signs in again exactly once and resends when the session is invalid', async () => {
    const rows = employees(2);
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], sageLike((req, f) => (req.sessionId === 'S1' ? fx.INVALID_SESSION : answerQuery(f, rows))));
    const c = client(gw);
    const res = await c.query({ object: 'EMPLOYEE' });
    expect(res.records).toHaveLength(2);
    expect(gw.logins).toHaveLength(2);
    expect(gw.calls.map((r) => r.sessionId)).toEqual(['S1', 'S2']);
    // The resend keeps the function controlid.
    expect(gw.calls[0].functions[0].controlId).toBe(gw.calls[1].functions[0].controlId);
  });

  it('gives up with SageSessionError after one re-login', async () => {
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], sageLike(() => fx.INVALID_SESSION));
    const c = client(gw);
    const err = await c.query({ object: 'EMPLOYEE' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SageSessionError);
    expect((err as SageSessionError).retryable).toBe(true);
    expect(gw.logins).toHaveLength(2);
    expect(gw.calls).toHaveLength(2);
  });

  it('reports bad credentials without retrying, and never puts secrets in the message', async () => {
    const gw = new FakeGateway([LOGIN_ORIGIN], () => fx.authenticationFailure([{ errorno: 'XL03000006', description: 'Sign-in information is incorrect', description2: 'password user-SECRET-pw rejected' }]));
    const err = await client(gw).query({ object: 'EMPLOYEE' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SageAuthenticationError);
    expect((err as Error).message).not.toContain('SECRET');
    expect(JSON.stringify((err as SageAuthenticationError).errors)).not.toContain('SECRET');
    expect(gw.requests).toHaveLength(1);

    const gw2 = new FakeGateway([LOGIN_ORIGIN], () => fx.BAD_SENDER);
    const err2 = await client(gw2).connect().catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(SageAuthenticationError);
    expect(gw2.requests).toHaveLength(1);
  });

  it('redacts session ids that Sage Intacct echoes in an error', async () => {
    const gw = new FakeGateway(
      [LOGIN_ORIGIN, SESSION_ORIGIN],
      sageLike((req, f) => fx.response([fx.result('query', f.controlId, { errors: [{ errorno: 'X', description: `bad request for session ${req.sessionId}` }] })])),
    );
    const err = await client(gw).query({ object: 'EMPLOYEE' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SageBusinessError);
    expect((err as Error).message).toContain('bad request for session ***');
    expect((err as Error).message).not.toContain('S1');
  });

  it('refuses a session endpoint that downgrades https to http', async () => {
    const gw = new FakeGateway([LOGIN_ORIGIN], (req) =>
      fx.response([fx.result('getAPISession', req.functions[0].controlId, { data: fx.sessionData('S1', 'http://na12.intacct.test/ia/xml/xmlgw.phtml') })]),
    );
    await expect(client(gw).connect()).rejects.toBeInstanceOf(SageRequestError);
  });

  it('falls back to the configured endpoint when the session names none', async () => {
    const rows = employees(1);
    const gw = new FakeGateway([LOGIN_ORIGIN], (req) => {
      const f = req.functions[0];
      return f.name === 'getAPISession' ? fx.response([fx.result('getAPISession', f.controlId, { data: fx.sessionData('S1', '') })]) : answerQuery(f, rows);
    });
    await client(gw).query({ object: 'EMPLOYEE' });
    expect(gw.calls[0].url).toBe(`${LOGIN_ORIGIN}/ia/xml/xmlgw.phtml`);
  });
});

describe('retries and backoff', () => {
  function flaky(failures: ((req: FakeRequest) => ReturnType<Parameters<typeof sageLike>[0]>)[]) {
    const rows = employees(2);
    let n = 0;
    return sageLike((req, f) => (n < failures.length ? failures[n++](req) : answerQuery(f, rows)));
  }

  it('backs off with full jitter on 429 and 5xx, then succeeds', async () => {
    const gw = new FakeGateway(
      [LOGIN_ORIGIN, SESSION_ORIGIN],
      flaky([() => ({ status: 429, body: fx.GATEWAY_RATE_LIMIT }), () => ({ status: 503 }), () => ({ status: 502, body: '<html>Bad gateway</html>' })]),
    );
    const retries: { attempt: number; delayMs: number; error: string }[] = [];
    const c = new SageClient(config(), SECRETS, {
      dispatcher: gw.agent,
      sleep: noSleep,
      random: () => 0.5,
      onRetry: (i) => retries.push({ attempt: i.attempt, delayMs: i.delayMs, error: i.error.name }),
    });
    const res = await c.query({ object: 'EMPLOYEE' });
    expect(res.records).toHaveLength(2);
    expect(gw.calls).toHaveLength(4);
    // random() = 0.5 → half of 500, 1000, 2000 ms.
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(retries).toEqual([
      { attempt: 1, delayMs: 250, error: 'SageRateLimitError' },
      { attempt: 2, delayMs: 500, error: 'SageTransientError' },
      { attempt: 3, delayMs: 1000, error: 'SageTransientError' },
    ]);
  });

  it('retries GW-0010 in a 200 body, "Temporarily Off-line", malformed bodies and connection resets', async () => {
    const gw = new FakeGateway(
      [LOGIN_ORIGIN, SESSION_ORIGIN],
      flaky([() => fx.GATEWAY_RATE_LIMIT, () => fx.OFFLINE, () => '<response><control><status>success</status>']),
    );
    const c = client(gw);
    await expect(c.query({ object: 'EMPLOYEE' })).resolves.toMatchObject({ count: 2 });
    expect(gw.calls).toHaveLength(4);
  });

  it('honours Retry-After as a floor', async () => {
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], flaky([() => ({ status: 429, headers: { 'retry-after': '2' } })]));
    await client(gw).query({ object: 'EMPLOYEE' });
    expect(sleeps).toEqual([2000]);
  });

  it('stops after maxRetries and throws the retryable error', async () => {
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], sageLike(() => ({ status: 429 })));
    const err = await client(gw, { maxRetries: 2 }).query({ object: 'EMPLOYEE' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SageRateLimitError);
    expect((err as SageRateLimitError).retryable).toBe(true);
    expect(gw.calls).toHaveLength(3);
  });

  it('does not retry business errors or control-level request errors', async () => {
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], sageLike((_req, f) => fx.response([fx.result('query', f.controlId, { errors: fx.QUERY_FAILED })])));
    await expect(client(gw).query({ object: 'EMPLOYEE' })).rejects.toBeInstanceOf(SageBusinessError);
    expect(gw.calls).toHaveLength(1);

    const gw2 = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], sageLike(() => fx.XML_PARSE_ERROR));
    await expect(client(gw2).query({ object: 'EMPLOYEE' })).rejects.toBeInstanceOf(SageRequestError);
    expect(gw2.calls).toHaveLength(1);
  });

  it('times out slow requests (transient) and retries them', async () => {
    const slowOrigin = 'https://slow.intacct.test';
    const gw = new FakeGateway([LOGIN_ORIGIN], (req) =>
      fx.response([fx.result('getAPISession', req.functions[0].controlId, { data: fx.sessionData('S1', `${slowOrigin}/ia/xml/xmlgw.phtml`) })]),
    );
    let attempts = 0;
    gw.agent
      .get(slowOrigin)
      .intercept({ path: () => true, method: 'POST' })
      .reply(200, (() => {
        attempts++;
        return fx.response([]);
      }) as unknown as string)
      .delay(300)
      .persist();
    const c = new SageClient(config({ requestTimeoutMs: 50, maxRetries: 1 }), SECRETS, { dispatcher: gw.agent, sleep: noSleep });
    const err = await c.query({ object: 'EMPLOYEE' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SageTransientError);
    expect((err as SageTransientError).kind).toBe('timeout');
    expect(sleeps).toHaveLength(1);
    expect(attempts).toBe(0); // both attempts were abandoned before the slow reply came
  });

  it('maps connection resets to a retryable transient error', async () => {
    const gw = new FakeGateway([LOGIN_ORIGIN], sageLike(() => fx.response([])));
    gw.agent
      .get('https://reset.intacct.test')
      .intercept({ path: () => true, method: 'POST' })
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .persist();
    gw.setHandler((req) => fx.response([fx.result('getAPISession', req.functions[0].controlId, { data: fx.sessionData('S1', 'https://reset.intacct.test/x') })]));
    const err = await client(gw, { maxRetries: 0 }).query({ object: 'EMPLOYEE' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SageTransientError);
    expect((err as SageTransientError).kind).toBe('network');
  });
});

describe('concurrency limit per company', () => {
  it('is shared by every client of the same host + company in the process; other companies are not held back', async () => {
    const rows = employees(1);
    const slowOrigin = 'https://slow.intacct.test';
    const inFlight: Record<string, number> = {};
    const peak: Record<string, number> = {};
    const answered: Record<string, number> = {};
    const gw = new FakeGateway([LOGIN_ORIGIN], (req) =>
      fx.response([fx.result('getAPISession', req.functions[0].controlId, { data: fx.sessionData(`S-${req.login?.companyid}`, `${slowOrigin}/${req.login?.companyid}`) })]),
    );
    const slowReply = async (opts: { path: string; body?: unknown }) => {
      const company = opts.path.slice(1);
      answered[company] = (answered[company] ?? 0) + 1;
      inFlight[company] = (inFlight[company] ?? 0) + 1;
      peak[company] = Math.max(peak[company] ?? 0, inFlight[company]);
      await new Promise((resolve) => setTimeout(resolve, 40));
      inFlight[company]--;
      return answerQuery(parseRequest(opts.path, String(opts.body)).functions[0], rows);
    };
    gw.agent
      .get(slowOrigin)
      .intercept({ path: () => true, method: 'POST' })
      .reply(200, slowReply as unknown as string)
      .persist();
    const a = client(gw);
    const b = client(gw);
    const other = client(gw, { companyId: 'OTHER' });
    await Promise.all([a.connect(), b.connect(), other.connect()]);
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).query({ object: 'EMPLOYEE' })),
      ...Array.from({ length: 2 }, () => other.query({ object: 'EMPLOYEE' })),
    ]);
    // Six ACME calls from two clients never had more than 2 in flight; OTHER's two went side by side.
    expect(answered).toEqual({ ACME: 6, OTHER: 2 });
    expect(peak.ACME).toBe(2);
    expect(peak.OTHER).toBe(2);
  });
});

describe('query and keyset paging', () => {
  it('sends exactly one query function per page request, with the schema fields and never *', async () => {
    const log: QueryLog[] = [];
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], queryOk(employees(5), log));
    const c = client(gw);
    const pages = [];
    for await (const page of c.pagesByRecordNo({ object: 'EMPLOYEE', pageSize: 2 })) pages.push(page);
    expect(pages.map((p) => p.records.map((r) => r.RECORDNO))).toEqual([['1', '2'], ['3', '4'], ['5']]);
    expect(pages.map((p) => p.done)).toEqual([false, false, true]);
    for (const call of gw.calls) {
      expect(call.functions).toHaveLength(1);
      expect(call.functions[0].name).toBe('query');
      expect(call.uniqueId).toBe('false');
      expect(call.raw).not.toContain('<field>*</field>');
    }
    expect(log[0].select).toContain('CONTACT.EMAIL1');
    expect(log[0].orderBy).toEqual(['RECORDNO']);
    expect(log[0].filter).toBeUndefined();
    expect(log[1].filter).toEqual({ greaterthan: [{ field: ['RECORDNO'], value: ['2'] }] });
    // Records are validated and converted: WHENMODIFIED in -06:00 → UTC.
    expect(pages[0].records[0].WHENMODIFIED).toBe('2025-06-01T16:00:00.000Z');
  });

  it('resumes from a serialised cursor in another client, ANDing the caller filter', async () => {
    const log: QueryLog[] = [];
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], queryOk(employees(5), log));
    const first = await client(gw).pageByRecordNo({ object: 'EMPLOYEE', pageSize: 2, filter: equalTo('STATUS', 'active') });
    const heartbeat = JSON.parse(JSON.stringify({ cursor: first.cursor }));
    const rest = [];
    for await (const p of client(gw).pagesByRecordNo({ object: 'EMPLOYEE', pageSize: 2, filter: equalTo('STATUS', 'active') }, heartbeat.cursor)) rest.push(...p.records);
    expect(rest.map((r) => r.RECORDNO)).toEqual(['3', '4', '5']);
    expect(log[1].filter).toEqual({
      and: [{ equalto: [{ field: ['STATUS'], value: ['active'] }], greaterthan: [{ field: ['RECORDNO'], value: ['2'] }] }],
    });
    const foreign = JSON.stringify({ v: 1, mode: 'modified', object: 'EMPLOYEE', after: null });
    await expect(client(gw).pageByRecordNo({ object: 'EMPLOYEE' }, foreign)).rejects.toBeInstanceOf(ValidationError);
    await expect(client(gw).pageByRecordNo({ object: 'PROJECT' }, first.cursor)).rejects.toBeInstanceOf(ValidationError);
    await expect(client(gw).pageByRecordNo({ object: 'EMPLOYEE' }, 'garbage')).rejects.toBeInstanceOf(ValidationError);
  });

  it('returns rejected records alongside valid ones and still advances the cursor past them', async () => {
    const rows = employees(3);
    rows[2].WHENMODIFIED = '13/45/2025 99:00:00';
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], queryOk(rows));
    const page = await client(gw).pageByRecordNo({ object: 'EMPLOYEE' });
    expect(page.records.map((r) => r.RECORDNO)).toEqual(['1', '2']);
    expect(page.rejected).toEqual([expect.objectContaining({ recordNo: '3', reason: expect.stringMatching(/timestamp/) })]);
    expect(JSON.parse(page.cursor).after).toBe('3');
  });

  it('pagesByOffset reads everything with ceil(N / pageSize) queries, pages in order', async () => {
    const log: QueryLog[] = [];
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], queryOk(employees(7), log));
    const pages = [];
    for await (const p of client(gw).pagesByOffset({ object: 'EMPLOYEE', pageSize: 2 })) pages.push(p.records.map((r) => r.RECORDNO));
    expect(pages).toEqual([['1', '2'], ['3', '4'], ['5', '6'], ['7']]);
    expect(gw.calls).toHaveLength(4);
    expect(log.every((q) => q.orderBy.join() === 'RECORDNO' && q.pageSize === 2)).toBe(true);
    expect(gw.calls.map((c) => (c.functions[0].body as { offset: string }).offset).sort()).toEqual(['0', '2', '4', '6']);
  });

  describe('pagesByOffset pipelining', () => {
    /** A session origin whose query replies wait until the test opens their offset's gate. */
    function gated(rows: Record<string, string>[], open: (offset: string) => Promise<void>) {
      const origin = 'https://gated.intacct.test';
      const sent: string[] = [];
      const gw = new FakeGateway([LOGIN_ORIGIN], (req) =>
        fx.response([fx.result('getAPISession', req.functions[0].controlId, { data: fx.sessionData('S1', `${origin}/ia/xml/xmlgw.phtml`) })]),
      );
      gw.agent
        .get(origin)
        .intercept({ path: () => true, method: 'POST' })
        .reply(200, (async (opts: { path: string; body?: unknown }) => {
          const f = parseRequest(opts.path, String(opts.body)).functions[0];
          const offset = String((f.body as { offset?: string }).offset ?? '0');
          sent.push(offset);
          await open(offset);
          return answerQuery(f, rows);
        }) as unknown as string)
        .persist();
      return { gw, sent };
    }
    function gate() {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { open, opened };
    }
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(check()).toBe(true);
    };

    it('sends the next offset as soon as a slot frees, not when the in-order page is consumed; yields in order', async () => {
      const gates: Record<string, ReturnType<typeof gate>> = { '2': gate(), '4': gate() };
      const { gw, sent } = gated(employees(7), (offset) => gates[offset]?.opened ?? Promise.resolve());
      const c = new SageClient(config(), SECRETS, { dispatcher: gw.agent, sleep: noSleep });
      const pages: string[][] = [];
      const reading = (async () => {
        for await (const p of c.pagesByOffset({ object: 'EMPLOYEE', pageSize: 2 })) pages.push(p.records.map((r) => r.RECORDNO));
      })();
      // Offsets 2 and 4 take both slots; 6 waits for one.
      await until(() => sent.length === 3);
      expect(sent).toEqual(['0', '2', '4']);
      // Offset 4 answers while 2 (the next in order) is still out: 6 goes at once, before page 2 is consumed.
      gates['4'].open();
      await until(() => sent.length === 4);
      expect(sent[3]).toBe('6');
      // Page 1 may still be parsing when 6 goes; page 2 cannot be consumed while its answer is held.
      await until(() => pages.length === 1);
      expect(pages).toEqual([['1', '2']]);
      gates['2'].open();
      await reading;
      expect(pages).toEqual([['1', '2'], ['3', '4'], ['5', '6'], ['7']]);
      expect(sent).toEqual(['0', '2', '4', '6']);
    });

    it('stopping early cancels the queries not yet sent', async () => {
      const held = gate();
      const { gw, sent } = gated(employees(9), (offset) => (offset === '0' ? Promise.resolve() : held.opened));
      const c = new SageClient(config(), SECRETS, { dispatcher: gw.agent, sleep: noSleep });
      for await (const p of c.pagesByOffset({ object: 'EMPLOYEE', pageSize: 2 })) {
        expect(p.offset).toBe(0);
        break;
      }
      held.open();
      // The two in flight finish; the ones queued behind them (offsets 6 and 8) are never sent.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sent).toEqual(['0', '2', '4']);
      // Their slots were handed back: the company's limiter is free for the next call.
      await expect(c.query({ object: 'EMPLOYEE', pageSize: 2 })).resolves.toMatchObject({ count: 2 });
      expect(sent).toEqual(['0', '2', '4', '0']);
    });
  });

  it('adds RECORDNO to a select or fields list that lacks it (schema objects), so records are not rejected', async () => {
    const log: QueryLog[] = [];
    const rows = employees(3);
    const gw = new FakeGateway(
      [LOGIN_ORIGIN, SESSION_ORIGIN],
      sageLike((req, f) => {
        if (f.name === 'query') return answerQuery(f, rows, log);
        const fields = String((f.body as { fields: string }).fields).split(',');
        const pick = (r: Record<string, string>) => Object.fromEntries(fields.map((k) => [k, r[k] ?? '']));
        return fx.response(req.functions.map((g) => fx.result(g.name, g.controlId, { data: fx.queryData('EMPLOYEE', rows.slice(0, 1).map(pick)) })));
      }),
    );
    const c = client(gw);
    const q = await c.query({ object: 'EMPLOYEE', select: ['EMPLOYEEID', 'STATUS'] });
    expect(q.rejected).toEqual([]);
    expect(q.records.map((r) => r.RECORDNO)).toEqual(['1', '2', '3']);
    expect(log[0].select).toEqual(['EMPLOYEEID', 'STATUS', 'RECORDNO']);

    const offsetPages = [];
    for await (const p of c.pagesByOffset({ object: 'EMPLOYEE', select: ['EMPLOYEEID'], pageSize: 2 })) offsetPages.push(p);
    expect(offsetPages.flatMap((p) => p.rejected)).toEqual([]);
    expect(offsetPages.flatMap((p) => p.records.map((r) => r.RECORDNO))).toEqual(['1', '2', '3']);
    expect(log.slice(1).map((l) => l.select)).toEqual([['EMPLOYEEID', 'RECORDNO'], ['EMPLOYEEID', 'RECORDNO']]);

    const byKey = await c.read('EMPLOYEE', ['1'], ['EMPLOYEEID']);
    expect(byKey.rejected).toEqual([]);
    expect(byKey.records).toEqual([expect.objectContaining({ RECORDNO: '1', EMPLOYEEID: 'E001' })]);
    const fieldLists = gw.calls.filter((r) => r.functions[0].name !== 'query').map((r) => (r.functions[0].body as { fields: string }).fields);
    expect(fieldLists).toEqual(['EMPLOYEEID,RECORDNO']);

    // Not added twice (any case), and not added for objects without a schema.
    await c.query({ object: 'EMPLOYEE', select: ['recordno', 'EMPLOYEEID'] });
    expect(log[log.length - 1].select).toEqual(['recordno', 'EMPLOYEEID']);
    await c.query({ object: 'VENDOR', select: ['VENDORID'] });
    expect(log[log.length - 1].select).toEqual(['VENDORID']);
  });

  it('needs a select list for objects it has no schema for', async () => {
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], queryOk([]));
    await expect(client(gw).query({ object: 'VENDOR' })).rejects.toBeInstanceOf(SageRequestError);
  });
});

describe('read, lookup', () => {
  it('read splits more than 100 keys into several functions of one request', async () => {
    const gw = new FakeGateway(
      [LOGIN_ORIGIN, SESSION_ORIGIN],
      sageLike((req) =>
        fx.response(
          req.functions.map((f) => {
            const keys = String((f.body as { keys: string }).keys).split(',');
            return fx.result('read', f.controlId, { data: fx.queryData('EMPLOYEE', keys.map((k) => ({ RECORDNO: k, EMPLOYEEID: `E${k}` }))) });
          }),
        ),
      ),
    );
    const keys = Array.from({ length: 150 }, (_, i) => String(i + 1));
    const res = await client(gw).read('EMPLOYEE', keys, ['RECORDNO', 'EMPLOYEEID']);
    expect(res.records).toHaveLength(150);
    expect(gw.calls).toHaveLength(1);
    expect(gw.calls[0].functions.map((f) => f.name)).toEqual(['read', 'read']);
  });

  it('lookup returns the definition', async () => {
    const gw = new FakeGateway(
      [LOGIN_ORIGIN, SESSION_ORIGIN],
      sageLike((_req, f) =>
        fx.response([
          fx.result('lookup', f.controlId, {
            data: '<data listtype="All" count="1"><Type Name="EMPLOYEE" DocumentType=""><Fields><Field><ID>RECORDNO</ID><DATATYPE>INTEGER</DATATYPE></Field></Fields></Type></data>',
          }),
        ]),
      ),
    );
    const c = client(gw);
    await expect(c.lookup('EMPLOYEE')).resolves.toEqual({ Fields: { Field: { ID: 'RECORDNO', DATATYPE: 'INTEGER' } } });
  });
});

describe('writes', () => {
  const entries = [
    { ENTRYDATE: '06/02/2025', QTY: '7.5', PROJECTID: 'P-100', TASKID: 'T-1', COSTTYPEID: 'LAB', ITEMID: 'LAB-1', DESCRIPTION: '現場 ]]> work' },
    { ENTRYDATE: '06/03/2025', QTY: '8', PROJECTID: 'P-100', TASKID: 'T-1', COSTTYPEID: 'EQUIPMENT', ITEMID: 'EXC-1' },
  ];
  const timesheet: SageWriteRecord = {
    EMPLOYEEID: 'E1',
    BEGINDATE: '06/02/2025',
    DESCRIPTION: "Week 23 — O'Brien & <crew>",
    STATE: 'Submitted',
    TIMESHEETENTRIES: { TIMESHEETENTRY: entries },
  };
  /** A TIMESHEET create as the export sends it: `execute` under uniqueid=true with a deterministic controlid. */
  const createTimesheet = async (c: SageClient, controlId: string) => {
    const [r] = await c.execute([buildCreate('TIMESHEET', [timesheet], controlId)], { uniqueId: true });
    return r;
  };

  it('a TIMESHEET with entries goes under uniqueid=true with the given controlid, and RECORDNO comes back', async () => {
    const gw = new FakeGateway(
      [LOGIN_ORIGIN, SESSION_ORIGIN],
      sageLike((_req, f) => fx.response([fx.result('create', f.controlId, { data: '<data listtype="objects" count="1"><timesheet><RECORDNO>112</RECORDNO></timesheet></data>' })])),
    );
    const r = await createTimesheet(client(gw), 'ts-E1-2025-06-02-abc');
    expect(r.error).toBeUndefined();
    expect(r.data?.records[0]?.RECORDNO).toBe('112');
    const call = gw.calls[0];
    expect(call.uniqueId).toBe('true');
    expect(call.functions).toHaveLength(1);
    expect(call.functions[0].controlId).toBe('ts-E1-2025-06-02-abc');
    const ts = (call.functions[0].body as { TIMESHEET: Record<string, unknown> }).TIMESHEET;
    expect(ts).toMatchObject({ EMPLOYEEID: 'E1', BEGINDATE: '06/02/2025', DESCRIPTION: "Week 23 — O'Brien & <crew>", STATE: 'Submitted' });
    const sent = (ts.TIMESHEETENTRIES as { TIMESHEETENTRY: Record<string, string>[] }).TIMESHEETENTRY;
    expect(sent).toHaveLength(2);
    expect(sent[0]).toEqual(entries[0]);
    expect(call.raw.indexOf('<EMPLOYEEID>')).toBeLessThan(call.raw.indexOf('<TIMESHEETENTRIES>'));
  });

  it('a repeated controlid is SageAlreadyDoneError; a refusal is SageBusinessError with details', async () => {
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], sageLike((_req, f) => fx.response([fx.result('create', f.controlId, { errors: fx.ALREADY_EXECUTED })])));
    const done = await createTimesheet(client(gw), 'ts-42');
    expect(done.error).toBeInstanceOf(SageAlreadyDoneError);
    expect((done.error as SageAlreadyDoneError).controlId).toBe('ts-42');
    expect(gw.calls).toHaveLength(1);

    gw.setHandler(
      sageLike((_req, f) =>
        fx.response([
          fx.result('create', f.controlId, {
            data: '<data listtype="objects" count="0"/>',
            errors: [{ errorno: 'BL01001973', description: 'Could not create Timesheet record!', description2: 'Employee E1 is inactive.', correction: 'Activate the employee.' }],
          }),
        ]),
      ),
    );
    const biz = await createTimesheet(client(gw), 'ts-43');
    expect(biz.error).toBeInstanceOf(SageBusinessError);
    expect((biz.error as SageBusinessError).errors[0]).toEqual({ errorno: 'BL01001973', description: 'Could not create Timesheet record!', description2: 'Employee E1 is inactive.', correction: 'Activate the employee.' });
  });

  it('after a lost response the resend keeps the controlid and reports already done', async () => {
    let n = 0;
    const gw = new FakeGateway(
      [LOGIN_ORIGIN, SESSION_ORIGIN],
      sageLike((_req, f) => (n++ === 0 ? { status: 502 } : fx.response([fx.result('create', f.controlId, { errors: fx.ALREADY_EXECUTED })]))),
    );
    expect((await createTimesheet(client(gw), 'ts-9')).error).toBeInstanceOf(SageAlreadyDoneError);
    expect(gw.calls.map((r) => r.functions[0].controlId)).toEqual(['ts-9', 'ts-9']);
    expect(gw.calls.map((r) => r.uniqueId)).toEqual(['true', 'true']);
  });

  it('create / update / delete', async () => {
    const gw = new FakeGateway(
      [LOGIN_ORIGIN, SESSION_ORIGIN],
      sageLike((req) =>
        fx.response(
          req.functions.map((f) =>
            f.name === 'delete'
              ? fx.result('delete', f.controlId)
              : fx.result(f.name, f.controlId, { data: '<data listtype="objects" count="1"><customer><RECORDNO>8346</RECORDNO><CUSTOMERID>C-1</CUSTOMERID></customer></data>' }),
          ),
        ),
      ),
    );
    const c = client(gw);
    await expect(c.create('CUSTOMER', [{ CUSTOMERID: 'C-1', NAME: 'Ωmega & Co' }], { controlId: 'c-1' })).resolves.toEqual([{ RECORDNO: '8346', CUSTOMERID: 'C-1' }]);
    await expect(c.update('CUSTOMER', [{ RECORDNO: '8346', NAME: 'x' }])).resolves.toHaveLength(1);
    await expect(c.delete('CUSTOMER', Array.from({ length: 150 }, (_, i) => String(i + 1)), { controlId: 'd' })).resolves.toBeUndefined();
    expect(gw.calls.map((r) => r.uniqueId)).toEqual(['true', 'true', 'true']);
    expect(gw.calls[0].functions[0].body).toEqual({ CUSTOMER: { CUSTOMERID: 'C-1', NAME: 'Ωmega & Co' } });
    expect(gw.calls[2].functions.map((f) => f.controlId)).toEqual(['d-1', 'd-2']);
  });
});

describe('execute', () => {
  it('sends several functions in one request and returns each result with its own error', async () => {
    const rows = employees(2);
    const gw = new FakeGateway(
      [LOGIN_ORIGIN, SESSION_ORIGIN],
      sageLike((req) =>
        fx.response(
          req.functions.map((f) =>
            f.name === 'lookup' ? fx.result('lookup', f.controlId, { errors: fx.PERMISSION_DENIED }) : answerQuery(f, rows).match(/<result>[\s\S]*<\/result>/)![0],
          ),
        ),
      ),
    );
    const fns = [buildQuery({ object: 'EMPLOYEE', select: ['RECORDNO'] }, 'q-1'), buildLookup('TIMESHEET', 'l-1')];
    const [q, l] = await client(gw).execute(fns, { transaction: false });
    expect(q.status).toBe('success');
    expect(q.data?.records).toHaveLength(2);
    expect(l.error?.name).toBe('SagePermissionError');
    expect(gw.calls[0].transaction).toBe('false');
    expect(gw.calls[0].functions.map((f) => f.controlId)).toEqual(['q-1', 'l-1']);
  });
});
