/**
 * `npm run bench:trueup` — the true-up (issue 10) of a 10,000-worker tenant with 5 % drift, on the same
 * real rig as bench:import, bench:sync and bench:export (bench/support/sync-rig.ts: a Temporal dev server,
 * both sandboxes in their own process over HTTP, the production worker as a child process). Latencies and
 * limits are theirs: Sage Intacct at 200 ms and a concurrency cap of 2, Assignar at 50 ms and 100 requests/s;
 * the connection has sage.concurrency 2 and pageSize 2,000, assignar.requestsPerSecond 100, concurrency 12,
 * pageSize 500 (the default), and only the worker entity enabled (the tenant is a workers tenant: the
 * true-up's reads and minimums are the employees' and the users').
 *
 * The tenant, built the way a real one comes about:
 *   1. the `large` Sage Intacct seed (10,000 employees: ~10 % inactive, shared emails, employees without
 *      email, non-Latin names) and a new Assignar tenant (`demo`: lookups and one administrator);
 *   2. a real `initialImport` of the workers (measured: that is the go-live);
 *   3. drift, stage 1: 100 workers edited in Assignar, then a real `incrementalSync` that holds them
 *      (the worker drift policy is `hold`);
 *   4. drift, stage 2: 400 more workers touched by people in both systems (edits, archives, purges,
 *      hand-made duplicates, rehires entered by hand, leavers, labour-hire workers, a few typos that
 *      make conflicting keys). The mix and why is printed (bench/support/trueup-tenant.ts).
 * Nothing writes the ledger but the product: links and hashes are the import's and the sync's own.
 *
 * Then one `trueUp` (input: connection, entities [worker], applyDelaySeconds 0; everything else the
 * workflow's defaults, waveSize 500):
 *   plan   — from workflow start to phase `awaiting-approval` (status query polled every 100 ms); Sage
 *            metered transactions and Assignar calls counted by the sandboxes over the planning only,
 *            against their minimum: ceil(employees ÷ 2,000) queries and ceil(users ÷ 500) pages;
 *   decide — the operator approves everything (`approveItems` update, `{all: true}`; `leave` items
 *            cannot be approved), the labour-hire workers' `create-in-sage` items included;
 *   apply  — from the approval to the last apply wave closed (workflow history), against the bound
 *            writes needed ÷ 100/s (one Assignar write per link, overwrite, recreate, deactivation and
 *            created employee's worker that applied; accept writes nothing), or the Sage Intacct creates
 *            (one request each at the cap) if longer; then the workflow's verification, and separately the
 *            bench's own check of every applied item against both sandboxes' tables and the ledger.
 *
 * Targets: plan ≤ 120 s with reads at their minimum; apply ratio ≤ 1.25. The last line is one JSON object.
 *
 * Knobs (environment): BENCH_ASSIGNAR_CONCURRENCY (12), BENCH_TRUEUP_WAVE (the workflow's default, 500).
 */
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  activityBreakdown, assignar, assignarCalls, cleanup, CONNECTION_ID, countsLine, describeWorkerPid, fmt, makeTmpDir, round, runBench, runWorkflow, sage,
  startSandboxes, startTemporal, startWorker, sumCounts, temporalClient, workflowRuns, writeWorkerConfig, type ActivityTiming,
} from './support/sync-rig';
import {
  checkApplied, classify, DRIFT_MIX, DRIFTED, driftStage1, driftStage2, readItems, readLinks, type DriftRecord, type ItemRow,
} from './support/trueup-tenant';
import { ENTITY_KINDS } from '../src/config/schema';
import { TRUEUP_ACTIONS, TrueupInputSchema, type TrueupInput, type TrueupStatus } from '../src/contracts/trueup';
import { TASK_QUEUE, workflowId } from '../src/temporal/constants';
import { ensureSearchAttributes } from '../src/temporal/search-attributes';

