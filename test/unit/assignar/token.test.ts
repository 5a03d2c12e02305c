import { inspect } from 'node:util';
import { AssignarAuthError, AssignarMalformedResponseError } from '../../../src/assignar';
import { jwtExpiry } from '../../../src/assignar/token-provider';
import { ASSIGNAR_SCOPE } from '../../../src/assignar/scope';
import { CLIENT_ID, CLIENT_SECRET, FakeAssignar, instantClock, makeJwt } from './helpers';

const okList = { status: 200, body: { status: 200, data: [] } };

describe('Assignar OAuth2 client credentials', () => {
  it('requests a token exactly as the reference describes', async () => {
    const fake = new FakeAssignar();
    fake.api = () => okList;
    const client = fake.client();
    await client.users.listPage();

    expect(fake.tokenCalls).toHaveLength(1);
    const t = fake.tokenCalls[0];
    expect(t.method).toBe('POST');
    expect(t.pathname).toBe('/oauth2/token');
    expect(t.headers['authorization']).toBe(`Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`);
    expect(t.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(t.body).toBe(`grant_type=client_credentials&scope=${encodeURIComponent(ASSIGNAR_SCOPE)}`);
    const form = new URLSearchParams(t.body);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('scope')).toBe(ASSIGNAR_SCOPE);

    const a = fake.apiCalls[0];
    expect(a.headers['authorization']).toBe('Bearer tok-1');
    expect(a.headers['accept']).toBe('application/json');
  });

  it('caches the token until shortly before expires_in, then renews it', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    fake.api = () => okList;
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep });
    await client.users.listPage();
    await client.tasks.listPage();
    expect(fake.tokenCalls).toHaveLength(1);

    clock.advance(3600_000 - 61_000); // still outside the 60 s margin
    await client.assets.listPage();
    expect(fake.tokenCalls).toHaveLength(1);

    clock.advance(2_000); // inside the margin: renew before it expires
    await client.assets.listPage();
    expect(fake.tokenCalls).toHaveLength(2);
    expect(fake.apiCalls.map((c) => c.headers['authorization'])).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('uses the JWT exp when expires_in is absent', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    const exp = Math.floor(clock.now() / 1000) + 600; // 10 minutes
    let n = 0;
    fake.token = () => ({ status: 200, body: { access_token: makeJwt({ exp, n: ++n }) } });
    fake.api = () => okList;
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep });
    await client.users.listPage();
    clock.advance(500_000); // 100 s before exp: outside the 60 s margin
    await client.users.listPage();
    expect(fake.tokenCalls).toHaveLength(1);
    clock.advance(45_000); // 55 s before exp
    await client.users.listPage();
    expect(fake.tokenCalls).toHaveLength(2);
  });

  it('assumes one hour when neither expires_in nor a JWT exp is given', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    fake.token = () => ({ status: 200, body: { access_token: `opaque-${fake.tokenCalls.length}` } });
    fake.api = () => okList;
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep });
    await client.users.listPage();
    clock.advance(58 * 60_000);
    await client.users.listPage();
    expect(fake.tokenCalls).toHaveLength(1);
    clock.advance(90_000);
    await client.users.listPage();
    expect(fake.tokenCalls).toHaveLength(2);
  });

  it('shares one in-flight token request between concurrent callers', async () => {
    const fake = new FakeAssignar();
    fake.api = () => okList;
    const client = fake.client();
    await Promise.all(Array.from({ length: 20 }, () => client.users.listPage()));
    expect(fake.tokenCalls).toHaveLength(1);
    expect(fake.apiCalls).toHaveLength(20);
    expect(client.stats().tokenRequests).toBe(1);
  });

  it('renews the token once on a 401 and retries the request once', async () => {
    const fake = new FakeAssignar();
    fake.api = (req) => (req.headers['authorization'] === 'Bearer tok-1' ? { status: 401, body: { message: 'jwt expired' } } : okList);
    const client = fake.client();
    const page = await client.users.listPage();
    expect(page.items).toEqual([]);
    expect(fake.tokenCalls).toHaveLength(2);
    expect(fake.apiCalls.map((c) => c.headers['authorization'])).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(client.stats()).toMatchObject({ tokenRenewals: 1, retries: 0, requests: 2 });
  });

  it('renews once for a burst of concurrent 401s', async () => {
    const fake = new FakeAssignar();
    fake.api = (req) => (req.headers['authorization'] === 'Bearer tok-1' ? { status: 401, body: {} } : okList);
    const client = fake.client();
    await client.authenticate();
    await Promise.all(Array.from({ length: 10 }, () => client.users.listPage()));
    expect(fake.tokenCalls).toHaveLength(2);
  });

  it('gives up with a non-retryable AssignarAuthError when the renewed token is refused too', async () => {
    const fake = new FakeAssignar();
    fake.api = () => ({ status: 401, body: { message: 'invalid token' } });
    const client = fake.client();
    const err = await client.users.listPage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssignarAuthError);
    expect((err as AssignarAuthError).retryable).toBe(false);
    expect(fake.apiCalls).toHaveLength(2);
    expect(fake.tokenCalls).toHaveLength(2);
  });

  it('reports refused client credentials as AssignarAuthError without the secret', async () => {
    const fake = new FakeAssignar();
    fake.token = () => ({ status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } });
    const client = fake.client();
    const err = (await client.authenticate().catch((e: unknown) => e)) as AssignarAuthError;
    expect(err).toBeInstanceOf(AssignarAuthError);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('Client authentication failed');
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    for (const text of [err.message, err.stack ?? '', inspect(err, { depth: 5 }), JSON.stringify(err)]) {
      expect(text).not.toContain(CLIENT_SECRET);
      expect(text).not.toContain(basic);
    }
    expect(fake.apiCalls).toHaveLength(0);
  });

  it('never exposes the secret or the token through the client object or its errors', async () => {
    const fake = new FakeAssignar();
    fake.token = () => ({ status: 200, body: { access_token: 'TOKEN-VALUE-xyz', expires_in: 3600 } });
    fake.api = () => ({ status: 500, body: { message: 'boom' } });
    const client = fake.client({ maxRetries: 0 });
    const err = await client.users.get(1).catch((e: unknown) => e);
    for (const text of [inspect(client, { depth: 10, showHidden: true }), JSON.stringify(client.stats()), String(err), inspect(err, { depth: 5 })]) {
      expect(text).not.toContain(CLIENT_SECRET);
      expect(text).not.toContain('TOKEN-VALUE-xyz');
    }
  });

  it('treats a token response without access_token as malformed', async () => {
    const fake = new FakeAssignar();
    fake.token = () => ({ status: 200, body: { token_type: 'Bearer' } });
    const err = await fake.client().authenticate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssignarMalformedResponseError);
  });

  it('retries a token endpoint 503 like any transient failure', async () => {
    const clock = instantClock();
    const fake = new FakeAssignar();
    let n = 0;
    fake.token = () => (++n === 1 ? { status: 503, body: 'unavailable' } : { status: 200, body: { access_token: 'ok', expires_in: 3600 } });
    fake.api = () => okList;
    const client = fake.client({}, { now: clock.now, sleep: clock.sleep });
    await client.users.listPage();
    expect(fake.tokenCalls).toHaveLength(2);
    expect(client.stats().retries).toBe(1);
  });

  it('decodes the exp claim of a JWT', () => {
    expect(jwtExpiry(makeJwt({ exp: 1234 }))).toBe(1234);
    expect(jwtExpiry(makeJwt({ sub: 'x' }))).toBeUndefined();
    expect(jwtExpiry('not-a-jwt')).toBeUndefined();
    expect(jwtExpiry('a.%%%.c')).toBeUndefined();
  });
});
