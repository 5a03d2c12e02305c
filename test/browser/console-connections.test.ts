import http from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunSummary } from '../../src/contracts/sync';
import type { OutcomeCounts } from '../../src/ledger';
import { byIntegrationId } from '../helpers/expectations';
import { SyncHarness } from '../helpers/sync-harness';
import { startTemporal } from '../helpers/temporal-env';
import { launchChromium, nonLoopbackIpv4, screenshot } from './browser';
import { ALICE_TOKEN, consoleDeps, startConsole } from './console-env';

/**
 * The operator console in a real headless Chromium against a real Temporal dev server, both sandboxes over
 * HTTP and a worker with the production activities: connections, records (release of a held worker),
 * timesheets, hostile values, and the operator token on a non-loopback address.
 */
let env: TestWorkflowEnvironment;
let h: SyncHarness;
let app: FastifyInstance;
let url: string;
let chrome: { context: BrowserContext; close: () => Promise<void> };
let page: Page;
let imported: RunSummary;

/** Markup in a Sage Intacct name: the console must show it as text, never run or render it. */
const HOSTILE = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">O'Brien & "Sons"`;

beforeAll(async () => {
  env = await startTemporal();
  h = await SyncHarness.start(env);
  imported = await h.run('initialImport');
  ({ app, url } = await startConsole(consoleDeps(env, h)));
  chrome = await launchChromium();
  page = await chrome.context.newPage();
});
afterAll(async () => {
  await chrome?.close();
  await app?.close();
  await h?.close();
  await env?.teardown();
});

/** Every non-zero count cell of a `countsTable` with this prefix, as the ledger's OutcomeCounts shape. */
async function shownCounts(prefix: string): Promise<OutcomeCounts> {
  const cells = await page.locator(`[data-testid^="${prefix}-"]`).evaluateAll((els) => els.map((e) => [e.getAttribute('data-testid'), e.textContent?.trim()] as const));
  const counts: Record<string, Record<string, number>> = {};
  for (const [id, text] of cells) {
    const [kind, outcome] = id!.slice(prefix.length + 1).split('-');
    if (Number(text) > 0) (counts[kind!] ??= {})[outcome!] = Number(text);
  }
  return counts;
}

test('connections: the demo import\'s counts by kind and outcome are the ledger\'s, with the run linked to the Temporal Web UI', async () => {
  await page.goto(`${url}/`);
  expect(await page.locator('[data-testid="run-id-initialImport"]').textContent()).toBe(imported.runId);
  const ledgerCounts = await h.ledger.outcomeCounts(imported.runId);
  const nonZero = Object.fromEntries(Object.entries(ledgerCounts).map(([k, byOutcome]) => [k, Object.fromEntries(Object.entries(byOutcome ?? {}).filter(([, n]) => (n ?? 0) > 0))]));
  expect(Object.values(nonZero).reduce((n, byOutcome) => n + Object.values(byOutcome).reduce((a, b) => a + (b ?? 0), 0), 0)).toBeGreaterThan(50);
  expect(await shownCounts('count-initialImport')).toEqual(nonZero);
  // What is failing or held now is the ledger's too (the demo data carries records that fail).
  const now = await h.ledger.currentOutcomeCounts('demo');
  const attention = Object.fromEntries(
    Object.entries(now)
      .map(([k, byOutcome]) => [k, Object.fromEntries(Object.entries(byOutcome ?? {}).filter(([o, n]) => (o === 'failed' || o === 'held') && (n ?? 0) > 0))])
      .filter(([, v]) => Object.keys(v).length > 0),
  );
  expect(await shownCounts('now-demo')).toEqual(attention);
  const link = page.locator('[data-testid="run-initialImport"] a');
  expect(await link.getAttribute('href')).toBe(`http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(`initialImport/demo/${h.taskQueue}/1`)}/${imported.runId}/history`);
  await screenshot(page, 'console-connections');
});

test('true-up page without a true-up says how to start one', async () => {
  await page.goto(`${url}/trueup`);
  expect(await page.locator('[data-testid="no-trueup"]').textContent()).toMatch(/intacct-assignar trueup start/);
});

