import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import YAML from 'yaml';
import { createActivities } from '../../activities';
import { loadConfig, type AppConfig } from '../../src/config';
import type { PreflightCheck, PreflightReport } from '../../src/contracts/preflight';
import { openLedger, type Ledger } from '../../src/ledger';
import { ConnectionClients } from '../../src/runtime/connection-clients';
import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';
import { TASK_QUEUE } from '../../src/temporal/constants';
import { ServiceWorkers } from '../../src/temporal/worker';
import { startTemporal } from '../helpers/temporal-env';

const ROOT = path.resolve(__dirname, '..', '..');

let env: TestWorkflowEnvironment;
let sage: SageSandbox;
let assignar: AssignarSandbox;
let ledger: Ledger;
let config: AppConfig;
let dir: string;
let runs = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-'));
  [env, sage, assignar] = await Promise.all([startTemporal(), startSageSandbox({ port: 0, seed: 'demo' }), startAssignarSandbox({ port: 0, seed: 'demo' })]);
  ledger = await openLedger({ sqlitePath: path.join(dir, 'ledger.sqlite') });
  // The embedded default configuration, with the demo connection pointed at the sandboxes' random ports.
  config = loadConfig(undefined, {});
  const demo = config.connections[0];
  demo.sage.endpoint = sage.endpointUrl;
  demo.sage.userTimeZoneOffset = sage.userTimeZoneOffset;
  demo.assignar.apiBase = assignar.apiBase;
  demo.assignar.tokenUrl = assignar.tokenUrl;
  expect(demo.sandboxCredentials).toBe(true);
});

afterAll(async () => {
  await ledger?.close();
  await Promise.all([sage?.close(), assignar?.close()]);
  await env?.teardown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A worker with fresh clients (secrets from `secretsEnv`, sandbox credentials otherwise) runs `fn`. */
async function withWorker<T>(fn: (taskQueue: string) => Promise<T>, opts: { secretsEnv?: NodeJS.ProcessEnv; taskQueue?: string } = {}): Promise<T> {
  const taskQueue = opts.taskQueue ?? `preflight-${Math.random().toString(36).slice(2, 10)}`;
  const worker = await ServiceWorkers.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({ config, clients: new ConnectionClients(config, opts.secretsEnv ?? {}), ledger }),
    connections: config.connections.map((c) => c.id),
    leases: ledger,
  });
  return worker.runUntil(fn(taskQueue));
}

async function preflight(secretsEnv?: NodeJS.ProcessEnv): Promise<PreflightReport> {
  runs += 1;
  return withWorker(
    (taskQueue) =>
      env.client.workflow.execute('preflight', {
        taskQueue,
        workflowId: `preflight/demo/test-${runs}-${Date.now()}`,
        args: [{ connection: 'demo' }],
      }) as Promise<PreflightReport>,
    { secretsEnv },
  );
}

