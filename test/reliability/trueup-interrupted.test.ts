import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import YAML from 'yaml';
import { TRUEUP_PHASE } from '../../src/contracts/search-attributes';
import type { ApproveInput, ApproveResult, TrueupInput, TrueupStatus } from '../../src/contracts/trueup';
import type { Ledger } from '../../src/ledger';
import { testLedgerTarget } from '../helpers/test-ledger';
import { startAssignarSandbox, WORKER_USER_TYPE_ID, type AssignarSandbox, type AssignarSandboxOptions } from '../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';
import { TASK_QUEUE } from '../../src/temporal/constants';
import { startDevServerProcess, type DevServerProcess } from '../helpers/dev-server-process';
import { waitFor } from '../helpers/wait-for';

/**
 * Issue 10's "Done when": a true-up survives (1) its worker process killed in the middle of applying a
 * wave, and (2) the Temporal server restarted (persistent SQLite file) while the true-up waits for the
 * operator. Both run against a dev server this file starts and stops itself, each test in its own
 * namespace with its own sandboxes, ledger and worker processes (`intacct-assignar worker`).
 */

const ROOT = path.resolve(__dirname, '../..');
const NS_KILLED = 'trueup-killed';
const NS_RESTART = 'trueup-restart';
type Row = Record<string, unknown>;

let dir: string;
let server: DevServerProcess;
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
/** The current scenario's ledger, for the worker processes it starts. */
let ledgerEnv: Record<string, string> = { DATABASE_URL: '' };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trueup-interrupted-'));
  server = await startDevServerProcess({ dbFile: path.join(dir, 'temporal.sqlite'), namespaces: [NS_KILLED, NS_RESTART] });
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(children.map(exited));
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await server?.stop({ graceMs: 10_000 }).catch(() => undefined);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