const SAGE_LATENCY_MS = 200;
const SAGE_CAP = 2;
const SAGE_PAGE = 2000;
const ASSIGNAR_LATENCY_MS = 50;
const ASSIGNAR_RPS = 100;
const ASSIGNAR_CONCURRENCY = Number(process.env.BENCH_ASSIGNAR_CONCURRENCY ?? 12);
const WAVE = process.env.BENCH_TRUEUP_WAVE ? Number(process.env.BENCH_TRUEUP_WAVE) : undefined;
const TARGETS = { plan_s: 120, apply_ratio: 1.25 };
/** Actions whose applied item is exactly one Assignar write. */
const ONE_WRITE = new Set(['link', 'overwrite', 'recreate', 'deactivate-duplicate', 'deactivate-orphan', 'create-in-sage']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t0: number) => (Date.now() - t0) / 1000;

/** Polls `status` until `done(status)`; resolves with it and the bench-clock time it was first seen. */
async function waitForStatus(handle: WorkflowHandle, done: (s: TrueupStatus) => boolean, timeoutS: number, everyMs = 100, seen?: (s: TrueupStatus) => void): Promise<{ status: TrueupStatus; atMs: number }> {
  const deadline = Date.now() + timeoutS * 1000;
  let lastError: unknown;
  for (;;) {
    try {
      const status = (await handle.query('status')) as TrueupStatus;
      seen?.(status);
      if (done(status)) return { status, atMs: Date.now() };
    } catch (err) {
      lastError = err; // the first workflow task may not have run yet
    }
    if (Date.now() > deadline) throw new Error(`the true-up did not get there within ${timeoutS} s${lastError ? ` (last query error: ${String(lastError)})` : ''}`);
    await sleep(everyMs);
  }
}

/** A true-up the sync's hand-over (feedTrueup) may have started: let it finish planning, then cancel it. */
async function cancelFedTrueup(client: Client): Promise<string | undefined> {
  const handle = client.workflow.getHandle(workflowId('trueUp', CONNECTION_ID));
  try {
    const desc = await handle.describe();
    if (desc.status.name !== 'RUNNING') return undefined;
  } catch {
    return undefined;
  }
  await waitForStatus(handle, (s) => s.phase !== 'planning', 600, 500);
  await handle.signal('cancel');
  await handle.result();
  return 'the sync handed its held records to a true-up (feedTrueup), which planned and was cancelled before the measured one';
}

function byActionState(items: readonly ItemRow[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const a of TRUEUP_ACTIONS) out.set(a, {});
  for (const i of items) {
    const m = out.get(i.action)!;
    m[i.state] = (m[i.state] ?? 0) + 1;
  }
  for (const [a, m] of out) if (Object.keys(m).length === 0) out.delete(a);
  return out;
}

const states = (m: Record<string, number>) => Object.entries(m).map(([s, n]) => `${s} ${n}`).join(', ');
const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
const routes = (byRoute: Record<string, number>) => Object.entries(byRoute).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';

