import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { AssignarAuthError, AssignarTransientError } from '../../../src/assignar';
import { ConfigError } from '../../../src/errors';
import { SageAuthenticationError, SageRateLimitError } from '../../../src/sage';
import { keepAliveInterceptor } from '../../../src/temporal/keepalive-interceptor';
import { retryabilityInterceptor } from '../../../src/temporal/retryability-interceptor';

/** The worker's activity interceptors, run in the SDK's mock activity environment. */

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

async function failureOf(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => {
      throw new Error('expected the activity to fail');
    },
    (e: unknown) => e,
  );
}

describe('retryability is decided from the error', () => {
  // Failing activities are expected here: the SDK's "Activity failed" warnings are noise.
  const env = () => new MockActivityEnvironment({}, { interceptors: [retryabilityInterceptor], logger: new DefaultLogger('ERROR') });

  test('a non-retryable SyncError becomes a non-retryable ApplicationFailure of its class, with the hint', async () => {
    const auth = new SageAuthenticationError('Sage Intacct refused the sign-in of web-services user "ws"', { level: 'authentication', hint: 'Check SAGE_USER_PASSWORD.' });
    const failure = await failureOf(env().run(async () => {
      throw auth;
    }));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    const f = failure as ApplicationFailure;
    expect(f.nonRetryable).toBe(true);
    expect(f.type).toBe('SageAuthenticationError');
    expect(f.message).toBe('Sage Intacct refused the sign-in of web-services user "ws" — Check SAGE_USER_PASSWORD.');
    expect(f.cause).toBe(auth);
  });

  test.each([
    ['ConfigError', new ConfigError('sage.endpoint is missing')],
    ['AssignarAuthError', new AssignarAuthError('token request refused', { method: 'POST', path: '/oauth2/token', status: 401 })],
  ])('%s is non-retryable too (no list of names to keep in step)', async (type, err) => {
    const f = (await failureOf(env().run(async () => {
      throw err;
    }))) as ApplicationFailure;
    expect(f.nonRetryable).toBe(true);
    expect(f.type).toBe(type);
  });

  test.each([
    ['a retryable SyncError', new SageRateLimitError('GW-0010', { level: 'control' })],
    ['another retryable SyncError', new AssignarTransientError('server error', { method: 'GET', path: '/users', status: 503 })],
    ['an unknown error', new TypeError('bug')],
  ])('%s passes through unchanged (the retry policy decides)', async (_what, err) => {
    expect(await failureOf(env().run(async () => {
      throw err;
    }))).toBe(err);
  });
});

describe('keep-alive heartbeats', () => {
  test('an activity that waits is heartbeated, with the details it last reported', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 150 }, { interceptors: [keepAliveInterceptor] });
    const beats: unknown[] = [];
    const enough = gate();
    env.on('heartbeat', (d: unknown) => {
      beats.push(d);
      if (beats.length === 4) enough.open();
    });
    const result = await env.run(async () => {
      heartbeat({ cursor: 'c1' });
      await enough.opened; // a long wait the activity itself says nothing during
      return 'done';
    });
    expect(result).toBe('done');
    expect(beats.slice(0, 4)).toEqual([{ cursor: 'c1' }, { cursor: 'c1' }, { cursor: 'c1' }, { cursor: 'c1' }]);
    // Stopped with the activity: nothing more arrives after a few more turns of the event loop.
    const after = beats.length;
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(beats.length).toBe(after);
  });

  test('an activity without a heartbeat timeout is left alone', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: undefined }, { interceptors: [keepAliveInterceptor] });
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    await env.run(async () => {
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    });
    expect(beats).toEqual([]);
  });
});
