import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import YAML from 'yaml';
import { CONNECTION, RUN_PHASE } from '../../../src/contracts/search-attributes';
import type { RunSummary } from '../../../src/contracts/sync';
import type { TrueupStatus } from '../../../src/contracts/trueup';
import { startAssignarSandbox, type AssignarSandbox } from '../../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../../src/sandbox/sage';
import { createTemporalClient } from '../../../src/temporal/client';
import { TASK_QUEUE } from '../../../src/temporal/constants';
import { applySchedules, SCHEDULED_WORKFLOWS, scheduleId } from '../../../src/temporal/schedules';
import { getConnection, loadConfig } from '../../../src/config';
import { freePort } from '../../helpers/dev-server-process';
import { startTemporal } from '../../helpers/temporal-env';
import { testLedgerTarget, type TestLedgerTarget } from '../../helpers/test-ledger';
import { waitFor } from '../../helpers/wait-for';

/**
 * The production worker (`intacct-assignar worker`, a child process) observed the way an operator would:
 * its stdout, its /metrics, the webhook it calls, the search attributes on its runs and `usage`. The
 * passwords, the client secret and the webhook URL it is configured with are fresh random values, so finding
 * one in the output can only mean it leaked.
 */
const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'bin/intacct-assignar.js');
const CONNECTION_ID = 'obs';

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const SECRETS = {
  SAGE_SENDER_PASSWORD: secret('sender'),
  SAGE_USER_PASSWORD: secret('user'),
  ASSIGNAR_CLIENT_SECRET: secret('client'),
};
const HOOK_TOKEN = secret('hook');

interface Hook {
  text: string;
  blocks?: unknown[];
}

let env: TestWorkflowEnvironment;
let sage: SageSandbox;
let assignar: AssignarSandbox;
let dir: string;
let ledgerTarget: TestLedgerTarget;
let receiver: http.Server;
let hookUrl: string;
const hooks: Array<{ path: string; body: Hook }> = [];
let worker: ChildProcess | undefined;
let stdout = '';
let stderr = '';
let metricsAddress: string;
let configFile: string;
let client: Client;

function startWorker(): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'worker', '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, ...SECRETS, ...ledgerTarget.env, OBS_WEBHOOK_URL: hookUrl, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', METRICS_ADDRESS: metricsAddress, LOG_FORMAT: '', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker = child;
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      if (stderr.includes('worker ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${stderr}\n${stdout}`)));
  });
}

async function stopWorker(): Promise<void> {
  if (!worker || worker.exitCode !== null) return;
  const exited = new Promise((r) => worker!.once('exit', r));
  worker.kill('SIGTERM');
  await exited;
}