test('records: a held worker is released (overwrite) from the records page, the next sync writes it, and its hostile name is text', async () => {
  const e = h.sage.records('EMPLOYEE').find((x) => x.EMPLOYEEID === 'E1006')!;
  const user = byIntegrationId(h.assignar, 'users').get(e.RECORDNO)![0]!;
  h.assignar.upsertRecords('users', [{ id: user.id, contact: '0400 111 222' }]);
  h.sage.upsertRecords('EMPLOYEE', [{ ...e, 'CONTACT.FIRSTNAME': HOSTILE }]);
  const held = await h.run('incrementalSync');
  expect((await h.ledger.getOutcomes(held.runId, 'worker', [e.RECORDNO]))[0]!.outcome).toBe('held');

  await page.goto(`${url}/records?outcome=held`);
  const row = page.locator(`[data-testid="record-worker-${e.RECORDNO}"]`);
  expect(await row.count()).toBe(1);
  // The name shows as the text it is; no script ran, no element was made of it.
  expect(await row.textContent()).toContain(HOSTILE);
  expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('main script, main img').count()).toBe(0);
  // Sage Intacct's and Assignar's values side by side: the edited phone and the new name.
  expect(await row.textContent()).toContain('0400 111 222');
  await screenshot(page, 'console-records');

  await page.locator('[data-testid="release-overwrite-worker-E1006"]').click();
  await page.waitForURL((u) => u.pathname === '/records' && u.searchParams.has('flash'));
  expect(await page.locator('[data-testid="notice"]').textContent()).toMatch(/worker E1006 released: the next sync writes Sage Intacct's values/);
  await screenshot(page, 'console-records-released');
  expect((await h.ledger.getLinksBySageKeys('demo', 'worker', [e.RECORDNO]))[0]!.status).toBe('active');
  const [audit] = await h.ledger.listConsoleActions('demo', { limit: 1 });
  expect(audit).toMatchObject({ who: 'local', action: 'link.release', result: 'ok', details: { kind: 'worker', key: 'E1006', mode: 'overwrite' } });

  const sync = await h.run('incrementalSync');
  const after = byIntegrationId(h.assignar, 'users').get(e.RECORDNO)![0]!;
  expect(after.first_name).toBe(HOSTILE);
  expect(after.contact).not.toBe('0400 111 222');
  expect((await h.ledger.getOutcomes(sync.runId, 'worker', [e.RECORDNO])).map((o) => o.outcome)).toEqual(['updated']);
  await page.goto(`${url}/records?outcome=held&kind=worker`);
  expect(await page.locator(`[data-testid="record-worker-${e.RECORDNO}"]`).count()).toBe(0);
});

test('timesheets: every export group with its RECORDNO and hours, and the held timesheets with their reasons', async () => {
  h.assignar.simulateTimesheets({ startDate: '2026-11-02', days: 5, unusualPayCodeRatio: 0.1, hostileRatio: 0.2, seed: 7 });
  await h.run('timesheetExport');
  const groups = await h.ledger.listExportGroups('demo', { limit: 1000 });
  const held = await h.ledger.listHeldTimesheets('demo', { limit: 1000 });
  expect(groups.length).toBeGreaterThan(0);
  expect(held.length).toBeGreaterThan(0);

  await page.goto(`${url}/timesheets`);
  expect(await page.locator('[data-testid="export-groups"] tbody tr').count()).toBe(groups.length);
  const g = groups.find((x) => x.sageRecordNo)!;
  const row = page.locator(`[data-testid="group-${g.employeeId}-${g.weekStart}"]`);
  expect(await row.textContent()).toContain(g.sageRecordNo!);
  expect(await row.textContent()).toContain(String(Math.round((g.totalMinutes / 60) * 100) / 100));
  const heldRows = (await page.locator('[data-testid="held-timesheets"] tbody tr').count()) + (await page.locator('[data-testid="corrections"] tbody tr').count());
  expect(heldRows).toBe(held.length);
  expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('main script, main img').count()).toBe(0);
  await screenshot(page, 'console-timesheets');
  // The connections page after an import, two syncs, a release and an export (the README's picture).
  await page.goto(`${url}/`);
  expect(await page.locator('[data-testid="run-id-timesheetExport"]').count()).toBe(1);
  expect(await page.locator('[data-testid="audit-demo"]').textContent()).toContain('link.release');
  const month = new Date().toISOString().slice(0, 7);
  const usage = await h.ledger.listSageUsage({ fromDay: `${month}-01`, toDay: `${month}-31`, connection: 'demo' });
  expect(await page.locator('[data-testid="transactions-demo"] strong').textContent()).toBe(String(usage.reduce((n, d) => n + d.transactions, 0)));
  await screenshot(page, 'console-connections-after-runs');
});

