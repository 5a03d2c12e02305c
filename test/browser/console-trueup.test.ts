import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import { embeddedDefaultConfig } from '../../src/config/embedded-default';
import type { TrueupStatus } from '../../src/contracts/trueup';
import type { TrueupPlanItem } from '../../src/ledger';
import { SyncHarness } from '../helpers/sync-harness';
import { startTemporal } from '../helpers/temporal-env';
import { waitFor } from '../helpers/wait-for';
import { launchChromium, screenshot } from './browser';
import { consoleDeps, startConsole } from './console-env';

/**
 * The existing-tenant go-live true-up decided twice on identical tenants: once with `intacct-assignar trueup`
 * (approve a group by action and confidence, approve two single items, reject one guess, cancel), once
 * from the console in a real Chromium (the same decisions, with a pause and resume around them). The
 * final Assignar state and the items' states must be the same.
 */
type Row = Record<string, unknown>;
let env: TestWorkflowEnvironment;
let chrome: { context: BrowserContext; close: () => Promise<void> };

beforeAll(async () => {
  env = await startTemporal();
  chrome = await launchChromium();
});
afterAll(async () => {
  await chrome?.close();
  await env?.teardown();
});

const TRUEUP_ID = 'trueUp/demo';

interface Choice {
  group: string[];
  singles: string[];
  rejected: string;
}

interface Outcome {
  users: Row[];
  states: Record<string, string>;
  links: Array<{ sageKey: string; assignarId: string; status: string }>;
}

async function startTrueup(h: SyncHarness) {
  const handle = await env.client.workflow.start('trueUp', {
    taskQueue: h.taskQueue,
    workflowId: TRUEUP_ID,
    args: [{ connection: 'demo', entities: ['worker'], applyDelaySeconds: 0, rediffSeconds: 3600, reminderSeconds: 3600 }],
  });
  const status = () => handle.query<TrueupStatus>('status');
  await waitFor('the plan', async () => (await status()).phase === 'awaiting-approval');
  const { trueupId } = await status();
  return { handle, status, trueupId, items: await h.ledger.listTrueupItems('demo', trueupId, { limit: 1000 }) };
}

/** The go-live decisions: every certain link (a group), the duplicate and one more single item, and one name-only guess rejected. */
function choose(h: SyncHarness, items: TrueupPlanItem[]): Choice {
  const note = (id: string | null) => String((h.assignar.records('users') as Row[]).find((u) => String(u.id) === id)?.comments ?? '');
  const group = items.filter((i) => i.action === 'link' && i.state === 'proposed' && (i.confidence ?? 0) >= 0.9).map((i) => i.itemId);
  const rejected = items.find((i) => i.action === 'link' && note(i.assignarId).includes('match by name only'))!.itemId;
  const duplicate = items.find((i) => i.action === 'deactivate-duplicate')!.itemId;
  const other = items.find((i) => i.state === 'proposed' && (i.action === 'deactivate-orphan' || i.action === 'recreate' || i.action === 'overwrite'))!.itemId;
  expect(group.length).toBeGreaterThanOrEqual(6);
  return { group, singles: [duplicate, other], rejected };
}

async function settled(h: SyncHarness, trueupId: string, choice: Choice): Promise<void> {
  const approved = [...choice.group, ...choice.singles];
  await waitFor(
    'the approved items applied and verified',
    async () => {
      const now = await h.ledger.getTrueupItems('demo', trueupId, [...approved, choice.rejected]);
      return now.length === approved.length + 1 && now.every((i) => (i.itemId === choice.rejected ? i.state === 'rejected' : i.state === 'verified' || i.state === 'failed'));
    },
    120_000,
  );
}

const VOLATILE = /(modified|created|updated)/i;
async function outcomeOf(h: SyncHarness, trueupId: string): Promise<Outcome> {
  const users = (h.assignar.records('users') as Row[])
    .map((u) => Object.fromEntries(Object.entries(u).filter(([k]) => !VOLATILE.test(k))))
    .sort((a, b) => Number(a.id) - Number(b.id));
  const items = await h.ledger.listTrueupItems('demo', trueupId, { limit: 1000 });
  const links = (await h.ledger.listLinks('demo', 'worker', { limit: 1000 })).map((l) => ({ sageKey: l.sageKey, assignarId: l.assignarId, status: l.status })).sort((a, b) => a.sageKey.localeCompare(b.sageKey));
  return { users, states: Object.fromEntries(items.map((i) => [i.itemId, i.state])), links };
}

/**
 * `intacct-assignar <args>` against this Temporal server and the harness's configuration. Asynchronous: the
 * harness's worker runs in this process and must keep serving the workflow while the CLI waits on it.
 */
async function cli(h: SyncHarness, args: string[]): Promise<string> {
  const raw = embeddedDefaultConfig() as { connections: Array<Record<string, Record<string, unknown>>> };
  const demo = raw.connections[0]!;
  demo.sage.endpoint = h.sage.endpointUrl;
  demo.assignar.apiBase = h.assignar.apiBase;
  demo.assignar.tokenUrl = h.assignar.tokenUrl;
  const file = path.join(h.dir, 'cli-config.json');
  fs.writeFileSync(file, JSON.stringify({ ...raw, ledger: { sqlitePath: path.join(h.dir, 'ledger.sqlite') } }));
  const r = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.resolve(__dirname, '../../bin/intacct-assignar.js'), ...args, '--config', file],
      { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' } },
      (err, stdout, stderr) => resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 0, '']);
  return r.stdout;
}

