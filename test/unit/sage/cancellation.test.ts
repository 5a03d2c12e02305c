import type { SageConfig } from '../../../src/config/schema';
import { Semaphore } from '../../../src/http/semaphore';
import { resetCompanyLimiters, SageClient } from '../../../src/sage';
import { answerQuery, FakeGateway, parseRequest, sageLike, SESSION_ENDPOINT } from './fake-gateway';
import * as fx from './fixtures';

/**
 * A caller's AbortSignal (a Temporal activity's cancellationSignal) ends whatever the Sage Intacct client
 * is waiting on: the in-flight request, a backoff sleep, the company's concurrency slot. Nothing here
 * waits on a clock: each pending thing is held open by a gate until the test has seen the cancellation.
 */

const LOGIN_ORIGIN = 'https://api.intacct.test';
const SLOW_ORIGIN = 'https://held.intacct.test';
const SESSION_ORIGIN = new URL(SESSION_ENDPOINT).origin;
const SECRETS = { senderPassword: 'sender-pw', userPassword: 'user-pw' };

function config(overrides: Partial<SageConfig> = {}): SageConfig {
  return {
    endpoint: `${LOGIN_ORIGIN}/ia/xml/xmlgw.phtml`,
    senderId: 'MySender',
    senderPassword: { env: 'SAGE_SENDER_PASSWORD' },
    userId: 'ws_user',
    companyId: 'ACME',
    userPassword: { env: 'SAGE_USER_PASSWORD' },
    userTimeZoneOffset: '-06:00',
    concurrency: 2,
    requestTimeoutMs: 60_000,
    pageSize: 2000,
    maxRetries: 3,
    auditHistory: true,
    ...overrides,
  };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Sessions live on SLOW_ORIGIN, where every query waits for `hold()` before it is answered. */
function heldGateway(hold: (n: number) => Promise<void>) {
  const gw = new FakeGateway([LOGIN_ORIGIN], (req) =>
    fx.response([fx.result('getAPISession', req.functions[0].controlId, { data: fx.sessionData('S1', `${SLOW_ORIGIN}/ia/xml/xmlgw.phtml`) })]),
  );
  const arrived: number[] = [];
  gw.agent
    .get(SLOW_ORIGIN)
    .intercept({ path: () => true, method: 'POST' })
    .reply(200, (async (opts: { path: string; body?: unknown }) => {
      await hold(arrived.push(arrived.length + 1));
      return answerQuery(parseRequest(opts.path, String(opts.body)).functions[0], [{ RECORDNO: '1', EMPLOYEEID: 'E1', STATUS: 'active' }]);
    }) as unknown as string)
    .persist();
  return { gw, arrived };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
};

class Stop extends Error {
  override name = 'Stop';
}

beforeEach(() => resetCompanyLimiters());

describe('an aborted signal', () => {
  it('ends a request that is waiting for its answer, with the signal’s reason, and does not retry it', async () => {
    const held = gate();
    const { gw, arrived } = heldGateway(() => held.opened);
    const c = new SageClient(config(), SECRETS, { dispatcher: gw.agent });
    const controller = new AbortController();
    const pending = c.query({ object: 'EMPLOYEE' }, { signal: controller.signal });
    await until(() => arrived.length === 1);
    controller.abort(new Stop('activity cancelled'));
    await expect(pending).rejects.toBeInstanceOf(Stop);
    held.open();
    expect(arrived).toHaveLength(1);
  });

  it('ends a backoff wait after a 503 without sending again', async () => {
    const gw = new FakeGateway([LOGIN_ORIGIN, SESSION_ORIGIN], sageLike(() => ({ status: 503 })));
    const retries: number[] = [];
    // A real (cancellable) sleep with a long backoff: only the abort can end it.
    const c = new SageClient(config(), SECRETS, { dispatcher: gw.agent, backoff: { baseMs: 600_000, maxMs: 600_000 }, random: () => 0.99, onRetry: (i) => retries.push(i.delayMs) });
    const controller = new AbortController();
    const pending = c.query({ object: 'EMPLOYEE' }, { signal: controller.signal });
    await until(() => retries.length === 1);
    controller.abort(new Stop('activity cancelled'));
    await expect(pending).rejects.toBeInstanceOf(Stop);
    expect(gw.calls).toHaveLength(1);
  });

  it('ends a wait for the company’s concurrency slot; the slot holders are unaffected', async () => {
    const held = gate();
    const { gw, arrived } = heldGateway(() => held.opened);
    const c = new SageClient(config({ concurrency: 1 }), SECRETS, { dispatcher: gw.agent });
    await c.connect();
    const first = c.query({ object: 'EMPLOYEE' });
    await until(() => arrived.length === 1);
    const controller = new AbortController();
    const waiting = c.query({ object: 'EMPLOYEE' }, { signal: controller.signal });
    controller.abort(new Stop('activity cancelled'));
    await expect(waiting).rejects.toBeInstanceOf(Stop);
    held.open();
    await expect(first).resolves.toMatchObject({ count: 1 });
    // The cancelled caller never took the slot: the next call gets it.
    await expect(c.query({ object: 'EMPLOYEE' })).resolves.toMatchObject({ count: 1 });
    expect(arrived).toHaveLength(2);
  });

  it('already aborted: nothing is sent', async () => {
    const { gw, arrived } = heldGateway(() => Promise.resolve());
    const c = new SageClient(config(), SECRETS, { dispatcher: gw.agent });
    const controller = new AbortController();
    controller.abort(new Stop('before'));
    await expect(c.query({ object: 'EMPLOYEE' }, { signal: controller.signal })).rejects.toBeInstanceOf(Stop);
    expect(gw.requests).toHaveLength(0);
    expect(arrived).toHaveLength(0);
  });
});

describe('Semaphore.acquire with a signal', () => {
  it('leaves the queue on abort, so a release hands the slot to the next waiter', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    const controller = new AbortController();
    const order: string[] = [];
    const cancelled = sem.acquire(controller.signal).then(
      () => order.push('cancelled got a slot'),
      () => order.push('cancelled rejected'),
    );
    const next = sem.acquire().then((r) => {
      order.push('next got the slot');
      return r;
    });
    expect(sem.waiting).toBe(2);
    controller.abort();
    await cancelled;
    expect(sem.waiting).toBe(1);
    release();
    (await next)();
    expect(order).toEqual(['cancelled rejected', 'next got the slot']);
    expect(sem.inUse).toBe(0);
  });
});