const logLines = () =>
  stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  env = await startTemporal();
  sage = await startSageSandbox({ port: 0, seed: 'demo', credentials: { senderPassword: SECRETS.SAGE_SENDER_PASSWORD, userPassword: SECRETS.SAGE_USER_PASSWORD } });
  // A few 5xx answers and short-lived tokens: the worker retries and renews, and says so at warn.
  assignar = await startAssignarSandbox({ port: 0, seed: 'existing-tenant', credentials: { clientId: 'obs-client', clientSecret: SECRETS.ASSIGNAR_CLIENT_SECRET }, faults: { errorRate: 0.02, tokenTtlSeconds: 4 } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'observed-'));
  ledgerTarget = testLedgerTarget(dir);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      hooks.push({ path: req.url ?? '', body: JSON.parse(body) as Hook });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/services/${HOOK_TOKEN}`;
  metricsAddress = `127.0.0.1:${await freePort()}`;
  configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    configFile,
    YAML.stringify({
      connections: [
        {
          id: CONNECTION_ID,
          sage: {
            endpoint: sage.endpointUrl,
            senderId: sage.credentials.senderId,
            senderPassword: { env: 'SAGE_SENDER_PASSWORD' },
            userId: sage.credentials.userId,
            companyId: sage.credentials.companyId,
            userPassword: { env: 'SAGE_USER_PASSWORD' },
            userTimeZoneOffset: sage.userTimeZoneOffset,
            monthlyTransactionBudget: 1_000_000,
          },
          assignar: { apiBase: assignar.apiBase, tokenUrl: assignar.tokenUrl, clientId: 'obs-client', clientSecret: { env: 'ASSIGNAR_CLIENT_SECRET' }, requestsPerSecond: 100 },
          // Disabled, so that a sync asking for it fails (the run-failed notification).
          entities: { workOrder: { enabled: false } },
        },
      ],
      notifications: { webhookUrl: { env: 'OBS_WEBHOOK_URL' } },
      ledger: ledgerTarget.configLedger,
    }),
  );
  await startWorker();
  client = await createTemporalClient({ address: env.address, namespace: 'default' });
}, 300_000);

afterAll(async () => {
  await stopWorker().catch(() => undefined);
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
  await client?.connection.close();
  await new Promise((r) => receiver?.close(r));
  await Promise.all([sage?.close(), assignar?.close()]);
  await ledgerTarget?.cleanup();
  await env?.teardown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a worker serving an import, a failing sync and a true-up: JSON log lines with their keys, metrics, search attributes, webhook events once each, usage, and no secret anywhere', async () => {
  // Two imports: the second meets the same failing records, which were announced already.
  const first = await client.workflow.execute<(input: unknown) => Promise<RunSummary>>('initialImport', { taskQueue: TASK_QUEUE, workflowId: `initialImport/${CONNECTION_ID}`, args: [{ connection: CONNECTION_ID }] });
  const failed = Object.values(first.counts).reduce((n, c) => n + (c?.failed ?? 0), 0);
  expect(failed).toBeGreaterThan(0);
  await client.workflow.execute('initialImport', { taskQueue: TASK_QUEUE, workflowId: `initialImport/${CONNECTION_ID}/again`, args: [{ connection: CONNECTION_ID }] });

  const sync = client.workflow.execute('incrementalSync', { taskQueue: TASK_QUEUE, workflowId: `incrementalSync/${CONNECTION_ID}`, args: [{ connection: CONNECTION_ID, entities: ['workOrder'] }] });
  await expect(sync).rejects.toThrow();

  const trueup = await client.workflow.start('trueUp', {
    taskQueue: TASK_QUEUE,
    workflowId: `trueUp/${CONNECTION_ID}`,
    args: [{ connection: CONNECTION_ID, entities: ['worker'], applyDelaySeconds: 0, rediffSeconds: 3600, reminderSeconds: 3600 }],
  });
  await waitFor('the true-up to wait for approval', async () => (await trueup.query<TrueupStatus>('status')).phase === 'awaiting-approval');
  await waitFor('the true-up notification', () => hooks.some((h) => h.body.text.includes('true-up')));
  await trueup.signal('cancel');
  await trueup.result();

  // Metrics: the service's and the Temporal SDK's on one endpoint.
  const metrics = await (await fetch(`http://${metricsAddress}/metrics`)).text();
  const value = (re: RegExp) => metrics.split('\n').filter((l) => re.test(l)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  expect(value(new RegExp(`^intacct_assignar_records_total\\{.*connection="${CONNECTION_ID}".*outcome="failed"`))).toBeGreaterThanOrEqual(failed);
  expect(value(new RegExp(`^intacct_assignar_runs_total\\{.*connection="${CONNECTION_ID}".*status="failed"`))).toBe(1);
  expect(value(/^intacct_assignar_api_requests_total\{system="sage"/)).toBeGreaterThan(0);
  expect(value(/^intacct_assignar_api_requests_total\{system="assignar"/)).toBeGreaterThan(0);
  expect(value(new RegExp(`^intacct_assignar_sage_transactions_total\\{connection="${CONNECTION_ID}"`))).toBeGreaterThan(0);
  expect(metrics).toMatch(/^temporal_\w+/m);

  // Search attributes: Connection on every run, the phase of the long ones.
  const described = await client.workflow.getHandle(`initialImport/${CONNECTION_ID}`).describe();
  expect(described.typedSearchAttributes.get(CONNECTION)).toBe(CONNECTION_ID);
  expect(described.typedSearchAttributes.get(RUN_PHASE)).toBe('done');
  const listed = await waitFor('visibility by Connection', async () => {
    const ids: string[] = [];
    for await (const w of client.workflow.list({ query: `Connection = "${CONNECTION_ID}"` })) ids.push(w.workflowId);
    return ids.length >= 4 ? ids : undefined;
  });
  expect(listed).toEqual(expect.arrayContaining([`initialImport/${CONNECTION_ID}`, `initialImport/${CONNECTION_ID}/again`, `incrementalSync/${CONNECTION_ID}`, `trueUp/${CONNECTION_ID}`]));
  // Scheduled runs carry it too: the Schedules' action sets it.
  await applySchedules(client, getConnection(loadConfig(configFile), CONNECTION_ID));
  for (const workflow of SCHEDULED_WORKFLOWS) {
    const { action } = await client.schedule.getHandle(scheduleId(workflow, CONNECTION_ID)).describe();
    expect(action.type === 'startWorkflow' && (action.typedSearchAttributes as TypedSearchAttributes | undefined)?.get(CONNECTION)).toBe(CONNECTION_ID);
  }

  await stopWorker();

  // Webhook: each event once, with its counts and the command to see them.
  const texts = hooks.map((h) => h.body.text);
  expect(hooks.every((h) => h.path === `/services/${HOOK_TOKEN}` && Array.isArray(h.body.blocks))).toBe(true);
  const runFailed = texts.filter((t) => t.includes('incrementalSync of obs failed'));
  expect(runFailed).toHaveLength(1);
  expect(runFailed[0]).toMatch(/workOrder is disabled.*intacct-assignar report --run \S+ --connection obs/s);
  const newlyFailing = texts.filter((t) => t.includes('newly failing'));
  expect(newlyFailing).toHaveLength(1);
  expect(newlyFailing[0]).toContain(`${failed} records newly failing`);
  expect(newlyFailing[0]).toContain('intacct-assignar report --connection obs');
  const awaiting = texts.filter((t) => t.includes('waits for approval'));
  expect(awaiting).toHaveLength(1);
  expect(awaiting[0]).toMatch(/true-up of obs waits for approval: \d+ items?.*intacct-assignar trueup status --connection obs/s);

  // Logs: every stdout line one JSON object; activity lines keyed; workflow lines from the workflow logger.
  const lines = logLines();
  expect(lines.length).toBeGreaterThan(20);
  const pageLines = lines.filter((l) => /^importPage done/.test(String(l.msg)));
  expect(pageLines.length).toBeGreaterThan(3);
  for (const l of pageLines) expect(l).toMatchObject({ connection: CONNECTION_ID, run: expect.any(String), entity: expect.any(String), page: expect.any(String), activityType: 'importPage' });
  expect(lines.some((l) => l.sdkComponent === 'workflow' && /^phase importing:/.test(String(l.msg)) && l.connection === CONNECTION_ID)).toBe(true);
  const warns = lines.filter((l) => l.level === 40);
  expect(warns.some((l) => /retrying/.test(String(l.msg)) && l.system === 'assignar' && l.connection === CONNECTION_ID)).toBe(true);
  expect(warns.some((l) => /token renewed/.test(String(l.msg)))).toBe(true);
  expect(warns.some((l) => /run failed/.test(String(l.msg)) && l.sdkComponent === 'workflow')).toBe(true);

  // No secret reached the output, in any form.
  const output = stdout + stderr;
  for (const value of [...Object.values(SECRETS), HOOK_TOKEN]) {
    for (const form of [value, encodeURIComponent(value), Buffer.from(value).toString('base64')]) expect(output).not.toContain(form);
  }
  expect(output).not.toContain(Buffer.from(`obs-client:${SECRETS.ASSIGNAR_CLIENT_SECRET}`).toString('base64'));

  // usage: the metered transactions reached the ledger (written in batches; the last at shutdown).
  const { stdout: usage } = await promisify(execFile)(process.execPath, [CLI, 'usage', '--json', '--config', configFile], { cwd: ROOT, env: { ...process.env, ...ledgerTarget.env } });
  const row = JSON.parse(usage.trim().split('\n')[0]) as { connection: string; used: number; budget: number; projected: number };
  expect(row).toMatchObject({ connection: CONNECTION_ID, budget: 1_000_000 });
  expect(row.used).toBe(value(new RegExp(`^intacct_assignar_sage_transactions_total\\{connection="${CONNECTION_ID}"`)));
  expect(row.projected).toBeGreaterThanOrEqual(row.used);
}, 600_000);