/** Clicks a form's button and waits for the page the post redirects to (a new flash notice). */
async function submit(page: Page, selector: string): Promise<void> {
  const before = page.url();
  await page.locator(selector).click();
  await page.waitForURL((u) => u.href !== before && u.searchParams.has('flash'));
}

let viaCli: Outcome;
let choice: Choice;

test('from the CLI: approve a group (--action link --min-confidence 0.9), two single items, reject one guess, then cancel', async () => {
  const h = await SyncHarness.start(env, { assignar: { seed: 'existing-tenant' } });
  try {
    const { handle, trueupId, items } = await startTrueup(h);
    choice = choose(h, items);
    expect(await cli(h, ['trueup', 'approve', '--action', 'link', '--min-confidence', '0.9'])).toBe(`approved ${choice.group.length}\n`);
    await cli(h, ['trueup', 'approve', '--items', choice.singles.join(',')]);
    await cli(h, ['trueup', 'reject', '--items', choice.rejected, '--reason', 'not the same person']);
    await settled(h, trueupId, choice);
    await cli(h, ['trueup', 'cancel']);
    expect((await handle.result()).phase).toBe('cancelled');
    viaCli = await outcomeOf(h, trueupId);
    expect(Object.values(viaCli.states).filter((s) => s === 'verified').length).toBe(choice.group.length + choice.singles.length);
  } finally {
    await h.close();
  }
});

test('from the console: the same decisions (group button, two ticked items, one ticked rejection) give the same Assignar state, with live progress and an audit', async () => {
  expect(viaCli).toBeDefined();
  const h = await SyncHarness.start(env, { assignar: { seed: 'existing-tenant' } });
  let app: FastifyInstance | undefined;
  let page: Page | undefined;
  try {
    const { handle, status, trueupId, items } = await startTrueup(h);
    // Identical tenants plan identical items (ids are deterministic per finding).
    expect(choose(h, items)).toEqual(choice);
    const started = await startConsole(consoleDeps(env, h));
    app = started.app;
    page = await chrome.context.newPage();
    await page.goto(`${started.url}/trueup`);
    expect(await page.locator('[data-testid="phase"]').textContent()).toBe('awaiting-approval');
    await screenshot(page, 'console-trueup-plan');

    // Pause: the decisions are recorded but nothing is applied until resume.
    await submit(page, '[data-testid="control-pause"]');
    await waitFor('paused', async () => (await status()).paused);

    await submit(page, '[data-testid="approve-group-link-certain"]');
    expect(await page.locator('[data-testid="notice"]').textContent()).toBe(`${choice.group.length} item(s) approved`);
    for (const id of choice.singles) await page.locator(`[data-testid="select-${id}"]`).check();
    await submit(page, '[data-testid="approve-selected"]');
    expect(await page.locator('[data-testid="notice"]').textContent()).toBe('2 item(s) approved');
    await page.locator(`[data-testid="select-${choice.rejected}"]`).check();
    await page.getByLabel('Reason for a rejection').fill('not the same person');
    await submit(page, '[data-testid="reject-selected"]');
    await waitFor('the rejection', async () => ((await status()).counts.link?.rejected ?? 0) === 1);
    expect((await status()).counts.link?.applied ?? 0).toBe(0);

    // Resume, then watch the page's live progress reach every approved item without reloading it.
    await submit(page, '[data-testid="control-resume"]');
    const approved = choice.group.length + choice.singles.length;
    await page.waitForFunction((n) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('[data-live="progress-text"]')?.textContent === `${n} of ${n}`, approved, { timeout: 120_000, polling: 500 });
    await settled(h, trueupId, choice);
    await page.reload();
    await screenshot(page, 'console-trueup-applied');

    await submit(page, '[data-testid="control-cancel"]');
    expect((await handle.result()).phase).toBe('cancelled');

    const viaConsole = await outcomeOf(h, trueupId);
    expect(viaConsole).toEqual(viaCli);
    // Who decided: the console's operator, recorded with the items and in the console's audit.
    const decided = await h.ledger.getTrueupItems('demo', trueupId, [...choice.group, ...choice.singles, choice.rejected]);
    expect(new Set(decided.map((i) => i.decidedBy))).toEqual(new Set(['local']));
    const audit = (await h.ledger.listConsoleActions('demo', { limit: 20 })).reverse();
    expect(audit.map((a) => [a.who, a.action, a.result])).toEqual([
      ['local', 'trueup.pause', 'ok'],
      ['local', 'trueup.approve', 'ok'],
      ['local', 'trueup.approve', 'ok'],
      ['local', 'trueup.reject', 'ok'],
      ['local', 'trueup.resume', 'ok'],
      ['local', 'trueup.cancel', 'ok'],
    ]);
    expect(audit[1]!.details).toEqual({ items: choice.group });
    expect(audit[3]!.details).toEqual({ items: [choice.rejected], reason: 'not the same person' });
  } finally {
    await page?.close();
    await app?.close();
    await h.close();
  }
});
