import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { RetryState } from '@temporalio/common';
import { SyncHarness } from '../helpers/sync-harness';
import { startTemporal } from '../helpers/temporal-env';

/**
 * Issue #8 (a): retryability comes from the error. The Sage Intacct user's password was changed in Sage
 * Intacct but not in the service's configuration: each run signs in once, fails at once without retrying
 * (one failed sign-in per run, not twenty per page activity) and says which credential to fix.
 */

let env: TestWorkflowEnvironment;
let h: SyncHarness;

beforeAll(async () => {
  env = await startTemporal();
  // The sandbox accepts another password than the demo one the configuration (sandboxCredentials) sends.
  h = await SyncHarness.start(env, { sage: { credentials: { userPassword: 'changed-in-sage-intacct-7b1e' } } });
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

/** The chain of failures from the workflow's down to the activity's ApplicationFailure. */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && out.length < 10; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

async function failedRun(workflow: 'initialImport' | 'incrementalSync'): Promise<{ activity: ActivityFailure; failure: ApplicationFailure }> {
  const err = await h.run(workflow).then(
    () => {
      throw new Error(`${workflow} was expected to fail`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const activity = chain(err).find((e): e is ActivityFailure => e instanceof ActivityFailure);
  const failure = chain(err).find((e): e is ApplicationFailure => e instanceof ApplicationFailure);
  if (!activity || !failure) throw new Error(`no activity failure in ${String(err)}`);
  return { activity, failure };
}

test.each(['initialImport', 'incrementalSync'] as const)('%s: a wrong Sage Intacct user password fails the run at once, naming the credential', async (workflow) => {
  h.sage.resetStats();
  const { activity, failure } = await failedRun(workflow);

  expect(failure.type).toBe('SageAuthenticationError');
  expect(failure.nonRetryable).toBe(true);
  expect(activity.retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
  // Which credential, and where it comes from: never its value.
  expect(failure.message).toContain(`web-services user "${h.connection.sage.userId}"`);
  expect(failure.message).toContain('user password');
  expect(failure.message).toContain(h.connection.sage.userPassword.env);
  expect(failure.message).not.toContain('changed-in-sage-intacct');

  // One sign-in, refused, and nothing else reached Sage Intacct.
  const stats = h.sage.stats();
  expect(stats.signIns).toEqual({ succeeded: 0, failed: 1 });
  expect(stats.requests).toBe(1);
  expect(stats.transactions.total).toBe(0);
});
