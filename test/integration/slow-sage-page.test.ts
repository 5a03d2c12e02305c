import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SyncHarness } from '../helpers/sync-harness';
import { startTemporal } from '../helpers/temporal-env';

/**
 * Issue #8 (b): a page activity heartbeats while it waits. A Sage Intacct page that takes 45 s to answer
 * is longer than the page activities' 30 s heartbeat timeout; the activity still completes in its first
 * attempt (no heartbeat time-out, no second request for the page). Takes about 45 s by construction.
 */

let env: TestWorkflowEnvironment;
let h: SyncHarness;

beforeAll(async () => {
  env = await startTemporal();
  h = await SyncHarness.start(env);
});

afterAll(async () => {
  h?.sage.faults({ latencyMs: 0 });
  await h?.close();
  await env?.teardown();
});

test('a 45 s Sage Intacct page completes in one attempt of its activity', async () => {
  // Sign in and import the clients while the sandbox is quick; the session is kept by the worker's client.
  const input = { connection: 'demo', entities: ['client'] };
  await env.client.workflow.execute('initialImport', { taskQueue: h.taskQueue, workflowId: `slow-page/${h.taskQueue}/warm`, args: [input] });

  h.sage.faults({ latencyMs: 45_000 });
  h.sage.resetStats();
  const workflowId = `slow-page/${h.taskQueue}/slow`;
  await env.client.workflow.execute('initialImport', { taskQueue: h.taskQueue, workflowId, args: [input] });

  // The page was asked for once: no attempt was timed out and sent again.
  const stats = h.sage.stats();
  expect(stats.requests).toBe(1);
  expect(stats.transactions.byFunctionAndObject).toEqual({ 'query CUSTOMER': 1 });

  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = new Map<string, string>();
  for (const e of events) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a) scheduled.set(String(e.eventId), a.activityType?.name ?? '');
  }
  const started = events.filter((e) => e.activityTaskStartedEventAttributes);
  const importPages = started.filter((e) => scheduled.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId)) === 'importPage');
  expect(importPages).toHaveLength(1);
  expect(started.map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual(started.map(() => 1));
  expect(events.filter((e) => e.activityTaskTimedOutEventAttributes)).toEqual([]);
});
