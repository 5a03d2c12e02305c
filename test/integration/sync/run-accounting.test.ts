import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { embeddedDefaultConfig } from '../../../src/config/embedded-default';
import { ENTITY_KINDS } from '../../../src/config/schema';
import { OUTCOMES } from '../../../src/contracts/outcomes';
import type { RunSummary } from '../../../src/contracts/sync';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';
import { waitFor } from '../../helpers/wait-for';

const ROOT = path.resolve(__dirname, '../../..');
let env: TestWorkflowEnvironment;
let h: SyncHarness;
let imported: RunSummary;

beforeAll(async () => {
  env = await startTemporal();
  h = await SyncHarness.start(env);
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

/** The summary's counts are the ledger's rows for the run: one outcome per record, `seen` = records with one. */
async function expectSummaryEqualsLedger(summary: RunSummary): Promise<void> {
  const rows = await h.ledger.outcomeCounts(summary.runId);
  for (const kind of ENTITY_KINDS) {
    const byOutcome = rows[kind] ?? {};
    const total = Object.values(byOutcome).reduce((n, x) => n + (x ?? 0), 0);
    const counts = summary.counts[kind];
    if (total === 0) {
      expect({ kind, counts }).toEqual({ kind, counts: undefined });
      continue;
    }
    expect({ kind, ...Object.fromEntries(OUTCOMES.map((o) => [o, counts?.[o] ?? 0])), seen: counts?.seen }).toEqual({
      kind,
      ...Object.fromEntries(OUTCOMES.map((o) => [o, byOutcome[o] ?? 0])),
      seen: total,
    });
  }
  expect((await h.ledger.listOutcomes(summary.runId, { limit: 10_000 })).length).toBe(Object.values(summary.counts).reduce((n, c) => n + c!.seen, 0));
  // What the run recorded as its summary is what it returned.
  const run = await h.ledger.getRun(summary.runId);
  expect(run).toMatchObject({ status: 'completed', error: null });
  expect(run!.summary).toEqual(JSON.parse(JSON.stringify(summary)));
}

test("an import's summary equals the ledger's rows for the run", async () => {
  imported = await h.run('initialImport');
  expect(imported.counts.worker!.failed).toBeGreaterThan(0);
  await expectSummaryEqualsLedger(imported);
});

test('a sync with changes and drift, where records get an outcome in more than one phase, counts each record once', async () => {
  const worker = h.assignar.records('users').find((u) => u.integration_id && u.active === true)!;
  const project = h.assignar.records('projects').find((p) => p.integration_id && p.active === true)!;
  const customer = h.sage.records('CUSTOMER').find((c) => c.STATUS === 'active' && c.RECORDNO !== String(project.integration_id))!;
  h.assignar.upsertRecords('users', [{ id: worker.id, first_name: 'Edited-In-Assignar' }]);
  h.assignar.upsertRecords('projects', [{ id: project.id, name: 'Renamed in the field' }]);
  h.sage.upsertRecords('CUSTOMER', [{ ...customer, NAME: `${customer.NAME} (renamed)` }]);
  const drift = await h.run('incrementalSync');
  expect(drift.counts.worker?.drifted).toBe(1);
  await expectSummaryEqualsLedger(drift);

  // The held worker changes in Sage Intacct: the changes phase and the drift phase both see it.
  const employee = h.sage.records('EMPLOYEE').find((e) => e.RECORDNO === String(worker.integration_id))!;
  h.sage.upsertRecords('EMPLOYEE', [{ ...employee, 'CONTACT.PHONE1': '(555) 000-1111' }]);
  const held = await h.run('incrementalSync');
  expect(held.counts.worker?.held).toBe(1);
  await expectSummaryEqualsLedger(held);
});

test('a run that fails is marked failed in the ledger with its error, and releases the connection', async () => {
  await h.reconfigure((c) => {
    (c.sage as Record<string, unknown>).userId = 'nobody';
  });
  let failure: unknown;
  try {
    await h.run('incrementalSync');
  } catch (err) {
    failure = err;
  }
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const [run] = await h.ledger.listRuns({ connection: 'demo', limit: 1 });
  expect(run.status).toBe('failed');
  expect(run.finishedAt).not.toBeNull();
  expect(run.error).toMatch(/^activity \w+ failed: /);
  expect(run.error).toMatch(/nobody|auth|credential|password|user/i);
  expect(await h.ledger.getWriterLease('demo')).toBeUndefined();
  await h.reconfigure();
});

test('a run that is cancelled is marked cancelled in the ledger, and releases the connection', async () => {
  h.sage.faults({ latencyMs: 3000 });
  const handle = await h.start('incrementalSync');
  await waitFor('the sync to hold the writer lease', async () => (await h.ledger.getWriterLease('demo'))?.workflowId === handle.workflowId);
  const runId = (await handle.describe()).runId;
  await handle.cancel();
  await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  h.sage.faults({ latencyMs: 0 });
  expect(await h.ledger.getRun(runId)).toMatchObject({ status: 'cancelled', error: 'cancelled' });
  expect(await h.ledger.getWriterLease('demo')).toBeUndefined();
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/intacct-assignar.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', ...h.ledgerTarget.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('`report` without --run says what is failing or held now across runs, and shows runs that did not complete, terminated ones too', async () => {
  // A run terminated in Temporal cannot record it: report asks Temporal and marks it.
  h.sage.faults({ latencyMs: 3000 });
  const doomed = await h.start('incrementalSync');
  await waitFor('the sync to hold the writer lease', async () => (await h.ledger.getWriterLease('demo'))?.workflowId === doomed.workflowId);
  const doomedRunId = (await doomed.describe()).runId;
  await doomed.terminate('pulled the plug');
  h.sage.faults({ latencyMs: 0 });

  const raw = embeddedDefaultConfig() as Record<string, unknown>;
  const configFile = path.join(h.dir, 'report-config.json');
  fs.writeFileSync(configFile, JSON.stringify({ ...raw, ledger: h.ledgerTarget.configLedger }));

  const json = await cli(['report', '--config', configFile, '--json']);
  expect(json.stderr).toBe('');
  expect(json.code).toBe(0);
  const report = JSON.parse(json.stdout) as {
    records: Array<{ kind: string; recordKey: string; outcome: string; runId: string; lastFailedRunId: string | null }>;
    unfinishedRuns: Array<{ runId: string; status: string; error: string | null }>;
    latestRun: { runId: string };
  };
  // The latest run (the terminated one) recorded no failure, yet the import's failures are still failing now.
  expect(report.latestRun.runId).toBe(doomedRunId);
  expect(await h.ledger.outcomeCounts(doomedRunId)).toEqual({});
  const failedOnImport = await h.ledger.listOutcomes(imported.runId, { outcome: 'failed', limit: 1000 });
  const failingNow = report.records.filter((r) => r.outcome === 'failed');
  expect(failingNow.length).toBeGreaterThan(0);
  for (const r of failingNow) {
    expect(failedOnImport.map((o) => `${o.kind}/${o.recordKey}`)).toContain(`${r.kind}/${r.recordKey}`);
    // …with the run in which it last failed.
    const [there] = await h.ledger.getOutcomes(r.lastFailedRunId!, r.kind as 'worker', [r.recordKey]);
    expect(there.outcome).toBe('failed');
  }
  expect(report.records.filter((r) => r.outcome === 'held').map((r) => r.kind)).toContain('worker');
  expect(report.unfinishedRuns.map((r) => r.status).sort()).toEqual(['cancelled', 'failed', 'terminated']);
  expect(report.unfinishedRuns.find((r) => r.runId === doomedRunId)?.error).toMatch(/terminated in Temporal/);
  expect((await h.ledger.getRun(doomedRunId))?.status).toBe('terminated');

  const text = await cli(['report', '--config', configFile, '--outcome', 'failed', '--kind', 'worker']);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain('failed now on connection demo');
  expect(text.stdout).toContain(`(run ${failingNow.find((r) => r.kind === 'worker')!.lastFailedRunId})`);
  expect(text.stdout).toMatch(/Runs that did not complete:[\s\S]*terminated/);
  expect(text.stdout).not.toMatch(/^client /m);

  // --run keeps the per-run view.
  const one = await cli(['report', '--config', configFile, '--run', imported.runId, '--json']);
  expect(JSON.parse(one.stdout).run.runId).toBe(imported.runId);
});
