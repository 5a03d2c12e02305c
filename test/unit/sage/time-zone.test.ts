import type { SageConfig } from '../../../src/config/schema';
import { ConfigError } from '../../../src/errors';
import { greaterThanOrEqualTo, resetCompanyLimiters, SageClient, toSageTimestamp } from '../../../src/sage';
import { answerQuery, FakeGateway, SESSION_ENDPOINT, type FakeFunction, type FakeRequest, type QueryLog } from './fake-gateway';
import * as fx from './fixtures';

/**
 * Without a configured `userTimeZoneOffset` the client reads and writes Sage Intacct timestamps in the
 * offset of the latest response's session timestamp (reference §1.4, §3.5), so a user at −07:00 in
 * summer and −08:00 in winter is followed; a configured offset always wins.
 */

const LOGIN_ORIGIN = 'https://api.intacct.test';
const SECRETS = { senderPassword: 'sender-pw', userPassword: 'user-pw' };

function config(overrides: Partial<SageConfig> = {}): SageConfig {
  return {
    endpoint: `${LOGIN_ORIGIN}/ia/xml/xmlgw.phtml`,
    senderId: 'MySender',
    senderPassword: { env: 'SAGE_SENDER_PASSWORD' },
    userId: 'ws_user',
    companyId: 'ACME',
    userPassword: { env: 'SAGE_USER_PASSWORD' },
    concurrency: 2,
    requestTimeoutMs: 5_000,
    pageSize: 2000,
    maxRetries: 0,
    auditHistory: true,
    ...overrides,
  };
}

/** A gateway whose every answer carries `stamp()` as its session timestamp (undefined: no timestamp). */
function gatewayAt(stamp: () => string | undefined, rows: Record<string, string>[], log?: QueryLog[]) {
  const auth = () => {
    const ts = stamp();
    return ts === undefined
      ? '<authentication><status>success</status><userid>ws_user</userid><companyid>ACME</companyid></authentication>'
      : fx.authentication({ timestamp: ts, timeout: new Date(Date.parse(ts) + 86_400_000).toISOString() });
  };
  return new FakeGateway([LOGIN_ORIGIN, new URL(SESSION_ENDPOINT).origin], (req: FakeRequest) => {
    const f: FakeFunction = req.functions[0];
    if (f.name === 'getAPISession') return fx.response([fx.result('getAPISession', f.controlId, { data: fx.sessionData('S1', SESSION_ENDPOINT) })], { auth: auth() });
    const body = answerQuery(f, rows, log);
    return body.replace(fx.authentication(), auth());
  });
}

const ROW = { RECORDNO: '7', EMPLOYEEID: 'E7', STATUS: 'active', WHENCREATED: '03/09/2026 10:15:00', WHENMODIFIED: '03/09/2026 10:15:00' };

beforeEach(() => resetCompanyLimiters());

describe('the user’s time-zone offset', () => {
  it('is learned from the session timestamp when none is configured, and records are read in it', async () => {
    const gw = gatewayAt(() => '2026-03-09T10:15:00-07:00', [ROW]);
    const c = new SageClient(config(), SECRETS, { dispatcher: gw.agent });
    expect(c.userTimeZoneOffset()).toBeUndefined();
    const page = await c.query({ object: 'EMPLOYEE' });
    expect(c.userTimeZoneOffset()).toBe('-07:00');
    expect(page.records[0].WHENMODIFIED).toBe('2026-03-09T17:15:00.000Z');
  });

  it('follows the latest response, so a change of offset (daylight saving time) is followed', async () => {
    let stamp = '2026-10-31T10:00:00-07:00';
    const log: QueryLog[] = [];
    const gw = gatewayAt(() => stamp, [ROW], log);
    const c = new SageClient(config(), SECRETS, { dispatcher: gw.agent });
    await c.query({ object: 'EMPLOYEE' });
    expect(c.userTimeZoneOffset()).toBe('-07:00');
    stamp = '2026-11-02T10:00:00-08:00';
    await c.query({ object: 'EMPLOYEE' });
    expect(c.userTimeZoneOffset()).toBe('-08:00');
    // Filters are written in the latest offset: 18:00Z is 10:00 at −08:00.
    await c.pageByRecordNo({ object: 'EMPLOYEE', filter: greaterThanOrEqualTo('WHENMODIFIED', toSageTimestamp('2026-11-02T18:00:00Z', await c.effectiveTimeZoneOffset())) });
    expect(JSON.stringify(log[log.length - 1].filter)).toContain('11/02/2026 10:00:00');
  });

  it('effectiveTimeZoneOffset() signs in once to learn it, and is then known without a request', async () => {
    const gw = gatewayAt(() => '2026-03-09T10:15:00-08:00', []);
    const c = new SageClient(config(), SECRETS, { dispatcher: gw.agent });
    await expect(c.effectiveTimeZoneOffset()).resolves.toBe('-08:00');
    await expect(c.effectiveTimeZoneOffset()).resolves.toBe('-08:00');
    expect(gw.logins).toHaveLength(1);
    expect(gw.calls).toHaveLength(0);
  });

  it('a configured offset wins; the gateway’s stays visible for preflight to compare', async () => {
    const gw = gatewayAt(() => '2026-03-09T10:15:00-08:00', [ROW]);
    const c = new SageClient(config({ userTimeZoneOffset: '-06:00' }), SECRETS, { dispatcher: gw.agent });
    const page = await c.query({ object: 'EMPLOYEE' });
    expect(c.userTimeZoneOffset()).toBe('-06:00');
    expect(c.gatewayTimeZoneOffset()).toBe('-08:00');
    expect(page.records[0].WHENMODIFIED).toBe('2026-03-09T16:15:00.000Z');
  });

  it('neither configured nor reported: a ConfigError that says to set it, never a silent +00:00', async () => {
    const gw = gatewayAt(() => undefined, [ROW]);
    const c = new SageClient(config(), SECRETS, { dispatcher: gw.agent });
    const err = await c.effectiveTimeZoneOffset().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).hint).toMatch(/sage\.userTimeZoneOffset/);
    await expect(c.query({ object: 'EMPLOYEE' })).rejects.toBeInstanceOf(ConfigError);
  });
});