function check(report: PreflightReport, id: string): PreflightCheck {
  const found = [...report.sage.checks, ...report.assignar.checks].find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${JSON.stringify([...report.sage.checks, ...report.assignar.checks].map((c) => c.id))}`);
  return found;
}

const active = (object: string) => sage.records(object).filter((r) => r.STATUS === 'active');

/** Active records each entity would bring over, from the sandbox's own data (default filters). */
function expectedSageCounts(): Record<string, number> {
  return {
    client: active('CUSTOMER').length,
    project: active('PROJECT').length,
    role: active('ITEM').filter((r) => r.GLGROUP === 'Labor').length,
    asset: active('ITEM').filter((r) => r.GLGROUP === 'Equipment').length,
    costCode: active('STANDARDCOSTTYPE').length,
    worker: active('EMPLOYEE').length,
    workOrder: active('TASK').length,
  };
}

function expectedAssignarCounts(): Record<string, number> {
  const unlinked = (rows: Array<Record<string, unknown>>) => rows.filter((r) => typeof r.integration_id !== 'string' || r.integration_id === '').length;
  const users = assignar.records('users');
  const workers = users.filter((u) => u.user_type_id === 2);
  const counts: Record<string, number> = {};
  for (const r of ['users', 'tasks', 'assets', 'clients', 'projects', 'orders', 'activities'] as const) counts[r] = assignar.records(r).length;
  return {
    ...counts,
    workers: workers.length,
    unlinkedWorkers: unlinked(workers),
    unlinkedClients: unlinked(assignar.records('clients')),
    unlinkedProjects: unlinked(assignar.records('projects')),
  };
}

/** The leading number of a check title such as "3 active items are in no item GL group". */
function leadingCount(c: PreflightCheck): number {
  const m = /^(\d+) /.exec(c.title);
  if (!m) throw new Error(`no count in "${c.title}"`);
  return Number(m[1]);
}

test('demo seeds: ready, with counts and clean-up hints from the data, at 16 Sage transactions', async () => {
  sage.resetStats();
  const report = await preflight();

  expect(report.connection).toBe('demo');
  expect(report.ok).toBe(true);
  expect(report.sage.counts).toEqual(expectedSageCounts());
  expect(report.assignar.counts).toEqual(expectedAssignarCounts());
  expect(report.assignar.counts.workers).toBe(0);

  expect(check(report, 'sage.auth').status).toBe('ok');
  for (const object of ['CUSTOMER', 'PROJECT', 'ITEM', 'ITEMGLGROUP', 'EMPLOYEE', 'TASK', 'STANDARDCOSTTYPE', 'TIMESHEET', 'AUDITHISTORY']) {
    expect(check(report, `sage.permission.${object}`).status).toBe('ok');
  }
  expect(check(report, 'sage.permission.TIMESHEET').title).toMatch(/verified by the first export/);
  expect(check(report, 'sage.glgroup.Labor').status).toBe('ok');
  expect(check(report, 'sage.glgroup.Equipment').status).toBe('ok');
  expect(check(report, 'assignar.auth').status).toBe('ok');
  for (const r of ['users', 'tasks', 'assets', 'clients', 'projects', 'orders', 'activities', 'timesheets-expanded']) {
    expect(check(report, `assignar.read.${r}`).status).toBe('ok');
  }
  expect(check(report, 'assignar.existing').status).toBe('ok');

  // Clean-up hints, each counted from the sandbox's records.
  const employees = active('EMPLOYEE');
  const noEmail = employees.filter((e) => !e['CONTACT.EMAIL1']?.trim());
  expect(leadingCount(check(report, 'sage.cleanup.EMPLOYEE.noEmail'))).toBe(noEmail.length);
  expect(check(report, 'sage.cleanup.EMPLOYEE.noEmail').detail).toContain(noEmail[0].EMPLOYEEID);
  const byEmail = new Map<string, number>();
  for (const e of employees) {
    const m = e['CONTACT.EMAIL1']?.trim().toLowerCase();
    if (m) byEmail.set(m, (byEmail.get(m) ?? 0) + 1);
  }
  const shared = [...byEmail.values()].filter((n) => n > 1);
  expect(shared.length).toBeGreaterThan(0);
  const dup = check(report, 'sage.cleanup.EMPLOYEE.duplicateEmail');
  expect(leadingCount(dup)).toBe(shared.length);
  expect(dup.title).toContain(`shared by ${shared.reduce((a, b) => a + b, 0)} active employees`);
  expect(dup.detail).not.toMatch(/@/); // employee IDs, not addresses
  const ungrouped = active('ITEM').filter((i) => !i.GLGROUP);
  expect(leadingCount(check(report, 'sage.cleanup.ITEM.noGlGroup'))).toBe(ungrouped.length);

  const cutoff = new Date();
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - 3);
  const stale = (object: string) =>
    sage.store.all(object).filter((r) => {
      if (r.STATUS !== 'active') return false;
      const modified = r.WHENMODIFIED || '';
      const created = r.WHENCREATED || '';
      return modified ? Date.parse(modified) < cutoff.getTime() : created !== '' && Date.parse(created) < cutoff.getTime();
    });
  for (const object of ['CUSTOMER', 'EMPLOYEE']) {
    const expected = stale(object);
    if (expected.length === 0) expect(() => check(report, `sage.cleanup.${object}.stale`)).toThrow();
    else expect(leadingCount(check(report, `sage.cleanup.${object}.stale`))).toBe(expected.length);
  }

  // Cost: 15 queries and the first employee page in one request, then the other 2000-employee pages.
  const pages = Math.ceil(employees.length / 2000);
  expect(sage.stats().requests).toBe(1 + pages); // getAPISession, then the batch (+ further employee pages)
  const transactions = sage.stats().transactions;
  expect(transactions.total).toBe(15 + pages);
  expect(transactions.byFunction).toEqual({ query: transactions.total });
});

test('the Equipment GL group deleted in Sage Intacct: not ready, and the check says what to do', async () => {
  const group = sage.records('ITEMGLGROUP').find((g) => g.NAME === 'Equipment')!;
  sage.deleteRecord('ITEMGLGROUP', 'Equipment');
  try {
    const report = await preflight();
    expect(report.ok).toBe(false);
    const equipment = check(report, 'sage.glgroup.Equipment');
    expect(equipment.status).toBe('fail');
    expect(equipment.title).toContain('"Equipment" does not exist');
    expect(equipment.action).toMatch(/add item GL group "Equipment"/);
    expect(equipment.action).toMatch(/glGroups\.equipment/);
    expect(check(report, 'sage.glgroup.Labor').status).toBe('ok');
    expect(report.sage.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['sage.glgroup.Equipment']);
  } finally {
    sage.upsertRecords('ITEMGLGROUP', [{ NAME: group.NAME, DESCRIPTION: group.DESCRIPTION }]);
  }
});

test('a wrong Sage Intacct user password: the sign-in check fails, names the credential, and stops there', async () => {
  const wrong = 'not-the-password-9f3c';
  const report = await preflight({ SAGE_USER_PASSWORD: wrong });
  expect(report.ok).toBe(false);
  const auth = check(report, 'sage.auth');
  expect(auth.status).toBe('fail');
  expect(auth.detail).toMatch(/web-services user "/);
  expect(auth.action).toContain('SAGE_USER_PASSWORD');
  expect(auth.action).toContain('sage.userId');
  expect(report.sage.checks).toHaveLength(1);
  expect(report.sage.counts).toEqual({});
  expect(JSON.stringify(report)).not.toContain(wrong);
  expect(check(report, 'assignar.auth').status).toBe('ok');
});

describe('the Sage Intacct user’s time-zone offset', () => {
  const demo = () => config.connections[0].sage;

  test('configured and reported alike: reported as the offset in use, at no extra request', async () => {
    sage.resetStats();
    const report = await preflight();
    const zone = check(report, 'sage.timezone');
    expect(zone.status).toBe('ok');
    expect(zone.title).toContain(`UTC${sage.userTimeZoneOffset}, from sage.userTimeZoneOffset (Sage Intacct reports the same)`);
    expect(sage.stats().requests).toBe(1 + Math.ceil(active('EMPLOYEE').length / 2000));
  });

  test('configured differently from what Sage Intacct reports: a warning that says which to fix', async () => {
    const configured = demo().userTimeZoneOffset;
    demo().userTimeZoneOffset = '+00:00';
    try {
      const report = await preflight();
      const zone = check(report, 'sage.timezone');
      expect(zone.status).toBe('warn');
      expect(zone.title).toBe(`sage.userTimeZoneOffset (+00:00) differs from the offset Sage Intacct reports for web-services user "${demo().userId}" (${sage.userTimeZoneOffset})`);
      expect(zone.detail).toMatch(/6 hours off/);
      expect(zone.action).toMatch(/Remove sage\.userTimeZoneOffset/);
      expect(report.ok).toBe(true); // a warning: the connection works
    } finally {
      demo().userTimeZoneOffset = configured;
    }
  });

  test('not configured: the offset Sage Intacct reports is used, and said so', async () => {
    const configured = demo().userTimeZoneOffset;
    delete demo().userTimeZoneOffset;
    try {
      const report = await preflight();
      const zone = check(report, 'sage.timezone');
      expect(zone.status).toBe('ok');
      expect(zone.title).toContain(`UTC${sage.userTimeZoneOffset}, the offset Sage Intacct reports`);
      expect(report.sage.counts).toEqual(expectedSageCounts());
    } finally {
      demo().userTimeZoneOffset = configured;
    }
  });
});

test('an Assignar tenant with workers, clients and projects made by hand: a true-up is due first', async () => {
  await assignar.seed('existing-tenant');
  try {
    const expected = expectedAssignarCounts();
    expect(expected.unlinkedWorkers).toBeGreaterThan(0);
    expect(expected.unlinkedClients).toBeGreaterThan(0);
    expect(expected.unlinkedProjects).toBeGreaterThan(0);
    const report = await preflight();
    expect(report.assignar.counts).toEqual(expected);
    const existing = check(report, 'assignar.existing');
    expect(existing.status).toBe('warn');
    expect(existing.title).toBe(
      `Assignar already holds ${expected.unlinkedWorkers} workers, ${expected.unlinkedClients} clients, ${expected.unlinkedProjects} projects: ` +
        'run a true-up before enabling sync, so they are linked instead of duplicated',
    );
    expect(existing.action).toMatch(/true-up/);
    expect(report.ok).toBe(true); // a warning: the connection works, the true-up is the next step
  } finally {
    await assignar.seed('demo');
  }
});

test('an object the web-services user may not read: that permission check fails with the permission to grant', async () => {
  sage.faults({ deniedObjects: ['EMPLOYEE'] });
  try {
    const report = await preflight();
    expect(report.ok).toBe(false);
    const employee = check(report, 'sage.permission.EMPLOYEE');
    expect(employee.status).toBe('fail');
    expect(employee.detail).toMatch(/PL04000005/);
    expect(employee.action).toMatch(/Employees: List, View/);
    expect(employee.action).toMatch(/Company > Admin > Roles/);
    expect(report.sage.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['sage.permission.EMPLOYEE']);
    expect(check(report, 'sage.permission.CUSTOMER').status).toBe('ok');
    expect(report.sage.counts.worker).toBeUndefined();
    expect(report.sage.counts.client).toBe(expectedSageCounts().client);
  } finally {
    sage.faults({ deniedObjects: [] });
  }
});

test('the CLI prints the report: intacct-assignar preflight --json', async () => {
  const configFile = path.join(dir, 'sandboxes.yaml');
  const demo = config.connections[0];
  fs.writeFileSync(
    configFile,
    YAML.stringify({
      connections: [
        {
          id: 'demo',
          sandboxCredentials: true,
          sage: {
            endpoint: demo.sage.endpoint,
            senderId: demo.sage.senderId,
            senderPassword: { env: 'SAGE_SENDER_PASSWORD' },
            userId: demo.sage.userId,
            companyId: demo.sage.companyId,
            userPassword: { env: 'SAGE_USER_PASSWORD' },
            userTimeZoneOffset: demo.sage.userTimeZoneOffset,
          },
          assignar: { apiBase: demo.assignar.apiBase, tokenUrl: demo.assignar.tokenUrl, clientId: demo.assignar.clientId, clientSecret: { env: 'ASSIGNAR_CLIENT_SECRET' } },
        },
      ],
    }),
  );
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', INTACCT_ASSIGNAR_CONFIG: configFile };
  for (const secret of ['SAGE_SENDER_PASSWORD', 'SAGE_USER_PASSWORD', 'ASSIGNAR_CLIENT_SECRET']) delete childEnv[secret];

  const { stdout, code } = await withWorker(
    () =>
      new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
        execFile(process.execPath, [path.join(ROOT, 'bin', 'intacct-assignar.js'), 'preflight', '--json'], { cwd: ROOT, env: childEnv, timeout: 120_000 }, (err, out, errOut) => {
          resolve({ stdout: out, stderr: errOut, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
        });
      }),
    { taskQueue: TASK_QUEUE },
  );
  expect(code).toBe(0);
  const report = JSON.parse(stdout.trim()) as PreflightReport;
  expect(report.connection).toBe('demo');
  expect(report.ok).toBe(true);
  expect(report.sage.counts).toEqual(expectedSageCounts());
  expect(report.assignar.counts).toEqual(expectedAssignarCounts());
});
