import { ScheduleOverlapPolicy, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ENTITY_KINDS } from '../../../src/config/schema';
import type { Progress } from '../../../src/contracts/sync';
import { triggerSchedule } from '../../../src/temporal/schedules';
import { byIntegrationId, RESOURCE_OF } from '../../helpers/expectations';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';
import { waitFor } from '../../helpers/wait-for';

let env: TestWorkflowEnvironment;
let h: SyncHarness;

beforeAll(async () => {
  env = await startTemporal();
  h = await SyncHarness.start(env);
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});
afterEach(() => {
  h.assignar.setFaults({ latencyMs: 0 });
  h.sage.faults({ latencyMs: 0 });
});

const lease = () => h.ledger.getWriterLease('demo');
const linkedInAssignar = () => Object.values(RESOURCE_OF).reduce((n, r) => n + h.assignar.records(r).filter((x) => x.integration_id).length, 0);

test('an import started while a scheduled sync writes waits for it, says whom it waits for, and nothing is written twice', async () => {
  // A Schedule like the production one (its workflow IDs carry the scheduled time), on this test's task queue.
  const scheduleId = `incrementalSync/demo/${h.taskQueue}`;
  await env.client.schedule.create({
    scheduleId,
    spec: { intervals: [{ every: '365 days' }] },
    action: { type: 'startWorkflow', workflowType: 'incrementalSync', workflowId: 'incrementalSync/demo/scheduled', taskQueue: h.taskQueue, args: [{ connection: 'demo' }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  });
  // Slow Assignar: the sync (nothing synced yet, so it brings everything over) is still writing when the import starts.
  h.assignar.setFaults({ latencyMs: 1500 });
  const sync = (await triggerSchedule(env.client, scheduleId))!;
  expect(sync.workflowId).toMatch(/^incrementalSync\/demo\/scheduled-/);
  await waitFor('the sync to hold the writer lease and write', async () => (await lease())?.workflowId === sync.workflowId && linkedInAssignar() > 0);

  const imp = await h.start('initialImport', {}, 'initialImport/demo');
  const waiting = await waitFor('the import to report what it waits for', async () => {
    const p = await imp.query<Progress>('progress');
    return p.waitingFor ? p : undefined;
  });
  expect(waiting.phase).toBe('waiting');
  expect(waiting.waitingFor).toMatchObject({ connection: 'demo', workflowId: sync.workflowId, workflowType: 'incrementalSync' });
  expect((await lease())?.workflowId).toBe(sync.workflowId);

  h.assignar.setFaults({ latencyMs: 0 });
  const synced = await sync.result();
  const imported = await imp.result();
  expect(imported.waitingFor).toBeUndefined();
  // The import ran after the sync had brought everything over: it found every record already there.
  for (const kind of ENTITY_KINDS) {
    const c = imported.counts[kind]!;
    expect(c.created + c.adopted).toBe(0);
    expect(c.unchanged).toBe(synced.counts[kind]!.created);
  }
  // Every Assignar record exists exactly once.
  for (const kind of ENTITY_KINDS) {
    for (const [key, copies] of byIntegrationId(h.assignar, RESOURCE_OF[kind])) expect({ kind, key, copies: copies.length }).toEqual({ kind, key, copies: 1 });
  }
  expect(await lease()).toBeUndefined();
  const runs = await h.ledger.listRuns({ connection: 'demo', limit: 2 });
  expect(runs.map((r) => [r.workflowId, r.status])).toEqual(expect.arrayContaining([[sync.workflowId, 'completed'], ['initialImport/demo', 'completed']]));
});

test('with waitForWriterSeconds 0 a second writer is refused with a message naming the running one, and the refusal is recorded', async () => {
  h.sage.faults({ latencyMs: 3000 });
  const sync = await h.start('incrementalSync', {}, 'incrementalSync/demo');
  await waitFor('the sync to hold the writer lease', async () => (await lease())?.workflowId === sync.workflowId);

  const refused = await h.run('incrementalSync', { waitForWriterSeconds: 0 }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(refused).toBeInstanceOf(WorkflowFailedError);
  const cause = (refused as WorkflowFailedError).cause!;
  expect(cause.message).toContain('connection demo is being written by incrementalSync incrementalSync/demo');
  const [run] = await h.ledger.listRuns({ connection: 'demo', status: 'failed', limit: 1 });
  expect(run.error).toContain('incrementalSync/demo (run');
  expect(run.workflowId).not.toBe(sync.workflowId);

  // A dry run writes nothing to either system: it takes no lease and does not wait.
  const before = linkedInAssignar();
  h.sage.faults({ latencyMs: 0 });
  const dry = await h.run('initialImport', { dryRun: true, waitForWriterSeconds: 0 });
  expect(dry.dryRun).toBe(true);
  expect(linkedInAssignar()).toBe(before);
  expect((await lease())?.workflowId).toBe(sync.workflowId);
  await sync.result();
  expect(await lease()).toBeUndefined();
});

test('a terminated holder is proven gone through Temporal: the next writer takes over its lease and marks its run terminated', async () => {
  h.sage.faults({ latencyMs: 3000 });
  const doomed = await h.start('incrementalSync', {}, 'incrementalSync/demo');
  await waitFor('the sync to hold the writer lease', async () => (await lease())?.workflowId === doomed.workflowId);
  const doomedRunId = (await doomed.describe()).runId;
  await doomed.terminate('operator pulled the plug');
  // Terminated, it could neither release its lease nor record its end.
  expect((await lease())?.runId).toBe(doomedRunId);
  expect((await h.ledger.getRun(doomedRunId))?.status).toBe('running');

  h.sage.faults({ latencyMs: 0 });
  const next = await h.run('initialImport', { waitForWriterSeconds: 60 });
  expect(next.waitingFor).toBeUndefined();
  const ended = await h.ledger.getRun(doomedRunId);
  expect(ended?.status).toBe('terminated');
  expect(ended?.error).toMatch(/terminated in Temporal/);
  expect(await lease()).toBeUndefined();
});

test('the lease is kept across continue-as-new and released when the chain ends', async () => {
  h.sage.faults({ latencyMs: 1500 });
  const imp = await h.start('initialImport', { pagesPerRun: 1 });
  const firstRunId = (await imp.describe()).runId;
  await waitFor('the import to continue as new', async () => (await imp.describe()).runId !== firstRunId);
  expect(await lease()).toMatchObject({ workflowId: imp.workflowId, runId: firstRunId });
  const refused = await h.run('incrementalSync', { waitForWriterSeconds: 0 }).then(
    () => undefined,
    (err: unknown) => err as WorkflowFailedError,
  );
  expect(refused?.cause?.message).toContain(`initialImport ${imp.workflowId} (run ${firstRunId}`);
  h.sage.faults({ latencyMs: 0 });
  const summary = await imp.result();
  expect(summary.runId).toBe(firstRunId);
  expect(await lease()).toBeUndefined();
  expect((await h.ledger.getRun(firstRunId))?.status).toBe('completed');
});
