import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { ASSIGNAR_SANDBOX_CREDENTIALS, ASSIGNAR_SCOPE } from '../../src/sandbox/demo-credentials';
import { apiCaller, basic, http, requestToken, token } from './assignar-sandbox-http';

let sb: AssignarSandbox;
beforeAll(async () => {
  sb = await startAssignarSandbox({ seed: 'demo' });
});
afterAll(async () => {
  await sb?.close();
});

describe('token endpoint', () => {
  test('client credentials with Basic auth, the form body and the exact scope give a JWT-shaped bearer token', async () => {
    expect(sb.tokenUrl).toBe(`${sb.baseUrl}/oauth2/token`);
    expect(sb.apiBase).toBe(`${sb.baseUrl}/v2`);
    expect(sb.credentials).toEqual(ASSIGNAR_SANDBOX_CREDENTIALS);
    const res = await requestToken(sb);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    const [header, payload, sig] = res.body.access_token.split('.');
    expect(sig).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(claims).toMatchObject({ client_id: 'demo-client', scope: ASSIGNAR_SCOPE, token_use: 'access' });
    expect(claims.exp - claims.iat).toBeGreaterThanOrEqual(3600);
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(3601);
  });

  test('the scope may be sent URL-encoded or plain', async () => {
    const res = await requestToken(sb, { form: `grant_type=client_credentials&scope=${ASSIGNAR_SCOPE}` });
    expect(res.status).toBe(200);
  });

  test('bad or missing client credentials → 401 invalid_client', async () => {
    for (const auth of [basic('demo-client', 'wrong'), basic('someone', 'demo-client-secret'), 'Bearer abc', '']) {
      const res = await requestToken(sb, { auth });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    }
  });

  test('wrong grant type, wrong or missing scope, JSON body → 400', async () => {
    expect((await requestToken(sb, { form: `grant_type=password&scope=${encodeURIComponent(ASSIGNAR_SCOPE)}` })).body.error).toBe('unsupported_grant_type');
    expect((await requestToken(sb, { form: 'grant_type=client_credentials&scope=api_access' })).body.error).toBe('invalid_scope');
    expect((await requestToken(sb, { form: 'grant_type=client_credentials' })).status).toBe(400);
    const json = await requestToken(sb, { contentType: 'application/json', form: JSON.stringify({ grant_type: 'client_credentials', scope: ASSIGNAR_SCOPE }) });
    expect(json.status).toBe(400);
  });

  test('token requests are counted, rejections too', async () => {
    const before = sb.stats();
    await requestToken(sb);
    await requestToken(sb, { auth: basic('x', 'y') });
    const after = sb.stats();
    expect(after.tokens.issued - before.tokens.issued).toBe(1);
    expect(after.tokens.rejected - before.tokens.rejected).toBe(1);
    expect(after.requests.byRoute['POST /oauth2/token']).toBeGreaterThanOrEqual(2);
  });
});

describe('bearer check on every /v2 path', () => {
  test('missing, malformed, forged or foreign tokens → 401 {message}', async () => {
    const good = await token(sb);
    const [h, p] = good.split('.');
    const forged = `${h}.${p}.${Buffer.from('not-the-signature').toString('base64url')}`;
    const other = await startAssignarSandbox();
    const foreign = await token(other);
    await other.close();
    for (const path of ['/users', '/clients/', '/projects/1', '/timesheets-expanded', '/user-types']) {
      for (const auth of [undefined, 'Bearer', `Basic ${Buffer.from('a:b').toString('base64')}`, `Bearer ${forged}`, `Bearer ${foreign}`, 'Bearer not.a.jwt']) {
        const res = await http(sb.apiBase + path, { headers: auth ? { authorization: auth } : {} });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ message: 'Unauthorized' });
      }
    }
    const res = await http(`${sb.apiBase}/timesheets/1/process`, { method: 'PUT' });
    expect(res.status).toBe(401);
  });

  test('a valid token opens every path', async () => {
    const call = await apiCaller(sb);
    expect((await call('GET', '/users')).status).toBe(200);
    expect((await call('GET', '/user-types')).status).toBe(200);
  });

  test('an expired token → 401 "The incoming token has expired"; a new token works', async () => {
    // A zero lifetime: the token has expired by the time it is used, without waiting for a clock.
    sb.setFaults({ tokenTtlSeconds: 0 });
    try {
      const res = await requestToken(sb);
      expect(res.body.expires_in).toBe(0);
      const call = await apiCaller(sb, res.body.access_token);
      const expired = await call('GET', '/users');
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual({ message: 'The incoming token has expired' });
    } finally {
      sb.setFaults({ tokenTtlSeconds: 3600 });
    }
    expect((await (await apiCaller(sb))('GET', '/users')).status).toBe(200);
  });

  test('expireTokens (control API) ends every issued token at once', async () => {
    const call = await apiCaller(sb);
    expect((await call('GET', '/users')).status).toBe(200);
    const put = await http(`${sb.baseUrl}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ expireTokens: true }) });
    expect(put.status).toBe(200);
    expect(put.body.expiredTokens).toBeGreaterThanOrEqual(1);
    expect((await call('GET', '/users')).status).toBe(401);
    const fresh = await apiCaller(sb);
    expect((await fresh('GET', '/users')).status).toBe(200);
    expect(sb.stats().tokens.authFailures).toBeGreaterThan(0);
  });
});
