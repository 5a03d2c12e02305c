import type { SageConfig } from '../../../src/config/schema';
import { resetCompanyLimiters, SageAuthenticationError, SageClient } from '../../../src/sage';
import { FakeGateway } from './fake-gateway';
import * as fx from './fixtures';

/** A refused sign-in says which credential to fix (field and environment variable), never its value. */

const LOGIN_ORIGIN = 'https://api.intacct.test';
const SECRETS = { senderPassword: 'sender-SECRET-pw', userPassword: 'user-SECRET-pw' };

function client(gw: FakeGateway): SageClient {
  const config: SageConfig = {
    endpoint: `${LOGIN_ORIGIN}/ia/xml/xmlgw.phtml`,
    senderId: 'MySender',
    senderPassword: { env: 'ACME_SAGE_SENDER_PW' },
    userId: 'ws_user',
    companyId: 'ACME',
    userPassword: { env: 'ACME_SAGE_USER_PW' },
    userTimeZoneOffset: '-06:00',
    concurrency: 2,
    requestTimeoutMs: 5_000,
    pageSize: 2000,
    maxRetries: 3,
    auditHistory: true,
  };
  return new SageClient(config, SECRETS, { dispatcher: gw.agent, sleep: async () => undefined });
}

beforeEach(() => resetCompanyLimiters());

test('a wrong user password: one sign-in, the error names the user, the company and the password variable', async () => {
  const gw = new FakeGateway([LOGIN_ORIGIN], () => fx.BAD_LOGIN);
  const err = (await client(gw).query({ object: 'EMPLOYEE' }).catch((e: unknown) => e)) as SageAuthenticationError;
  expect(err).toBeInstanceOf(SageAuthenticationError);
  expect(err.credential).toBe('user');
  expect(err.retryable).toBe(false);
  expect(err.connectionWide).toBe(true);
  expect(err.message).toMatch(/web-services user "ws_user" in company "ACME" \(user id, company id or user password\)/);
  expect(err.hint).toContain('ACME_SAGE_USER_PW');
  expect(err.hint).toContain('sage.userId');
  expect(`${err.message} ${err.hint}`).not.toMatch(/SECRET/);
  expect(gw.logins).toHaveLength(1);
});

test('a wrong sender password: the error names the sender and the sender password variable', async () => {
  const gw = new FakeGateway([LOGIN_ORIGIN], () => fx.BAD_SENDER);
  const err = (await client(gw).connect().catch((e: unknown) => e)) as SageAuthenticationError;
  expect(err).toBeInstanceOf(SageAuthenticationError);
  expect(err.credential).toBe('sender');
  expect(err.message).toMatch(/Web Services sender "MySender" \(sender id or sender password\)/);
  expect(err.hint).toContain('ACME_SAGE_SENDER_PW');
  expect(`${err.message} ${err.hint}`).not.toMatch(/SECRET/);
  expect(gw.requests).toHaveLength(1);
});
