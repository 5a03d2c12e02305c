import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ApproveInput, ApproveResult, TrueupStatus } from '../../../src/contracts/trueup';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';
import { waitFor } from '../../helpers/wait-for';

type Row = Record<string, unknown>;
let env: TestWorkflowEnvironment;
let h: SyncHarness;

beforeAll(async () => {
  env = await startTemporal();
  h = await SyncHarness.start(env, { assignar: { seed: 'existing-tenant' } });
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

test('go-live true-up: plan, approve the certain links and one duplicate, reject a guess, pause and resume, apply and verify, then the rest: every in-scope worker linked once, the Assignar-only ones created in Sage Intacct', async () => {
  const handle = await env.client.workflow.start('trueUp', {
    taskQueue: h.taskQueue,
    workflowId: `trueUp/demo/${h.taskQueue}`,
    args: [{ connection: 'demo', entities: ['worker'], applyDelaySeconds: 0, rediffSeconds: 3600, reminderSeconds: 3600 }],
  });
  const status = () => handle.query<TrueupStatus>('status');
  await waitFor('the plan', async () => (await status()).phase === 'awaiting-approval');
  const planned = await status();
  expect(planned.generation).toBe(1);
  expect(planned.counts.link?.proposed).toBeGreaterThanOrEqual(7);
  expect(planned.counts['deactivate-duplicate']?.proposed).toBe(1);

  const items = await h.ledger.listTrueupItems('demo', planned.trueupId, { limit: 1000 });
  const users = h.assignar.records('users') as Row[];
  const note = (id: string | null) => String(users.find((u) => String(u.id) === id)?.comments ?? '');
  const nameOnly = items.find((i) => i.action === 'link' && note(i.assignarId).includes('match by name only'))!;
  const duplicate = items.find((i) => i.action === 'deactivate-duplicate')!;

  // Pause first: approvals are recorded but nothing is applied until resume.
  await handle.signal('pause');
  const approved = await handle.executeUpdate<ApproveResult, [ApproveInput]>('approveItems', { args: [{ action: 'link', minConfidence: 0.9 }] });
  expect(approved.approved).toBeGreaterThanOrEqual(6);
  const withErrors = await handle.executeUpdate<ApproveResult, [ApproveInput]>('approveItems', { args: [{ items: [duplicate.itemId, 'worker:link:nope:nope'] }] });
  expect(withErrors).toEqual({ approved: 1, errors: [{ itemId: 'worker:link:nope:nope', reason: expect.stringMatching(/unknown/) }] });
  await handle.signal('reject', { items: [nameOnly.itemId], reason: 'not the same person' });
  await waitFor('the rejection', async () => ((await status()).counts.link?.rejected ?? 0) === 1);
  expect((await status()).counts.link?.applied ?? 0).toBe(0);

  await handle.signal('resume');
  await waitFor('the approved links applied and verified', async () => ((await status()).counts.link?.verified ?? 0) === approved.approved, 60_000);
  const after = await status();
  expect(after.phase).toBe('awaiting-approval');
  expect(after.counts['deactivate-duplicate']?.verified).toBe(1);

  // Every approved link is in the ledger and Assignar holds Sage Intacct's values; the rejected guess is untouched.
  const links = new Map((await h.ledger.listLinks('demo', 'worker', { limit: 1000 })).map((l) => [l.assignarId, l]));
  for (const i of items.filter((x) => x.action === 'link' && (x.confidence ?? 0) >= 0.9)) {
    expect(links.get(i.assignarId!)).toMatchObject({ sageKey: i.sageKey, status: 'active' });
    const u = (h.assignar.records('users') as Row[]).find((x) => String(x.id) === i.assignarId)!;
    expect(String(u.integration_id)).toBe(i.sageKey);
  }
  expect(links.has(nameOnly.assignarId!)).toBe(false);
  const before = users.find((u) => String(u.id) === nameOnly.assignarId)!;
  expect((h.assignar.records('users') as Row[]).find((u) => String(u.id) === nameOnly.assignarId)).toEqual(before);
  expect((h.assignar.records('users') as Row[]).find((u) => String(u.id) === duplicate.assignarId)!.active).toBe(false);

  // Then everything else the plan proposes (creates in both systems, the orphan, the other links).
  const rest = await handle.executeUpdate<ApproveResult, [ApproveInput]>('approveItems', { args: [{ all: true }] });
  expect(rest.approved).toBeGreaterThan(10);
  const final = await handle.result();
  expect(final.phase).toBe('done');
  const decided = await h.ledger.listTrueupItems('demo', planned.trueupId, { limit: 1000 });
  expect(decided.filter((i) => i.state === 'failed')).toEqual([]);
  expect(decided.filter((i) => i.action !== 'leave' && i.state !== 'verified' && i.state !== 'rejected')).toEqual([]);

  // Every in-scope Sage Intacct worker is linked exactly once, unless a person must decide (a rejected or left
  // item names it, or a conflicting worker's keys point at it).
  const active = (await h.ledger.listLinks('demo', 'worker', { limit: 1000 })).filter((l) => l.status === 'active');
  expect(new Set(active.map((l) => l.sageKey)).size).toBe(active.length);
  expect(new Set(active.map((l) => l.assignarId)).size).toBe(active.length);
  const linkedKeys = new Set(active.map((l) => l.sageKey));
  const undecided = decided.filter((i) => i.state === 'rejected' || i.action === 'leave');
  const named = new Set(undecided.flatMap((i) => [i.sageKey, ...i.evidence.map((e) => e.sage)]).filter((v): v is string => !!v).map((v) => v.toLowerCase()));
  const employees = h.sage.records('EMPLOYEE') as Row[];
  for (const e of employees.filter((x) => x.STATUS === 'active')) {
    const excused = [e.RECORDNO, e.EMPLOYEEID, e['CONTACT.EMAIL1']].some((v) => v && named.has(String(v).toLowerCase()));
    if (!excused) expect([e.EMPLOYEEID, linkedKeys.has(String(e.RECORDNO))]).toEqual([e.EMPLOYEEID, true]);
  }
  // The Assignar-only workers now exist in Sage Intacct, linked to them; the rejected guess is still untouched.
  for (const i of decided.filter((x) => x.action === 'create-in-sage')) {
    const link = active.find((l) => l.assignarId === i.assignarId)!;
    expect(employees.find((e) => String(e.RECORDNO) === link.sageKey)).toBeDefined();
  }
  expect((h.assignar.records('users') as Row[]).find((u) => String(u.id) === nameOnly.assignarId)).toEqual(before);
});

test('a re-diff that changes an approved item withdraws the approval; waits continue-as-new', async () => {
  const handle = await env.client.workflow.start('trueUp', {
    taskQueue: h.taskQueue,
    workflowId: `trueUp/demo/${h.taskQueue}/second`,
    // Re-diff every 2 s, and continue-as-new after every 2 waits.
    args: [{ connection: 'demo', applyDelaySeconds: 0, rediffSeconds: 2, reminderSeconds: 3600, eventsPerRun: 2 }],
  });
  const status = () => handle.query<TrueupStatus>('status');
  await waitFor('the plan', async () => (await status()).phase === 'awaiting-approval');
  const { trueupId } = await status();
  const items = await h.ledger.listTrueupItems('demo', trueupId, { actions: ['link'], states: ['proposed'], limit: 100 });
  const guess = items.find((i) => (i.confidence ?? 1) < 0.5)!;
  expect(guess).toBeDefined();

  await handle.signal('pause');
  const approved = await handle.executeUpdate<ApproveResult, [ApproveInput]>('approveItems', { args: [{ items: [guess.itemId] }] });
  expect(approved).toEqual({ approved: 1, errors: [] });
  // Someone corrects the worker's phone in Assignar: the evidence the operator approved is no longer what is there.
  const user = (h.assignar.records('users') as Row[]).find((u) => String(u.id) === guess.assignarId)!;
  h.assignar.upsertRecords('users', [{ ...user, contact: '+1 312 555 0000' }]);
  await waitFor('the approval withdrawn by a re-diff', async () => (await status()).withdrawn === 1, 60_000);
  const withdrawnNow = (await h.ledger.getTrueupItems('demo', trueupId, [guess.itemId]))[0];
  expect(withdrawnNow).toMatchObject({ state: 'withdrawn', reason: expect.stringMatching(/approve it again/) });
  expect((await status()).notices.join('\n')).toMatch(/withdrawn; approve them again/);

  // Resuming applies nothing the operator has not seen: the withdrawn item stays as it was.
  await handle.signal('resume');
  await waitFor('more re-diffs (and a continue-as-new)', async () => (await status()).generation >= 4, 60_000);
  expect((await h.ledger.getTrueupItems('demo', trueupId, [guess.itemId]))[0]!.state).toBe('withdrawn');
  expect(await h.ledger.getLinksByAssignarIds('demo', 'worker', [guess.assignarId!])).toEqual([]);
  const described = await handle.describe();
  expect(described.runId).not.toBe(handle.firstExecutionRunId);
  await handle.signal('cancel');
  expect((await handle.result()).phase).toBe('cancelled');
});

test('clients and projects: the ID matches linked and Sage Intacct values written, the name guess and the duplicate decided, Assignar-only ones untouched', async () => {
  const handle = await env.client.workflow.start('trueUp', {
    taskQueue: h.taskQueue,
    workflowId: `trueUp/demo/${h.taskQueue}/entities`,
    args: [{ connection: 'demo', entities: ['client', 'project'], applyDelaySeconds: 0, rediffSeconds: 3600, reminderSeconds: 3600 }],
  });
  const status = () => handle.query<TrueupStatus>('status');
  await waitFor('the plan', async () => (await status()).phase === 'awaiting-approval');
  const { trueupId } = await status();
  const items = await h.ledger.listTrueupItems('demo', trueupId, { limit: 1000 });
  expect(new Set(items.map((i) => i.kind))).toEqual(new Set(['client', 'project']));
  const clientsBefore = h.assignar.records('clients') as Row[];
  const projectsBefore = h.assignar.records('projects') as Row[];
  const clientLinks = items.filter((i) => i.kind === 'client' && i.action === 'link');
  const clientDuplicate = items.find((i) => i.kind === 'client' && i.action === 'deactivate-duplicate')!;
  const left = items.filter((i) => i.action === 'leave');
  expect(left.length).toBeGreaterThanOrEqual(4); // Walk-in, the test client, the yard, the training day

  // Every client link (ID and name matches) and the duplicate; then the projects by ID, once their clients are linked.
  await handle.executeUpdate<ApproveResult, [ApproveInput]>('approveItems', { args: [{ items: [...clientLinks.map((i) => i.itemId), clientDuplicate.itemId] }] });
  await waitFor('the clients applied and verified', async () => ((await status()).counts.link?.verified ?? 0) === clientLinks.length, 60_000);
  const projectLinks = items.filter((i) => i.kind === 'project' && i.action === 'link' && (i.confidence ?? 0) >= 0.9);
  await handle.executeUpdate<ApproveResult, [ApproveInput]>('approveItems', { args: [{ items: projectLinks.map((i) => i.itemId) }] });
  await waitFor('the projects applied', async () => {
    const now = await h.ledger.getTrueupItems('demo', trueupId, projectLinks.map((i) => i.itemId));
    return now.every((i) => i.state === 'verified' || i.state === 'failed');
  }, 60_000);

  const customers = new Map((h.sage.records('CUSTOMER') as Row[]).map((c) => [String(c.RECORDNO), c]));
  const clientLinkRows = new Map((await h.ledger.listLinks('demo', 'client', { limit: 1000 })).map((l) => [l.assignarId, l]));
  for (const i of clientLinks) {
    expect(clientLinkRows.get(i.assignarId!)).toMatchObject({ sageKey: i.sageKey, status: 'active' });
    const c = (h.assignar.records('clients') as Row[]).find((x) => String(x.id) === i.assignarId)!;
    // Sage Intacct's values written: the renamed client has its name back, the archived one is active again.
    expect(c).toMatchObject({ integration_id: i.sageKey, name: customers.get(i.sageKey!)!.NAME, active: true });
  }
  expect((h.assignar.records('clients') as Row[]).find((x) => String(x.id) === clientDuplicate.assignarId)!.active).toBe(false);
  const own = (r: Row | undefined) => r && Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'client'));
  // A project is linked and written when its client is linked; otherwise it fails with the reason, and nothing is written.
  const projectState = await h.ledger.getTrueupItems('demo', trueupId, projectLinks.map((i) => i.itemId));
  expect(projectState.filter((i) => i.state === 'verified').length).toBeGreaterThanOrEqual(1);
  for (const i of projectState.filter((x) => x.state === 'failed')) {
    expect(i.reason).toMatch(/client|customer/i);
    expect(own((h.assignar.records('projects') as Row[]).find((x) => String(x.id) === i.assignarId))).toEqual(own(projectsBefore.find((x) => String(x.id) === i.assignarId)));
  }
  // Left items wrote nothing: Assignar-only clients and projects are as they were.
  // (A project embeds its client's current name: compare the project's own fields.)
  for (const i of left) {
    const [now, before] = i.kind === 'client' ? [h.assignar.records('clients') as Row[], clientsBefore] : [h.assignar.records('projects') as Row[], projectsBefore];
    expect(own(now.find((x) => String(x.id) === i.assignarId))).toEqual(own(before.find((x) => String(x.id) === i.assignarId)));
  }
  await handle.signal('cancel');
  expect((await handle.result()).phase).toBe('cancelled');
});