const exited = (child: ChildProcess) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r())));
const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** `intacct-assignar worker` as a separate process, resolved once it says it is ready. */
function startWorker(configFile: string, namespace: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/intacct-assignar.js'), 'worker', '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: namespace, ...ledgerEnv, INTACCT_ASSIGNAR_FAILPOINTS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-20_000);
      if (err.includes('worker ready')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before it was ready:\n${err}`)));
  });
}

async function killWorker(child: ChildProcess): Promise<void> {
  if (alive(child)) child.kill('SIGKILL');
  await exited(child);
}

interface Hit {
  method: string;
  path: string;
  /** Epoch ms when the request reached the proxy (before Assignar answered). */
  at: number;
  /** Assignar's status, once it answered. */
  status?: number;
}

interface LoggingProxy {
  url: string;
  hits: Hit[];
  /** Called as each answer has been passed on to the caller (a test may kill the caller right there). */
  onAnswered?: (hit: Hit) => void;
  close(): Promise<void>;
}

/**
 * A transparent HTTP proxy in front of the Assignar sandbox that records every request (method, path, time
 * it arrived, status), so a test can tell which worker was written when, and act at an exact request. The
 * sandbox's own stats only count writes per resource.
 */
async function startLoggingProxy(target: string): Promise<LoggingProxy> {
  const upstream = new URL(target);
  const hits: Hit[] = [];
  const srv = http.createServer((req, res) => {
    const hit: Hit = { method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now() };
    hits.push(hit);
    const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      hit.status = r.statusCode;
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
      res.once('finish', () => proxy.onAnswered?.(hit));
    });
    up.on('error', () => res.destroy());
    req.on('error', () => up.destroy());
    res.on('error', () => undefined);
    req.pipe(up);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  const proxy: LoggingProxy = {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
  return proxy;
}

interface Setup {
  sage: SageSandbox;
  assignar: AssignarSandbox;
  ledger: Ledger;
  configFile: string;
  client: Client;
  proxy: LoggingProxy;
}

/** Sandboxes (Assignar behind the logging proxy), a worker configuration and a ledger file, per test. */
async function setup(name: string, namespace: string, assignarOptions: AssignarSandboxOptions, clientRequestsPerSecond: number): Promise<Setup> {
  const sub = path.join(dir, name);
  fs.mkdirSync(sub);
  const sage = await startSageSandbox({ port: 0, seed: 'demo' });
  cleanups.push(() => sage.close());
  const assignar = await startAssignarSandbox({ port: 0, seed: 'existing-tenant', ...assignarOptions });
  cleanups.push(() => assignar.close());
  const proxy = await startLoggingProxy(assignar.baseUrl);
  cleanups.push(() => proxy.close());
  const target = testLedgerTarget(sub);
  ledgerEnv = target.env;
  cleanups.push(() => target.cleanup());
  const configFile = path.join(sub, 'config.yaml');
  fs.writeFileSync(
    configFile,
    YAML.stringify({
      connections: [
        {
          id: 'demo',
          sandboxCredentials: true,
          sage: { endpoint: sage.endpointUrl, senderId: sage.credentials.senderId, senderPassword: { env: 'SAGE_SENDER_PASSWORD' }, userId: sage.credentials.userId, companyId: sage.credentials.companyId, userPassword: { env: 'SAGE_USER_PASSWORD' }, userTimeZoneOffset: sage.userTimeZoneOffset },
          assignar: { apiBase: `${proxy.url}/v2`, tokenUrl: `${proxy.url}/oauth2/token`, clientId: assignar.credentials.clientId, clientSecret: { env: 'ASSIGNAR_CLIENT_SECRET' }, requestsPerSecond: clientRequestsPerSecond },
        },
      ],
      ledger: target.configLedger,
    }),
  );
  const ledger = await target.open();
  cleanups.push(() => ledger.close());
  const connection = await Connection.connect({ address: server.address });
  cleanups.push(() => connection.close());
  return { sage, assignar, ledger, configFile, client: new Client({ connection, namespace }), proxy };
}

/** Writes to one Assignar user (`PUT /v2/users/<id>`) as the proxy saw them, answered or not. */
const userWrites = (hits: readonly Hit[], assignarId: string) => hits.filter((h) => h.method === 'PUT' && h.path.split('?')[0] === `/v2/users/${assignarId}`);
/** `POST /v2/users` that Assignar answered with success (a user was created). */
const isUserCreate = (h: Hit) => h.method === 'POST' && /^\/v2\/users\/?(\?|$)/.test(h.path) && h.status !== undefined && h.status < 300;
const succeeded = (h: Hit) => h.status !== undefined && h.status < 300;

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim().toLowerCase());

/**
 * More Assignar workers made by hand that match Sage Intacct employees exactly (employee ID, email, name),
 * so the plan has enough link items for several waves. Only active employees with an email of their own
 * that no Assignar user shares, by ID, email or name.
 */
function addMatchingWorkers(sage: SageSandbox, assignar: AssignarSandbox, count: number): Row[] {
  const users = assignar.records('users') as Row[];
  const employees = sage.records('EMPLOYEE');
  const emails = new Map<string, number>();
  for (const e of employees) if (e['CONTACT.EMAIL1']) emails.set(text(e['CONTACT.EMAIL1']), (emails.get(text(e['CONTACT.EMAIL1'])) ?? 0) + 1);
  const taken = (e: Record<string, string>) =>
    users.some(
      (u) =>
        text(u.employee_id) === text(e.EMPLOYEEID) ||
        text(u.email) === text(e['CONTACT.EMAIL1']) ||
        (text(u.first_name) === text(e['CONTACT.FIRSTNAME']) && text(u.last_name) === text(e['CONTACT.LASTNAME'])),
    );
  const free = employees.filter((e) => e.STATUS === 'active' && e['CONTACT.EMAIL1'] && emails.get(text(e['CONTACT.EMAIL1'])) === 1 && !taken(e));
  expect(free.length).toBeGreaterThanOrEqual(count);
  return assignar.upsertRecords(
    'users',
    free.slice(0, count).map((e) => ({
      user_type_id: WORKER_USER_TYPE_ID,
      employee_id: e.EMPLOYEEID,
      first_name: e['CONTACT.FIRSTNAME'],
      last_name: e['CONTACT.LASTNAME'],
      email: e['CONTACT.EMAIL1'],
      username: e['CONTACT.EMAIL1'],
      employment_type: 1,
      active: true,
      eula: 1,
      comments: 'trueup-interrupted: made by hand before the integration',
    })),
  );
}

/**
 * A Sage Intacct employee with no trace in Assignar, which a recreate item creates as a new worker: active,
 * with an email no other employee has, and no Assignar user with its employee ID, email or name. (The seed's
 * "conflicting keys" worker carries one such employee's ID while the plan proposes to create it: applying
 * that item adopts the conflicting worker instead, which is not what this test is about.)
 */
function recreatable(s: Setup, sageKey: string): boolean {
  const employees = s.sage.records('EMPLOYEE');
  const e = employees.find((x) => x.RECORDNO === sageKey);
  const email = text(e?.['CONTACT.EMAIL1']);
  if (!e || e.STATUS !== 'active' || email === '') return false;
  if (employees.filter((x) => text(x['CONTACT.EMAIL1']) === email).length !== 1) return false;
  return !(s.assignar.records('users') as Row[]).some(
    (u) => text(u.email) === email || text(u.employee_id) === text(e.EMPLOYEEID) || (text(u.first_name) === text(e['CONTACT.FIRSTNAME']) && text(u.last_name) === text(e['CONTACT.LASTNAME'])),
  );
}

const trueupInput = (extra: Partial<TrueupInput> = {}): TrueupInput => ({ connection: 'demo', applyDelaySeconds: 0, rediffSeconds: 3600, reminderSeconds: 3600, ...extra });

test('a worker killed (SIGKILL) in the middle of a true-up wave, then restarted: every approved item applied once and verified', async () => {
  const WAVE = 3;
  // Slow Assignar (and the client's own limit to match): applying the approval takes several seconds.
  const s = await setup('killed', NS_KILLED, { latencyMs: 40, requestsPerSecond: 6 }, 6);
  const added = addMatchingWorkers(s.sage, s.assignar, 18);
  const usersBefore = s.assignar.records('users').length;

  const first = await startWorker(s.configFile, NS_KILLED);
  const handle = await s.client.workflow.start('trueUp', { taskQueue: TASK_QUEUE, workflowId: 'trueUp/demo', args: [trueupInput({ waveSize: WAVE })] });
  const status = () => handle.query<TrueupStatus>('status');
  await waitFor('the plan', async () => (await status()).phase === 'awaiting-approval', 120_000);
  const { trueupId } = await status();
  const proposed = await s.ledger.listTrueupItems('demo', trueupId, { states: ['proposed'], limit: 1000 });
  // Workers only: the plan may hold other kinds (clients, projects), which this test leaves proposed.
  const links = proposed.filter((i) => i.kind === 'worker' && i.action === 'link');
  // Every hand-made exact match is proposed as a link, besides the seed's own cases.
  for (const u of added) expect(links.map((i) => i.assignarId)).toContain(String(u.id));
  // Sage Intacct employees missing in Assignar: recreating some makes the true-up create users, which a
  // redone wave must adopt, never create again.
  const recreates = proposed.filter((i) => i.kind === 'worker' && i.action === 'recreate' && recreatable(s, i.sageKey!)).slice(0, 6);
  expect(recreates.length).toBe(6);
  const approvedIds = [...links, ...recreates].map((i) => i.itemId).sort();

  // Waves take the approved items in item id order, WAVE at a time (links sort before recreates). The
  // worker is killed the moment Assignar has answered a create that is not its wave's last one: the wave
  // has written, its items are not marked applied, and the earlier waves are.
  const waves: string[][] = [];
  for (let i = 0; i < approvedIds.length; i += WAVE) waves.push(approvedIds.slice(i, i + WAVE));
  let creates = 0;
  let killAt: number | undefined;
  for (const wave of waves) {
    const n = wave.filter((id) => id.startsWith('worker:recreate:')).length;
    if (n >= 2) {
      killAt = creates + 1;
      break;
    }
    creates += n;
  }
  expect(killAt).toBeDefined();
  let answeredCreates = 0;
  let killedAt: number | undefined;
  s.proxy.onAnswered = (hit) => {
    if (!isUserCreate(hit) || killedAt !== undefined) return;
    answeredCreates += 1;
    if (answeredCreates === killAt) {
      first.kill('SIGKILL');
      killedAt = Date.now();
    }
  };

  s.assignar.resetStats();
  const since = Date.now();
  const approval = await handle.executeUpdate<ApproveResult, [ApproveInput]>('approveItems', { args: [{ items: approvedIds, by: 'reliability test' }] });
  expect(approval).toEqual({ approved: approvedIds.length, errors: [] });
  await waitFor('the worker killed in the middle of a wave', () => killedAt !== undefined, 180_000);
  await exited(first);
  s.proxy.onAnswered = undefined;

  // Some but not all applied: the earlier waves are, the interrupted one and the rest are not.
  const snapshot = await s.ledger.getTrueupItems('demo', trueupId, approvedIds);
  const appliedBeforeKill = snapshot.filter((i) => i.state === 'applied');
  expect(appliedBeforeKill.length).toBeGreaterThanOrEqual(WAVE);
  expect(snapshot.filter((i) => i.state === 'approved').length).toBeGreaterThanOrEqual(2);
  expect(snapshot.filter((i) => i.state !== 'applied' && i.state !== 'approved')).toEqual([]);
  const createdBeforeKill = s.proxy.hits.filter(isUserCreate).length;
  expect(createdBeforeKill).toBeGreaterThanOrEqual(1);

  const second = await startWorker(s.configFile, NS_KILLED);
  await waitFor(
    'every approved item verified, and the true-up back to waiting',
    async () => {
      const items = await s.ledger.getTrueupItems('demo', trueupId, approvedIds);
      return items.every((i) => i.state === 'verified' || i.state === 'failed') && (await status()).phase === 'awaiting-approval';
    },
    180_000,
  );

  // The interrupted wave was redone by the new worker (its activity's second attempt).
  const history = await handle.fetchHistory();
  const waveActivities = new Set(
    (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'applyTrueupWave').map((e) => String(e.eventId)),
  );
  const retried = (history.events ?? []).filter((e) => waveActivities.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)) && (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
  expect(retried.length).toBeGreaterThanOrEqual(1);

  // 1. Every approved item ends verified.
  const final = await s.ledger.getTrueupItems('demo', trueupId, approvedIds);
  expect(final.map((i) => [i.itemId, i.state, i.reason])).toEqual(approvedIds.map((id) => [id, 'verified', null]));

  // 2. Every link exists exactly once: one per Sage Intacct key, one per Assignar worker.
  const ledgerLinks = await s.ledger.listLinks('demo', 'worker', { limit: 10_000 });
  expect(new Set(ledgerLinks.map((l) => l.sageKey)).size).toBe(ledgerLinks.length);
  expect(new Set(ledgerLinks.map((l) => l.assignarId)).size).toBe(ledgerLinks.length);
  expect(ledgerLinks.length).toBe(approvedIds.length);
  const linkOf = new Map(ledgerLinks.map((l) => [l.sageKey, l]));
  const users = s.assignar.records('users') as Row[];
  const byIntegrationId = new Map<string, Row[]>();
  for (const u of users) if (u.integration_id) byIntegrationId.set(String(u.integration_id), [...(byIntegrationId.get(String(u.integration_id)) ?? []), u]);
  for (const item of final) {
    const link = linkOf.get(item.sageKey!);
    expect([item.itemId, link?.status]).toEqual([item.itemId, 'active']);
    if (item.action === 'link') expect([item.itemId, link!.assignarId]).toEqual([item.itemId, item.assignarId]);
    // Exactly one Assignar worker carries the employee's key, and it is the linked one.
    expect([item.itemId, (byIntegrationId.get(item.sageKey!) ?? []).map((u) => String(u.id))]).toEqual([item.itemId, [link!.assignarId]]);
  }

  // 3. No Assignar user created twice: one create per recreated employee, although the wave that had
  //    created one (and not yet linked it) ran again.
  expect(users.length).toBe(usersBefore + recreates.length);
  expect(s.proxy.hits.filter(isUserCreate)).toHaveLength(recreates.length);
  expect(s.assignar.stats().writes.users?.creates ?? 0).toBe(recreates.length);
  for (const item of recreates) {
    const made = users.filter((u) => text(u.employee_id) === text(item.sageId));
    expect([item.sageId, made.length]).toEqual([item.sageId, 1]);
  }

  // 4. Nothing applied was applied again: no write reached an item's Assignar worker after the ledger
  //    recorded the item applied, and the items applied before the kill were written exactly once.
  for (const item of final) {
    const assignarId = linkOf.get(item.sageKey!)!.assignarId;
    const appliedAt = Date.parse(item.appliedAt!);
    const after = userWrites(s.proxy.hits, assignarId).filter((h) => h.at > appliedAt);
    expect([item.itemId, after]).toEqual([item.itemId, []]);
  }
  for (const item of appliedBeforeKill) {
    // A link is one PUT of Sage Intacct's values; a recreate is its one create (counted above) and no PUT.
    const writes = userWrites(s.proxy.hits, linkOf.get(item.sageKey!)!.assignarId).filter((h) => h.at >= since && succeeded(h)).length;
    expect([item.itemId, writes]).toEqual([item.itemId, item.action === 'link' ? 1 : 0]);
  }

  await handle.signal('cancel');
  expect(((await handle.result()) as TrueupStatus).phase).toBe('cancelled');
  await killWorker(second);
}, 420_000);

test('the Temporal server restarted (same SQLite file) while the true-up waits: it resumes, applies the approval and verifies', async () => {
  const s = await setup('restart', NS_RESTART, {}, 200);
  let worker = await startWorker(s.configFile, NS_RESTART);
  // Re-diff every 15 s: a timer due while the server is down must still fire after it is back.
  const handle = await s.client.workflow.start('trueUp', { taskQueue: TASK_QUEUE, workflowId: 'trueUp/demo', args: [trueupInput({ rediffSeconds: 15 })] });
  const status = () => handle.query<TrueupStatus>('status');
  await waitFor('the plan', async () => (await status()).phase === 'awaiting-approval', 120_000);
  const before = await status();
  const described = await handle.describe();
  expect(described.typedSearchAttributes.get(TRUEUP_PHASE)).toBe('awaiting-approval');
  const firstRunId = described.runId;
  expect(firstRunId).toBe(handle.firstExecutionRunId);
  // The certain worker links (the plan may hold other kinds too, left proposed here).
  const certain = (await s.ledger.listTrueupItems('demo', before.trueupId, { kind: 'worker', actions: ['link'], states: ['proposed'], minConfidence: 0.9, limit: 1000 })).map((i) => i.itemId);
  expect(certain.length).toBeGreaterThanOrEqual(5);

  // The server goes away while the workflow waits (a timer and the operator), and comes back on the same file.
  const how = await server.stop();
  expect(['SIGTERM', 'SIGKILL']).toContain(how);
  await new Promise((r) => setTimeout(r, 5000)); // an outage the worker notices: its polls fail
  await server.start();
  const workerSurvived = alive(worker);
  if (!workerSurvived) worker = await startWorker(s.configFile, NS_RESTART);
  process.stderr.write(`[trueup-interrupted] dev server stopped by ${how}, restarted (start #${server.starts}); worker ${workerSurvived ? 'survived the restart' : 'exited and was restarted'}\n`);

  // The same execution answers: same workflow, same run, the plan it had.
  const again = await status();
  expect(again).toMatchObject({ trueupId: before.trueupId, phase: 'awaiting-approval', counts: before.counts });
  expect((await handle.describe()).runId).toBe(firstRunId);

  const approval = await handle.executeUpdate<ApproveResult, [ApproveInput]>('approveItems', { args: [{ items: certain, by: 'reliability test' }] });
  expect(approval).toEqual({ approved: certain.length, errors: [] });
  await waitFor(
    'the approved links applied and verified',
    async () => (await s.ledger.getTrueupItems('demo', before.trueupId, certain)).every((i) => i.state === 'verified' || i.state === 'failed') && (await status()).phase === 'awaiting-approval',
    120_000,
  );
  // The re-diff timer kept running across the restart: a diff newer than any before the outage.
  await waitFor('a re-diff after the restart', async () => (await status()).generation > again.generation, 120_000);

  const after = await status();
  expect(after.phase).toBe('awaiting-approval');
  const items = await s.ledger.getTrueupItems('demo', before.trueupId, certain);
  expect(items.map((i) => [i.itemId, i.state, i.reason])).toEqual([...certain].sort().map((id) => [id, 'verified', null]));
  const links = new Map((await s.ledger.listLinks('demo', 'worker', { limit: 1000 })).map((l) => [l.assignarId, l]));
  expect(links.size).toBe(certain.length);
  const users = s.assignar.records('users') as Row[];
  for (const i of items) {
    expect(links.get(i.assignarId!)).toMatchObject({ sageKey: i.sageKey, status: 'active' });
    expect(String(users.find((u) => String(u.id) === i.assignarId)!.integration_id)).toBe(i.sageKey);
  }
  const finalDescription = await handle.describe();
  expect(finalDescription.runId).toBe(firstRunId);
  expect(finalDescription.typedSearchAttributes.get(TRUEUP_PHASE)).toBe('awaiting-approval');

  await handle.signal('cancel');
  expect(((await handle.result()) as TrueupStatus).phase).toBe('cancelled');
  await killWorker(worker);
}, 420_000);
