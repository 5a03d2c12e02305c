import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createWorker } from '../../src/temporal/worker';
import { createPreflightActivities } from '../../activities/preflight';
import { startTemporal } from '../helpers/temporal-env';

let env: TestWorkflowEnvironment;
beforeAll(async () => { env = await startTemporal(); });
afterAll(async () => { await env?.teardown(); });

test('a workflow runs on the real dev server', async () => {
  const half = { checks: [{ id: 'x', system: 'sage' as const, status: 'ok' as const, title: 't' }], counts: { a: 1 } };
  const activities = createPreflightActivities({ preflight: { sage: async () => half, assignar: async () => ({ ...half, checks: [] }) } });
  const worker = await createWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', activities, taskQueue: 'smoke' });
  const report = await worker.runUntil(env.client.workflow.execute('preflight', { taskQueue: 'smoke', workflowId: 'smoke-1', args: [{ connection: 'demo' }] }));
  expect(report).toMatchObject({ connection: 'demo', ok: true, sage: half });
});