function span(acts: readonly ActivityTiming[]): { firstMs: number; lastMs: number } {
  return { firstMs: Math.min(...acts.map((a) => a.scheduledMs)), lastMs: Math.max(...acts.map((a) => a.closedMs ?? a.scheduledMs)) };
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const dir = makeTmpDir('bench-trueup-');
  const ledgerFile = path.join(dir, 'ledger.sqlite');
  console.log(
    `bench:trueup — Sage seed large at ${SAGE_LATENCY_MS} ms, cap ${SAGE_CAP}; Assignar demo tenant at ${ASSIGNAR_LATENCY_MS} ms, ${ASSIGNAR_RPS} req/s; ` +
      `a workers-only connection; temp dir ${dir}`,
  );
  const [sb, temporal] = await Promise.all([
    startSandboxes({
      sage: { seed: 'large', latencyMs: SAGE_LATENCY_MS, concurrencyCap: SAGE_CAP },
      assignar: { seed: 'demo', latencyMs: ASSIGNAR_LATENCY_MS, requestsPerSecond: ASSIGNAR_RPS },
    }),
    startTemporal(dir),
  ]);
  const { file, connection } = writeWorkerConfig(dir, sb, {
    sageConcurrency: SAGE_CAP,
    sageLatencyMs: SAGE_LATENCY_MS,
    assignarRequestsPerSecond: ASSIGNAR_RPS,
    assignarConcurrency: ASSIGNAR_CONCURRENCY,
    entities: Object.fromEntries(ENTITY_KINDS.filter((k) => k !== 'worker').map((k) => [k, { enabled: false }])),
  });
  // The true-up sets the TrueupPhase search attribute: the dev server must know it (as `dev` and the tests start it).
  const client = await temporalClient(temporal.address);
  const registered = await ensureSearchAttributes(client.connection, 'default');
  const worker = await startWorker(dir, temporal, sb, file, connection);
  console.log(`sandboxes pids Sage ${sb.pids.sage}, Assignar ${sb.pids.assignar}; Temporal dev server pid ${temporal.pid} at ${temporal.address}; ${describeWorkerPid(worker)}`);
  console.log(
    `connection: sage.concurrency ${connection.sage.concurrency}, pageSize ${connection.sage.pageSize}; assignar.requestsPerSecond ${connection.assignar.requestsPerSecond}, ` +
      `concurrency ${connection.assignar.concurrency}, pageSize ${connection.assignar.pageSize}; worker drift policy ${connection.entities.worker.drift}; ` +
      `entities enabled: ${ENTITY_KINDS.filter((k) => connection.entities[k].enabled).join(', ')}`,
  );
  if (registered.length) console.log(`search attributes registered on the dev server: ${registered.join(', ')}`);

  // ── 1. the tenant: a real import ─────────────────────────────────────────────────────────────────────
  console.log('');
  console.log('1. the tenant');
  const imported = await runWorkflow(client, 'initialImport', { entities: ['worker'] });
  const importCalls = assignarCalls(await assignar.stats(sb));
  console.log(
    `   initialImport of the workers: ${fmt(imported.wallS, 1)} s; created ${sumCounts(imported.summary, 'created')}, adopted ${sumCounts(imported.summary, 'adopted')}, ` +
      `failed ${sumCounts(imported.summary, 'failed')} (seen ${sumCounts(imported.summary, 'seen')}); Assignar writes ${importCalls.writes}, calls ${importCalls.total}`,
  );
  for (const n of imported.summary.notices.slice(0, 3)) console.log(`     notice: ${n.slice(0, 200)}`);

  // ── 2. drift, stage 1, and a sync that holds it ──────────────────────────────────────────────────────
  const facts = async () => ({ employees: await sage.records(sb, 'EMPLOYEE'), users: await assignar.records(sb, 'users'), links: readLinks(ledgerFile) });
  const before = await facts();
  const linkedBefore = before.links.filter((l) => l.status === 'active').length;
  const s1 = await driftStage1(sb, before);
  const synced = await runWorkflow(client, 'incrementalSync', { entities: ['worker'] });
  const fed = await cancelFedTrueup(client);
  const afterSync = readLinks(ledgerFile);
  console.log(
    `   incrementalSync after stage-1 drift: ${fmt(synced.wallS, 1)} s; ${countsLine(synced.summary).map((l) => l.trim()).join('; ')}; ` +
      `links now ${Object.entries(afterSync.reduce<Record<string, number>>((m, l) => ({ ...m, [l.status]: (m[l.status] ?? 0) + 1 }), {})).map(([s, n]) => `${s} ${n}`).join(', ')}`,
  );
  if (fed) console.log(`   (${fed})`);

  // ── 3. drift, stage 2 ────────────────────────────────────────────────────────────────────────────────
  const s2 = await driftStage2(sb, await facts(), s1);
  const drift: DriftRecord[] = [...s1.records, ...s2];
  const tenant = await facts();
  const employees = tenant.employees.length;
  const users = tenant.users.length;
  const fieldWorkers = tenant.users.filter((u) => Number(u.user_type_id) === 2).length;
  console.log(
    `   the tenant now: Sage Intacct ${employees} employees (${tenant.employees.filter((e) => e.STATUS === 'active').length} active); Assignar ${users} users ` +
      `(${fieldWorkers} field workers, ${tenant.users.filter((u) => u.active !== false).length} active); ledger: ${linkedBefore} worker links written by the import, ` +
      `${tenant.links.filter((l) => l.status === 'held').length} held by the sync`,
  );
  console.log(`   drift: ${drift.length} workers (${fmt((100 * drift.length) / employees, 1)} % of ${employees}) — why this mix: the ways a tenant drifts after go-live,`);
  console.log('   most of it people editing workers in Assignar (what the drift policy holds), then the hand-made records of a busy office:');
  for (const [c, spec] of Object.entries(DRIFT_MIX)) console.log(`     ${String(spec.n).padStart(4)}  ${c.padEnd(16)} → ${spec.expect.padEnd(20)} ${spec.what}`);
  if (drift.length !== DRIFTED) throw new Error(`drift: made ${drift.length}, meant ${DRIFTED}`);

  // ── 4. plan ──────────────────────────────────────────────────────────────────────────────────────────
  console.log('');
  console.log('2. plan: trueUp started');
  const input: TrueupInput = { connection: CONNECTION_ID, entities: ['worker'], applyDelaySeconds: 0, ...(WAVE ? { waveSize: WAVE } : {}) };
  await Promise.all([sage.resetStats(sb), assignar.resetStats(sb)]);
  const planT0 = Date.now();
  const handle = await client.workflow.start('trueUp', { taskQueue: TASK_QUEUE, workflowId: workflowId('trueUp', CONNECTION_ID), args: [input] });
  const planned = await waitForStatus(handle, (s) => s.phase !== 'planning', 900);
  const planS = (planned.atMs - planT0) / 1000;
  const [planSage, planAssignar] = await Promise.all([sage.stats(sb), assignar.stats(sb)]);
  const planCalls = assignarCalls(planAssignar);
  const trueupId = planned.status.trueupId;
  const items = readItems(ledgerFile, trueupId);
  const planHistory = await workflowRuns(client, handle.workflowId, handle.firstExecutionRunId);
  const planActivity = planHistory.activities.find((a) => a.type === 'planTrueup');
  const planSageMin = Math.ceil(employees / SAGE_PAGE);
  // A short page ends a listing: N users in pages of P take floor(N / P) + 1 calls (ceil, plus one when N is a multiple of P).
  const assignarPage = connection.assignar.pageSize;
  const planAssignarMin = Math.floor(users / assignarPage) + 1;
  const planAssignarReads = Object.entries(planCalls.byRoute).filter(([r]) => /^GET \S*\/users$/.test(r)).reduce((n, [, v]) => n + v, 0);
  console.log(`   phase ${planned.status.phase} after ${fmt(planS, 1)} s (workflow start → status shows it; planTrueup activity ${planActivity?.closedMs ? fmt((planActivity.closedMs - planActivity.scheduledMs) / 1000, 1) : '?'} s scheduled → closed)`);
  console.log(
    `   Sage Intacct: ${planSage.transactions.total} metered transactions (${routes(planSage.transactions.byFunctionAndObject)}) vs the minimum ceil(${employees} ÷ ${SAGE_PAGE}) = ${planSageMin}; ` +
      `requests ${planSage.requests}, sessions opened ${planSage.sessionsOpened}`,
  );
  console.log(
    `   Assignar: ${planCalls.total} calls (${routes(planCalls.byRoute)}; 429s ${planCalls.http429}) vs the minimum ${planAssignarMin} pages of ${assignarPage} for ${users} users ` +
      `(floor(${users} ÷ ${assignarPage}) + 1: the last, short page ends the listing)`,
  );

  const cls = classify(items, drift);
  const actions = byActionState(items);
  console.log(`   plan: ${items.length} items — ${[...actions.entries()].map(([a, m]) => `${a} ${total(m)}`).join(', ')}`);
  console.log('   the drift, worker by worker, against the plan:');
  for (const c of cls.byCategory) {
    const other = Object.entries(c.other).map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`     ${c.category.padEnd(16)} ${String(c.asExpected).padStart(4)}/${String(c.n).padEnd(4)} ${c.expected}${other ? `  — otherwise: ${other}` : ''}`);
  }
  const dupOther = cls.byCategory.find((c) => c.category === 'duplicate' && c.asExpected < c.n);
  if (dupOther) {
    console.log(
      `     (the duplicates that got another item: the planner matches an unlinked worker against the unlinked employees first, and a name ` +
        `shared with one of them (0.4) wins over the employee ID of the linked employee it duplicates)`,
    );
  }
  const baselineBy = byActionState(cls.baseline);
  console.log(`   items naming no drifted worker (the seed's own mess, there since the import): ${cls.baseline.length}${cls.baseline.length ? ` — ${[...baselineBy.entries()].map(([a, m]) => `${a} ${total(m)}`).join(', ')}` : ''}`);
  for (const a of baselineBy.keys()) {
    const sample = cls.baseline.find((i) => i.action === a)!;
    console.log(`     e.g. ${a}: ${sample.summary.slice(0, 220)}`);
  }
  const decisions = items.filter((i) => i.action !== 'leave').length;
  console.log(
    `   for a person at one item a minute: ${items.length} items = ${fmt(items.length / 60, 1)} h (${decisions} that need a decision = ${fmt(decisions / 60, 1)} h, ` +
      `${items.length - decisions} left for a person to fix by hand)`,
  );

  // ── 5. decide, apply, verify ─────────────────────────────────────────────────────────────────────────
  console.log('');
  await Promise.all([sage.resetStats(sb), assignar.resetStats(sb)]);
  const phasesSeen: Array<{ phase: string; s: number }> = [];
  const approveT0 = Date.now();
  const approval = (await handle.executeUpdate('approveItems', { args: [{ all: true, by: 'bench:trueup' }] })) as { approved: number; errors: unknown[] };
  const approvedAtS = since(approveT0);
  const settled = await waitForStatus(
    handle,
    (s) => s.phase === 'done' || (s.phase === 'awaiting-approval' && Object.values(s.counts).every((m) => !(m.approved || m.applied))),
    900,
    // Apply is timed from the workflow history; a slower poll keeps the bench's queries off the worker's CPU.
    1000,
    (s) => {
      if (phasesSeen.at(-1)?.phase !== s.phase) phasesSeen.push({ phase: s.phase, s: since(approveT0) });
    },
  );
  const [applySage, applyAssignar] = await Promise.all([sage.stats(sb), assignar.stats(sb)]);
  const applyCalls = assignarCalls(applyAssignar);
  const history = await workflowRuns(client, handle.workflowId, handle.firstExecutionRunId);
  const waves = history.activities.filter((a) => a.type === 'applyTrueupWave' && a.scheduledMs >= approveT0 - 1000);
  const verifies = history.activities.filter((a) => a.type === 'verifyTrueupBatch' && a.scheduledMs >= approveT0 - 1000);
  const afterApply = history.activities.filter((a) => a.scheduledMs >= approveT0 - 1000);
  const wavesSpan = span(waves);
  const verifySpan = verifies.length ? span(verifies) : wavesSpan;
  const applyS = (wavesSpan.lastMs - approveT0) / 1000;
  const verifyS = (verifySpan.lastMs - wavesSpan.lastMs) / 1000;
  const finalItems = readItems(ledgerFile, trueupId);
  const approvedItems = finalItems.filter((i) => i.state !== 'proposed' && i.state !== 'rejected' && i.action !== 'leave');
  const appliedItems = approvedItems.filter((i) => i.state === 'applied' || i.state === 'verified');
  const failedItems = approvedItems.filter((i) => i.state === 'failed');
  const writesNeeded = appliedItems.filter((i) => ONE_WRITE.has(i.action)).length;
  // Each created employee is one Sage Intacct request (contact and employee in one transaction) at the cap.
  const sageCreates = appliedItems.filter((i) => i.action === 'create-in-sage').length;
  const sageBoundS = (Math.ceil(sageCreates / SAGE_CAP) * SAGE_LATENCY_MS) / 1000;
  const boundS = Math.max(writesNeeded / ASSIGNAR_RPS, sageBoundS);
  const ratio = applyS / boundS;
  const after = await facts();
  const checked = checkApplied(appliedItems, after.employees, after.users, after.links);
  const checkedOk = checked.reduce((n, c) => n + c.ok, 0);

  console.log(
    `3. decide: approveItems {all: true} approved ${approval.approved} in ${fmt(approvedAtS, 2)} s` +
      `${approval.errors.length ? ` (${approval.errors.length} errors)` : ''}; status phases seen: ${phasesSeen.map((p) => `${p.phase} @${fmt(p.s, 1)} s`).join(', ')}`,
  );
  console.log(`4. apply: ${fmt(applyS, 1)} s from the approval to the last of ${waves.length} apply waves closed; then verification ${fmt(verifyS, 1)} s (${verifies.length} batches); settled (${settled.status.phase}) after ${fmt((settled.atMs - approveT0) / 1000, 1)} s`);
  console.log(
    `   bound: ${fmt(boundS, 2)} s = the larger of ${writesNeeded} Assignar writes needed ÷ ${ASSIGNAR_RPS}/s (one per applied link, overwrite, recreate, deactivation, created employee's worker; accept writes nothing) ` +
      `and ${sageCreates} employees created in Sage Intacct, one request each at ${SAGE_LATENCY_MS} ms and cap ${SAGE_CAP} (${fmt(sageBoundS, 2)} s); Sage Intacct transactions during apply: ${applySage.transactions.total} (${routes(applySage.transactions.byFunctionAndObject)})`,
  );
  console.log(`   ratio ${fmt(ratio, 3)} (target ≤ ${TARGETS.apply_ratio})`);
  console.log(
    `   Assignar calls during apply + verify: ${applyCalls.total} (writes ${applyCalls.writes}, reads ${applyCalls.reads}, token ${applyCalls.token}, 429s ${applyCalls.http429}, ` +
      `peak concurrency ${applyAssignar.peakConcurrency}): ${routes(applyCalls.byRoute)}`,
  );
  console.log('   items by action after apply and verification:');
  for (const [a, m] of byActionState(finalItems)) console.log(`     ${a.padEnd(22)} ${String(total(m)).padStart(5)}  ${states(m)}`);
  const failReasons = new Map<string, number>();
  for (const i of failedItems) {
    const k = `${i.action}: ${(i.reason ?? '?').replace(/\d{3,}/g, 'N').slice(0, 160)}`;
    failReasons.set(k, (failReasons.get(k) ?? 0) + 1);
  }
  for (const [k, n] of [...failReasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`     failed ${n}× ${k}`);
  console.log(`   the bench's own check of the ${appliedItems.length} applied items (sandbox tables + ledger links): ${checkedOk} hold`);
  for (const c of checked) console.log(`     ${c.action.padEnd(22)} ${c.ok}/${c.n}${c.bad.length ? `  e.g. ${c.bad.slice(0, 2).join(' | ')}` : ''}`);
  console.log('   where the time went (activities after the approval, from the workflow history):');
  const s = span(afterApply);
  // (Their results are not page counts: trueupView's `counts` are items by state.)
  for (const l of activityBreakdown(afterApply.map((x) => ({ ...x, result: undefined })), s.firstMs, s.lastMs)) console.log(`   ${l}`);
  // What each wave held (approved items in item-id order, as the ledger hands them out) and the floor its
  // Assignar writes put on it at the rate limit (writes, accepts and deactivations of a wave run together).
  const waveSize = WAVE ?? TrueupInputSchema.parse({ connection: CONNECTION_ID }).waveSize;
  const inOrder = [...approvedItems].sort((x, y) => (x.item_id < y.item_id ? -1 : x.item_id > y.item_id ? 1 : 0));
  for (const [i, w] of waves.entries()) {
    const r = w.result as unknown as { applied?: number; failed?: number } | undefined;
    const held = inOrder.slice(i * waveSize, (i + 1) * waveSize);
    const by = byActionState(held);
    const writes = held.filter((x) => ONE_WRITE.has(x.action) && x.state !== 'failed').length;
    const ranS = ((w.closedMs ?? w.scheduledMs) - (w.startedMs ?? w.scheduledMs)) / 1000;
    console.log(
      `     wave ${i + 1}: scheduled +${fmt((w.scheduledMs - approveT0) / 1000, 2)} s, queued ${fmt(((w.startedMs ?? w.scheduledMs) - w.scheduledMs) / 1000, 2)} s, ` +
        `ran ${fmt(ranS, 2)} s; applied ${r?.applied ?? '?'}, failed ${r?.failed ?? '?'}` +
        (held.length ? ` — ${[...by.entries()].map(([a, m]) => `${a} ${total(m)}`).join(', ')}; ${writes} Assignar writes (≥ ${fmt(writes / ASSIGNAR_RPS, 2)} s at ${ASSIGNAR_RPS}/s)` : ''),
    );
  }

  // ── end ──────────────────────────────────────────────────────────────────────────────────────────────
  if (settled.status.phase !== 'done') {
    await handle.signal('cancel');
    await handle.result();
  }
  const met = {
    plan_s: planS <= TARGETS.plan_s,
    plan_sage_reads: planSage.transactions.total <= planSageMin,
    plan_assignar_reads: planCalls.total <= planAssignarMin,
    apply_ratio: ratio <= TARGETS.apply_ratio,
  };
  const missed = Object.entries(met).filter(([, ok]) => !ok).map(([k]) => k);
  const totalS = since(t0);
  console.log('');
  console.log(`targets: ${missed.length ? `MISSED: ${missed.join(', ')}` : 'all met'} (plan ≤ ${TARGETS.plan_s} s with reads at their minimum; apply ratio ≤ ${TARGETS.apply_ratio}); worker peak RSS ${fmt(worker.lifetimePeakMb(), 1)} MB; bench total ${fmt(totalS, 0)} s`);
  await cleanup();
  console.log(
    JSON.stringify({
      bench: 'trueup',
      workers: employees,
      linked_workers: linkedBefore,
      assignar_users: users,
      drifted: drift.length,
      items: items.length,
      items_by_action: Object.fromEntries([...actions.entries()].map(([a, m]) => [a, total(m)])),
      baseline_items: cls.baseline.length,
      drift_as_expected: cls.byCategory.reduce((n, c) => n + c.asExpected, 0),
      person_hours: round(items.length / 60, 1),
      plan_s: round(planS, 1),
      plan_sage_transactions: planSage.transactions.total,
      plan_sage_min: planSageMin,
      plan_assignar_calls: planCalls.total,
      plan_assignar_reads: planAssignarReads,
      plan_assignar_min: planAssignarMin,
      approved: approval.approved,
      applied: appliedItems.length,
      verified: finalItems.filter((i) => i.state === 'verified').length,
      failed: failedItems.length,
      bench_check_ok: checkedOk,
      apply_waves: waves.length,
      apply_writes_needed: writesNeeded,
      apply_assignar_calls: applyCalls.total,
      apply_assignar_writes: applyCalls.writes,
      apply_s: round(applyS, 2),
      apply_bound_s: round(boundS, 2),
      apply_ratio: round(ratio, 3),
      verify_s: round(verifyS, 2),
      import_s: round(imported.wallS, 1),
      total_s: round(totalS, 0),
      targets: { plan_s: `<= ${TARGETS.plan_s}`, plan_sage_transactions: `<= ${planSageMin}`, plan_assignar_calls: `<= ${planAssignarMin}`, apply_ratio: `<= ${TARGETS.apply_ratio}` },
      met,
      targets_met: missed.length === 0,
      missed,
    }),
  );
  return missed.length === 0 ? 0 : 1;
}

runBench('bench:trueup', main);