test('operator token: on a non-loopback address every request needs it, actions without it are refused (403) and not taken; with it they are recorded under its name', async () => {
  const ip = nonLoopbackIpv4();
  expect(ip).toBeDefined(); // the machine has a non-loopback interface to bind to
  const remote = await startConsole(consoleDeps(env, h), ip!);
  try {
    expect(new URL(remote.url).hostname).toBe(ip);
    const before = (await h.ledger.listConsoleActions('demo', { limit: 100 })).length;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    const get = await fetch(`${remote.url}/`, { redirect: 'manual' });
    expect(get.status).toBe(401);
    expect(await get.text()).toContain('Operator token');
    for (const [path, body] of [
      ['/trueup/control', 'connection=demo&what=pause'],
      ['/trueup/approve', 'connection=demo&mode=all&confirm=yes'],
      ['/records/release', 'connection=demo&kind=worker&key=E1007&mode=overwrite'],
    ] as const) {
      const refused = await fetch(`${remote.url}${path}`, { method: 'POST', headers: form, body, redirect: 'manual' });
      expect([path, refused.status]).toEqual([path, 403]);
      const wrong = await fetch(`${remote.url}${path}`, { method: 'POST', headers: { ...form, authorization: 'Bearer not-a-real-token-000' }, body, redirect: 'manual' });
      expect([path, wrong.status]).toEqual([path, 403]);
    }
    expect((await h.ledger.listConsoleActions('demo', { limit: 100 })).length).toBe(before);
    // Tokens never reach the log.
    expect(remote.log.join('\n')).not.toContain('not-a-real-token');
    expect(remote.log.join('\n')).toMatch(/refused POST \/trueup\/control .*no operator token/);

    // With the bearer token the action is taken and recorded as alice's: the pause signal reaches trueUp/demo
    // when it runs (the held sync of the records test starts it by signal-with-start), else Temporal says none runs.
    const ok = await fetch(`${remote.url}/trueup/control`, { method: 'POST', headers: { ...form, authorization: `Bearer ${ALICE_TOKEN}` }, body: 'connection=demo&what=pause', redirect: 'manual' });
    expect(ok.status).toBe(303);
    const [audit] = await h.ledger.listConsoleActions('demo', { limit: 1 });
    expect(audit).toMatchObject({ who: 'alice', action: 'trueup.pause', message: expect.stringMatching(/pause sent|No true-up is running/) });
    expect(remote.log.join('\n')).not.toContain(ALICE_TOKEN);
    // In the browser: the login form sets an HttpOnly cookie, and the pages name the operator.
    const p = await chrome.context.newPage();
    await p.goto(`${remote.url}/records`);
    expect(await p.locator('#token').count()).toBe(1);
    await screenshot(p, 'console-login');
    await p.locator('#token').fill('wrong-token-wrong-token');
    await p.getByRole('button', { name: 'Sign in' }).click();
    expect(await p.locator('[data-testid="notice"]').textContent()).toMatch(/not an operator token/);
    await p.locator('#token').fill(ALICE_TOKEN);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(`${remote.url}/`);
    expect(await p.locator('[data-testid="operator"]').textContent()).toBe('alice');
    const cookies = await chrome.context.cookies(remote.url);
    expect(cookies.find((c) => c.name === 'ia_console')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(JSON.stringify(cookies)).not.toContain(ALICE_TOKEN);
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.goto(`${remote.url}/`);
    expect(await p.locator('#token').count()).toBe(1);
    await p.close();
  } finally {
    await remote.app.close();
  }
});

test('on the loopback console, a request from a non-loopback peer needs the token too; a cross-site form post and a foreign Host are refused', async () => {
  const ip = nonLoopbackIpv4()!;
  const before = (await h.ledger.listConsoleActions('demo', { limit: 100 })).length;
  const body = 'connection=demo&what=resume';
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  // Real TCP connections to 127.0.0.1 whose source address is the machine's other interface: the peer is not loopback.
  const far = await rawRequest(url, { method: 'POST', headers: form, body, localAddress: ip });
  expect([far.remote, far.status]).toEqual([ip, 403]);
  expect((await rawRequest(url, { method: 'GET', localAddress: ip })).status).toBe(401);
  expect((await rawRequest(url, { method: 'POST', headers: { ...form, authorization: `Bearer ${ALICE_TOKEN}` }, body: 'connection=demo&what=pause', localAddress: ip })).status).toBe(303);
  expect((await h.ledger.listConsoleActions('demo', { limit: 1 }))[0]).toMatchObject({ who: 'alice', action: 'trueup.pause' });
  const afterAlice = (await h.ledger.listConsoleActions('demo', { limit: 100 })).length;
  expect(afterAlice).toBe(before + 1);
  // A page elsewhere posting to the local console, and a foreign Host name (DNS rebinding), are refused.
  expect((await rawRequest(url, { method: 'POST', headers: { ...form, origin: 'http://evil.example' }, body })).status).toBe(403);
  expect((await rawRequest(url, { method: 'POST', headers: { ...form, 'sec-fetch-site': 'cross-site' }, body })).status).toBe(403);
  expect((await rawRequest(url, { method: 'GET', headers: { host: 'evil.example' } })).status).toBe(403);
  expect((await h.ledger.listConsoleActions('demo', { limit: 100 })).length).toBe(afterAlice);
  // From this machine, no token is needed and the action is recorded as `local`.
  const local = await rawRequest(url, { method: 'POST', headers: form, body });
  expect([local.remote, local.status]).toEqual(['127.0.0.1', 303]);
  expect((await h.ledger.listConsoleActions('demo', { limit: 1 }))[0]).toMatchObject({ who: 'local', action: 'trueup.resume' });
});

/**
 * One HTTP request over a fresh TCP connection, from `localAddress` when given (POSTs go to /trueup/control,
 * GETs to /). `remote` is the connection's source address: the peer address the console sees.
 */
function rawRequest(base: string, opts: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; localAddress?: string }): Promise<{ status: number; remote: string | undefined }> {
  const target = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: Number(target.port), path: opts.method === 'POST' ? '/trueup/control' : '/', method: opts.method, headers: { connection: 'close', ...opts.headers }, localAddress: opts.localAddress },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, remote: req.socket?.localAddress }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
