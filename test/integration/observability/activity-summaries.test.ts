import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { connectionTaskQueue } from '../../../src/contracts/task-queues';
import type { RunSummary } from '../../../src/contracts/sync';
import { openLedger, type Ledger } from '../../../src/ledger';
import { activitySummary } from '../../../src/observability/activity-summary';
import { ConnectionClients } from '../../../src/runtime/connection-clients';
import { startAssignarSandbox, type AssignarSandbox } from '../../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../../src/sandbox/sage';
import { WORKFLOWS_PATH } from '../../../src/temporal/workflow-bundle';
import { sandboxConfig } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';

/**
 * The activity-summary workflow interceptor (src/observability/activity-summary.ts) bundled with the
 * workflows as scripts/build-workflow-bundle.ts does: the recorded histories still replay, and a real run's
 * history names the entity and page of each page activity.
 */
const HISTORIES = path.join(__dirname, '../../replay/histories');
let code: string;
let env: TestWorkflowEnvironment;
let sage: SageSandbox;
let assignar: AssignarSandbox;
let ledger: Ledger;
let dir: string;

beforeAll(async () => {
  const noop = () => undefined;
  ({ code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [require.resolve('../../../src/observability/activity-summary')],
    logger: { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop },
  }));
  env = await startTemporal();
  sage = await startSageSandbox({ port: 0, seed: 'demo' });
  assignar = await startAssignarSandbox({ port: 0, seed: 'demo' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summaries-'));
  ledger = await openLedger({ sqlitePath: path.join(dir, 'ledger.sqlite') });
}, 300_000);

afterAll(async () => {
  await ledger?.close();
  await Promise.all([sage?.close(), assignar?.close()]);
  await env?.teardown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('summaries name the entity and the page (first, then the cursor), and nothing for activities without them', () => {
  expect(activitySummary({ args: [{ connection: 'c', runId: 'r', kind: 'worker', cursor: null }] })).toBe('worker · page first');
  expect(activitySummary({ args: [{ connection: 'c', object: 'PROJECT', kinds: ['project'], cursor: '2000' }] })).toBe('PROJECT · page 2000');
  expect(activitySummary({ args: [{ connection: 'c', kinds: ['client', 'project'] }] })).toBe('client,project');
  expect(activitySummary({ args: [{ connection: 'c', runId: 'r' }] })).toBeUndefined();
});

test.each(fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json')))('with summaries, the recorded %s still replays', async (file) => {
  const { workflowId, history } = JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8'));
  await expect(Worker.runReplayHistory({ workflowBundle: { code } }, history, workflowId)).resolves.toBeUndefined();
});

test("a real import's history shows each page activity's entity and page", async () => {
  const config = sandboxConfig(sage, assignar, undefined, path.join(dir, 'ledger.sqlite'));
  const activities = createActivities({ config, clients: new ConnectionClients(config, {}), ledger });
  const taskQueue = `summaries-${process.pid}`;
  const workers = await Promise.all(
    [taskQueue, connectionTaskQueue(taskQueue, 'demo')].map((q) => Worker.create({ connection: env.nativeConnection, namespace: 'default', taskQueue: q, workflowBundle: { code }, activities })),
  );
  const running = workers.map((w) => w.run());
  const summary = await Promise.race([
    env.client.workflow.execute<(input: unknown) => Promise<RunSummary>>('initialImport', { taskQueue, workflowId: `summaries/${taskQueue}`, args: [{ connection: 'demo', dryRun: true, entities: ['client', 'project'] }] }),
    ...running.map((r) => r.then(() => Promise.reject(new Error('a worker stopped')))),
  ]).finally(async () => {
    for (const w of workers) w.shutdown();
    await Promise.allSettled(running);
  });
  expect(summary.done).toBe(true);
  const history = await env.client.workflow.getHandle(`summaries/${taskQueue}`).fetchHistory();
  const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
  const summaries = new Map<string, string[]>();
  for (const e of scheduled) {
    const type = e.activityTaskScheduledEventAttributes!.activityType!.name!;
    const payload = e.userMetadata?.summary;
    summaries.set(type, [...(summaries.get(type) ?? []), payload ? defaultPayloadConverter.fromPayload<string>(payload) : '(none)']);
  }
  expect(summaries.get('importPage')).toEqual(expect.arrayContaining(['client · page first', 'project · page first']));
  expect(summaries.get('startRun')).toEqual(['(none)']);
});
