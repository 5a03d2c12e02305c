import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import YAML from 'yaml';
import type { RunSummary } from '../../src/contracts/sync';
import type { Ledger } from '../../src/ledger';
import { testLedgerTarget, type TestLedgerTarget } from '../helpers/test-ledger';
import { FAILPOINTS } from '../../src/runtime/failpoints';
import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';
import { TASK_QUEUE } from '../../src/temporal/constants';
import { approvedMinutesByEmployeeDay, assignarTimesheets, sageHoursByEmployeeDay } from '../helpers/export-expectations';
import { startTemporal } from '../helpers/temporal-env';

const ROOT = path.resolve(__dirname, '../..');
let env: TestWorkflowEnvironment;
let sage: SageSandbox;
let assignar: AssignarSandbox;
let dir: string;
let ledgerTarget: TestLedgerTarget;
let ledger: Ledger;
const workers: ChildProcess[] = [];

/** A worker process as `intacct-assignar worker` runs it, optionally armed to kill itself at a failpoint. */
function startWorker(configFile: string, failpoints = ''): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/intacct-assignar.js'), 'worker', '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', ...ledgerTarget.env, INTACCT_ASSIGNAR_FAILPOINTS: failpoints },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  workers.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d;
      if (err.includes('worker ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${err}`)));
  });
}

const exited = (child: ChildProcess) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r())));

beforeAll(async () => {
  env = await startTemporal();
  sage = await startSageSandbox({ port: 0, seed: 'demo' });
  assignar = await startAssignarSandbox({ port: 0, seed: 'demo' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-killed-'));
  ledgerTarget = testLedgerTarget(dir);
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await ledger?.close();
  await ledgerTarget?.cleanup();
  await Promise.all([sage?.close(), assignar?.close()]);
  await env?.teardown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('an export whose worker is killed after the Sage create and again before marking processed ends with nothing doubled or missing', async () => {
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    configFile,
    YAML.stringify({
      connections: [
        {
          id: 'demo',
          timeZone: 'America/Chicago',
          sandboxCredentials: true,
          sage: { endpoint: sage.endpointUrl, senderId: sage.credentials.senderId, senderPassword: { env: 'SAGE_SENDER_PASSWORD' }, userId: sage.credentials.userId, companyId: sage.credentials.companyId, userPassword: { env: 'SAGE_USER_PASSWORD' }, userTimeZoneOffset: sage.userTimeZoneOffset },
          assignar: { apiBase: assignar.apiBase, tokenUrl: assignar.tokenUrl, clientId: assignar.credentials.clientId, clientSecret: { env: 'ASSIGNAR_CLIENT_SECRET' }, requestsPerSecond: 200 },
          timesheets: { timeTypes: { ORD: 'Regular', NIGHT: 'Night', OT15: 'Overtime 1.5', OT20: 'Overtime 2.0', WET: 'Weather' }, equipmentCostType: 'EQP' },
        },
      ],
      ledger: ledgerTarget.configLedger,
    }),
  );

  // Master data first, by a worker that is not armed.
  const importer = await startWorker(configFile);
  await env.client.workflow.execute('initialImport', { taskQueue: TASK_QUEUE, workflowId: 'initialImport/demo', args: [{ connection: 'demo' }] });
  importer.kill('SIGKILL');
  await exited(importer);
  assignar.simulateTimesheets({ startDate: '2026-11-02', days: 5, seed: 11 });
  ledger = await ledgerTarget.open();

  // 1. Killed right after Sage Intacct created the first request's timesheets, before the ledger knew.
  const first = await startWorker(configFile, FAILPOINTS.afterSageCreate);
  const handle = await env.client.workflow.start('timesheetExport', { taskQueue: TASK_QUEUE, workflowId: 'timesheetExport/demo', args: [{ connection: 'demo' }] });
  await exited(first);
  const createdBeforeRestart = sage.records('TIMESHEET').length;
  expect(createdBeforeRestart).toBeGreaterThan(0);
  expect(await ledger.listExportGroups('demo', { states: ['confirmed', 'processed'], limit: 10 })).toEqual([]);
  expect((await ledger.listExportGroups('demo', { states: ['sent'], limit: 10_000 })).length).toBeGreaterThanOrEqual(createdBeforeRestart);

  // 2. The retry re-sends the same functions (already done → found, never created again), confirms them,
  //    and is killed again before marking anything processed.
  const second = await startWorker(configFile, FAILPOINTS.beforeMarkProcessed);
  await exited(second);
  const confirmed = await ledger.listExportGroups('demo', { states: ['confirmed'], limit: 10_000 });
  expect(confirmed.length).toBeGreaterThan(0);
  expect(sage.records('TIMESHEET')).toHaveLength(confirmed.length);
  expect([...assignarTimesheets(assignar).values()].filter((t) => t.is_processed)).toEqual([]);

  // 3. A healthy worker finishes the run.
  await startWorker(configFile);
  const summary = (await handle.result()) as RunSummary;
  expect(summary.totals?.groupsRecovered).toBeGreaterThan(0);

  const groups = await ledger.listExportGroups('demo', { limit: 10_000 });
  const inSage = groups.filter((g) => g.state === 'processed');
  expect(inSage.length).toBe(groups.length);
  const timesheets = sage.records('TIMESHEET');
  expect(timesheets).toHaveLength(inSage.length);
  expect(new Set(timesheets.map((t) => `${t.EMPLOYEEID}|${t.BEGINDATE}|${t.DESCRIPTION}`)).size).toBe(timesheets.length);
  expect(new Set(inSage.map((g) => g.sageRecordNo))).toEqual(new Set(timesheets.map((t) => String(t.RECORDNO))));

  const exportedIds = new Set(inSage.flatMap((g) => g.timesheets.map((t) => t.assignarTimesheetId)));
  for (const [id, ts] of assignarTimesheets(assignar)) expect([id, ts.is_processed]).toEqual([id, exportedIds.has(id)]);
  const expected = approvedMinutesByEmployeeDay(assignar, exportedIds);
  const hours = sageHoursByEmployeeDay(sage);
  expect([...hours.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, minutes] of expected) expect([key, hours.get(key)]).toEqual([key, Math.round((minutes / 60) * 100) / 100]);
}, 240_000);
