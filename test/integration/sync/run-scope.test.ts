import { WorkflowFailedError } from '@temporalio/client';
import { rootCause } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';

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

/** Every watermark of the connection as `kind/stream` → position. */
async function marks(harness = h): Promise<Record<string, string>> {
  return Object.fromEntries((await harness.ledger.listWatermarks('demo')).map((w) => [`${w.kind}/${w.stream}`, w.at]));
}

async function failureOf(run: Promise<unknown>): Promise<string> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return rootCause((err as WorkflowFailedError).cause) ?? '';
}

test('a run over a subset of entities moves only the watermarks of what it covered', async () => {
  const imported = await h.run('initialImport');
  const afterImport = await marks();
  for (const key of ['CUSTOMER/changes', 'ITEM/changes', 'EMPLOYEE/changes', 'AUDITHISTORY/deletions', 'role/scope', 'asset/scope']) {
    expect({ key, at: afterImport[key] }).toEqual({ key, at: imported.startedAt });
  }

  // Roles only: ITEM also feeds assets, and AUDITHISTORY every kind, so neither may move.
  const roles = await h.run('incrementalSync', { entities: ['role'] });
  const afterRoles = await marks();
  expect(afterRoles['role/scope']).toBe(roles.startedAt);
  for (const key of ['ITEM/changes', 'AUDITHISTORY/deletions', 'asset/scope', 'CUSTOMER/changes']) expect({ key, at: afterRoles[key] }).toEqual({ key, at: imported.startedAt });

  // Roles and assets cover ITEM; still not every kind.
  const items = await h.run('incrementalSync', { entities: ['role', 'asset'] });
  const afterItems = await marks();
  expect(afterItems['ITEM/changes']).toBe(items.startedAt);
  expect(afterItems['AUDITHISTORY/deletions']).toBe(imported.startedAt);
  expect(afterItems['CUSTOMER/changes']).toBe(imported.startedAt);

  // A full sync moves everything.
  const full = await h.run('incrementalSync');
  const afterFull = await marks();
  for (const key of Object.keys(afterFull)) expect({ key, at: afterFull[key] }).toEqual({ key, at: full.startedAt });
});

test('the continue-as-new carry is not public input: a start with it is refused and commits nothing', async () => {
  const before = await marks();
  const runsBefore = (await h.ledger.listRuns({ connection: 'demo', limit: 100 })).length;
  expect(await failureOf(h.run('incrementalSync', { carry: { phase: 'done' } }))).toMatch(/Invalid incrementalSync input: .*carry/);
  expect(await failureOf(h.run('initialImport', { carry: { entityIndex: 99 } }))).toMatch(/Invalid initialImport input: .*carry/);
  // Nor as a second argument on a run that did not continue from another.
  const secondArg = env.client.workflow.execute('incrementalSync', {
    taskQueue: h.taskQueue,
    workflowId: `incrementalSync/demo/second-arg/${h.taskQueue}`,
    args: [{ connection: 'demo' }, { runId: 'x', startedAt: new Date().toISOString(), kinds: [], writer: true, phase: 'done', index: 0, cursor: null, counts: {}, notices: [], continuedRuns: 1 }],
  });
  expect(await failureOf(secondArg)).toMatch(/carried state is internal/);
  expect(await marks()).toEqual(before);
  expect((await h.ledger.listRuns({ connection: 'demo', limit: 100 })).length).toBe(runsBefore);
});

test('`entities.<kind>.enabled: false` is honoured by import and sync', async () => {
  const other = await SyncHarness.start(env, {
    configure: (c) => {
      c.entities = { asset: { enabled: false } };
    },
  });
  try {
    const imported = await other.run('initialImport');
    expect(imported.counts.asset).toBeUndefined();
    expect(imported.counts.role!.created).toBeGreaterThan(0);
    expect(other.assignar.records('assets').filter((a) => a.integration_id)).toHaveLength(0);
    expect(await other.ledger.listOutcomes(imported.runId, { kind: 'asset', limit: 10 })).toHaveLength(0);

    // An equipment item changes in Sage Intacct: the sync leaves assets alone.
    const item = other.sage.records('ITEM').find((i) => i.STATUS === 'active' && i.GLGROUP === 'Equipment')!;
    other.sage.upsertRecords('ITEM', [{ ...item, NAME: `${item.NAME} (changed)` }]);
    const synced = await other.run('incrementalSync');
    expect(synced.counts.asset).toBeUndefined();
    expect(other.assignar.records('assets').filter((a) => a.integration_id)).toHaveLength(0);
    // Every enabled kind was covered, so the shared watermarks moved.
    const m = await marks(other);
    expect(m['ITEM/changes']).toBe(synced.startedAt);
    expect(m['AUDITHISTORY/deletions']).toBe(synced.startedAt);
    expect(m['asset/scope']).toBeUndefined();

    // Asking for a disabled kind is refused, naming it, and recorded.
    expect(await failureOf(other.run('initialImport', { entities: ['asset'] }))).toMatch(/asset is disabled for connection demo/);
    const [run] = await other.ledger.listRuns({ connection: 'demo', limit: 1 });
    expect(run).toMatchObject({ status: 'failed', error: expect.stringMatching(/asset is disabled/) });
  } finally {
    await other.close();
  }
});
