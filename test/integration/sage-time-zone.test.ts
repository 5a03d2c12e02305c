/**
 * Issue #8 (c): the web-services user's time zone. The sandbox renders timestamps at −08:00, as a user on
 * Pacific time would see them. With no `userTimeZoneOffset` configured the client learns the offset from
 * the session timestamps and finds a change made a minute ago; with the old silent default (+00:00) the
 * same "changed since a minute ago" read would look eight hours into the future and find nothing.
 */
import { SageConfigSchema } from '../../src/config/schema';
import { greaterThanOrEqualTo, resetCompanyLimiters, SageClient, toSageTimestamp } from '../../src/sage';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';

// The sandbox's clock stands still, so "a minute ago" is exact.
const NOW = Date.parse('2026-01-15T18:00:00Z');

let sb: SageSandbox;

beforeAll(async () => {
  sb = await startSageSandbox({ port: 0, seed: 'none', userTimeZoneOffset: '-08:00', now: () => NOW });
  sb.upsertRecords('CUSTOMER', [{ CUSTOMERID: 'TZ-1', NAME: 'Changed just now' }]);
});

afterAll(async () => {
  await sb?.close();
});

beforeEach(() => resetCompanyLimiters());

function client(userTimeZoneOffset?: string): SageClient {
  const config = SageConfigSchema.parse({
    endpoint: sb.endpointUrl,
    senderId: sb.credentials.senderId,
    senderPassword: { env: 'SAGE_SENDER_PASSWORD' },
    userId: sb.credentials.userId,
    companyId: sb.credentials.companyId,
    userPassword: { env: 'SAGE_USER_PASSWORD' },
    ...(userTimeZoneOffset !== undefined ? { userTimeZoneOffset } : {}),
  });
  return new SageClient(config, { senderPassword: sb.credentials.senderPassword, userPassword: sb.credentials.userPassword });
}

/** The incremental read's filter (src/sync/changes-page.ts): WHENMODIFIED at or after a minute ago, in the user's offset. */
const changedInTheLastMinute = async (c: SageClient) =>
  c.pageByRecordNo({
    object: 'CUSTOMER',
    select: ['CUSTOMERID', 'WHENMODIFIED'],
    filter: greaterThanOrEqualTo('WHENMODIFIED', toSageTimestamp(new Date(NOW - 60_000), await c.effectiveTimeZoneOffset())),
  });

test('no configured offset: the gateway’s −08:00 is used, and a change made a minute ago is found', async () => {
  expect(SageConfigSchema.shape.userTimeZoneOffset.parse(undefined)).toBeUndefined();
  const c = client();
  expect(await c.effectiveTimeZoneOffset()).toBe('-08:00');
  const page = await changedInTheLastMinute(c);
  expect(page.records.map((r) => r.CUSTOMERID)).toEqual(['TZ-1']);
  expect(page.records[0].WHENMODIFIED).toBe(new Date(NOW).toISOString());
});

test('a configured offset that is wrong (+00:00) misses the change: the failure preflight warns about', async () => {
  const c = client('+00:00');
  const page = await changedInTheLastMinute(c);
  expect(page.records).toEqual([]);
  expect(c.userTimeZoneOffset()).toBe('+00:00');
  expect(c.gatewayTimeZoneOffset()).toBe('-08:00');
});
