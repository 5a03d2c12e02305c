/**
 * `npm run bench:sync` — what an `incrementalSync` costs after an initial import, on the same real rig as
 * bench:import (bench/support/sync-rig.ts: Temporal dev server, both sandboxes in their own process, the
 * production worker as a child process; Sage at 200 ms latency and cap 2, Assignar at 50 ms and 100 req/s;
 * the `large` Sage seed into a `demo` Assignar tenant; BENCH_SAGE_SEED=demo for a quick run).
 *
 *   1. initialImport (its figures are printed briefly; bench:import is the import benchmark).
 *   2. A no-change sync: Sage transactions (by function and object), Assignar calls (total, writes,
 *      reads) as the sandboxes count them, wall time. Target: no Assignar write, at most one Sage
 *      transaction per entity type (7).
 *   3. A 1% change: in Sage, through the control API (`POST /_sandbox/records/<OBJECT>`, as a person
 *      editing in the UI, which stamps WHENMODIFIED), ceil(1%) of each entity kind's in-scope records
 *      that are in Assignar get a new name (CONTACT.LASTNAME for employees, NAME otherwise); then a sync.
 *      Target: Assignar writes = changed records exactly; each change is checked in Assignar's table.
 *      In the same sync, 20 new projects of a customer that is inactive in Sage Intacct fail for their
 *      missing dependency (their client is not in Assignar).
 *   4. The dependency is fixed (the customer turns active; the projects are not touched) and a sync runs.
 *      Target: the 20 projects land in Assignar, at most one Sage transaction per entity type more
 *      than the no-change sync.
 *
 * The last line is one JSON object.
 */
import {
  activityBreakdown, assignar, assignarCalls, cleanup, countsLine, describeWorkerPid, ENTITY_TYPES, fmt, inScopeRecords, makeTmpDir, round,
  runBench, runWorkflow, sage, startSandboxes, startTemporal, startWorker, sumCounts, temporalClient, workflowRuns, writeWorkerConfig,
  type Sandboxes,
} from './support/sync-rig';
import type { Client } from '@temporalio/client';
import type { EntityKind } from '../src/config';
import { IMPORT_ORDER, type RunSummary } from '../src/contracts/sync';
import { descriptorFor } from '../src/mapping';

const SAGE_LATENCY_MS = 200;
const SAGE_CAP = 2;
const ASSIGNAR_LATENCY_MS = 50;
const ASSIGNAR_RPS = 100;
const ASSIGNAR_CONCURRENCY = Number(process.env.BENCH_ASSIGNAR_CONCURRENCY ?? 12);
const SAGE_SEED = (process.env.BENCH_SAGE_SEED ?? 'large') as 'large' | 'demo';
const CHANGE_SHARE = 0.01;
const SUFFIX = ' rev2';
const DEPENDANTS = 20;
const DEPENDENCY_ID = 'C-BENCH-DEP';

/** The Sage field each kind's change renames, and the Assignar field where the new value must show. */
const CHANGE: Record<EntityKind, { sageField: string; assignarField: string }> = {
  client: { sageField: 'NAME', assignarField: 'name' },
  project: { sageField: 'NAME', assignarField: 'name' },
  role: { sageField: 'NAME', assignarField: 'name' },
  asset: { sageField: 'NAME', assignarField: 'name' },
  costCode: { sageField: 'NAME', assignarField: 'name' },
  worker: { sageField: 'CONTACT.LASTNAME', assignarField: 'last_name' },
  workOrder: { sageField: 'NAME', assignarField: 'job_description' },
};

interface Measured {
  summary: RunSummary;
  wallS: number;
  sageTx: number;
  sageByFnObject: Record<string, number>;
  sageRequests: number;
  calls: ReturnType<typeof assignarCalls>;
  breakdown: string[];
  maxHistory: number;
}

async function measuredSync(client: Client, sb: Sandboxes): Promise<Measured> {
  await Promise.all([sage.resetStats(sb), assignar.resetStats(sb)]);
  const run = await runWorkflow(client, 'incrementalSync');
  const [s, a] = await Promise.all([sage.stats(sb), assignar.stats(sb)]);
  const history = await workflowRuns(client, run.workflowId, run.firstRunId);
  const firstMs = Math.min(...history.activities.map((x) => x.scheduledMs));
  const lastMs = Math.max(...history.activities.map((x) => x.closedMs ?? x.scheduledMs));
  return {
    summary: run.summary,
    wallS: run.wallS,
    sageTx: s.transactions.total,
    sageByFnObject: s.transactions.byFunctionAndObject,
    sageRequests: s.requests,
    calls: assignarCalls(a),
    breakdown: activityBreakdown(history.activities, firstMs, lastMs),
    maxHistory: Math.max(...history.runs.map((r) => r.historyLength)),
  };
}

function printMeasured(m: Measured): void {
  console.log(`  wall ${fmt(m.wallS, 1)} s`);
  console.log(`  Sage transactions ${m.sageTx} (${Object.entries(m.sageByFnObject).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}); requests ${m.sageRequests}`);
  console.log(`  Assignar calls ${m.calls.total}: writes ${m.calls.writes}, reads ${m.calls.reads}, token ${m.calls.token}, 429s ${m.calls.http429}`);
  console.log(`    by route: ${Object.entries(m.calls.byRoute).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log('  outcomes:');
  for (const l of countsLine(m.summary)) console.log(`  ${l}`);
  console.log('  activities:');
  for (const l of m.breakdown) console.log(`  ${l}`);
}

async function main(): Promise<number> {
  const dir = makeTmpDir('bench-sync-');
  console.log(`bench:sync — Sage seed ${SAGE_SEED} at ${SAGE_LATENCY_MS} ms, cap ${SAGE_CAP}; Assignar demo tenant at ${ASSIGNAR_LATENCY_MS} ms, ${ASSIGNAR_RPS} req/s; temp dir ${dir}`);
  const [sb, temporal] = await Promise.all([
    startSandboxes({
      sage: { seed: SAGE_SEED, latencyMs: SAGE_LATENCY_MS, concurrencyCap: SAGE_CAP },
      assignar: { seed: 'demo', latencyMs: ASSIGNAR_LATENCY_MS, requestsPerSecond: ASSIGNAR_RPS },
    }),
    startTemporal(dir),
  ]);
  const { file, connection } = writeWorkerConfig(dir, sb, {
    sageConcurrency: SAGE_CAP,
    sageLatencyMs: SAGE_LATENCY_MS,
    assignarRequestsPerSecond: ASSIGNAR_RPS,
    assignarConcurrency: ASSIGNAR_CONCURRENCY,
  });
  const worker = await startWorker(dir, temporal, sb, file, connection);
  console.log(`sandboxes pids Sage ${sb.pids.sage}, Assignar ${sb.pids.assignar}; Temporal dev server pid ${temporal.pid} at ${temporal.address}; ${describeWorkerPid(worker)}`);
  const client = await temporalClient(temporal.address);

  // ── 1. the import ──────────────────────────────────────────────────────────────────────────────────
  const scope = await inScopeRecords(sb, connection);
  await Promise.all([sage.resetStats(sb), assignar.resetStats(sb)]);
  const imported = await runWorkflow(client, 'initialImport');
  const importCalls = assignarCalls(await assignar.stats(sb));
  console.log(
    `1. initialImport: ${fmt(imported.wallS, 1)} s; created ${sumCounts(imported.summary, 'created')}, failed ${sumCounts(imported.summary, 'failed')} ` +
      `of ${[...scope.values()].reduce((n, r) => n + r.length, 0)} in scope; Sage transactions ${(await sage.stats(sb)).transactions.total}; Assignar writes ${importCalls.writes}`,
  );

  // ── 2. a sync with nothing changed ─────────────────────────────────────────────────────────────────
  const nochange = await measuredSync(client, sb);
  console.log('');
  console.log(`2. no-change incrementalSync:`);
  printMeasured(nochange);
  const nochangeOk = nochange.calls.writes === 0 && nochange.sageTx <= ENTITY_TYPES;
  console.log(
    `  target (no Assignar write; ≤ ${ENTITY_TYPES} Sage transactions, one per entity type): ${nochangeOk ? 'met' : 'NOT met'} — ` +
      `${nochange.calls.writes} writes, ${nochange.sageTx} transactions`,
  );

  // ── 3. a 1% change ────────────────────────────────────────────────────────────────────────────────
  const changed = new Map<EntityKind, Array<{ recordNo: string; value: string }>>();
  for (const kind of IMPORT_ORDER) {
    const rows = await assignar.records(sb, descriptorFor(kind).assignarType);
    const linked = new Map<string, number>();
    for (const r of rows) if (r.integration_id != null) linked.set(String(r.integration_id), (linked.get(String(r.integration_id)) ?? 0) + 1);
    const records = scope.get(kind) ?? [];
    const candidates = records.filter((r) => linked.get(r.RECORDNO) === 1);
    const n = Math.max(1, Math.ceil(records.length * CHANGE_SHARE));
    const step = Math.max(1, Math.floor(candidates.length / n));
    const picked = Array.from({ length: Math.min(n, candidates.length) }, (_, i) => candidates[i * step]);
    const { sageField } = CHANGE[kind];
    const updates = picked.map((r) => ({ RECORDNO: r.RECORDNO, [sageField]: `${r[sageField] ?? ''}${SUFFIX}` }));
    const saved = await sage.upsert(sb, descriptorFor(kind).sageObject, updates);
    changed.set(kind, saved.map((r) => ({ recordNo: r.RECORDNO, value: r[sageField] })));
  }
  const changedRecords = [...changed.values()].reduce((n, l) => n + l.length, 0);
  // 20 projects whose customer is inactive: they fail for a missing dependency.
  const projectTemplate = (scope.get('project') ?? [])[0];
  const { RECORDNO: _r, WHENCREATED: _c, WHENMODIFIED: _m, CUSTOMERNAME: _n, ...projectFields } = projectTemplate;
  await sage.upsert(sb, 'CUSTOMER', [{ CUSTOMERID: DEPENDENCY_ID, NAME: 'Bench Dependency Pty Ltd', STATUS: 'inactive' }]);
  const dependants = await sage.upsert(
    sb,
    'PROJECT',
    Array.from({ length: DEPENDANTS }, (_, i) => ({ ...projectFields, PROJECTID: `P-BENCH-DEP-${i}`, NAME: `Bench dependant ${i}`, CUSTOMERID: DEPENDENCY_ID, STATUS: 'active' })),
  );
  console.log('');
  console.log(
    `3. 1% change: renamed in Sage (control API) ${[...changed.entries()].map(([k, l]) => `${k} ${l.length}`).join(', ')} = ${changedRecords} records ` +
      `(ceil(1%) of each kind's in-scope records, among those in Assignar)`,
  );
  const change = await measuredSync(client, sb);
  printMeasured(change);

  // Each changed record shows its new value in Assignar, and only the changed ones were written.
  let landed = 0;
  const notLanded: string[] = [];
  for (const [kind, list] of changed) {
    const rows = await assignar.records(sb, descriptorFor(kind).assignarType);
    const byKey = new Map(rows.map((r) => [String(r.integration_id), r]));
    for (const c of list) {
      const v = byKey.get(c.recordNo)?.[CHANGE[kind].assignarField];
      if (typeof v === 'string' && v.includes(c.value.trim())) landed++;
      else notLanded.push(`${kind} ${c.recordNo}: ${JSON.stringify(v)}`);
    }
  }
  const putWrites = Object.entries(change.calls.byRoute).filter(([r]) => r.startsWith('PUT ')).reduce((n, [, v]) => n + v, 0);
  console.log(`  changed records ${changedRecords}; Assignar writes ${change.calls.writes} (PUT ${putWrites}); new values in Assignar: ${landed}/${changedRecords}`);
  for (const l of notLanded.slice(0, 10)) console.log(`    not in Assignar: ${l}`);
  const dependantsInAssignar = async () => {
    const keys = new Set(dependants.map((d) => d.RECORDNO));
    return (await assignar.records(sb, 'projects')).filter((r) => keys.has(String(r.integration_id)) && r.active === true).length;
  };
  console.log(`  ${DEPENDANTS} new projects of inactive customer ${DEPENDENCY_ID}: ${await dependantsInAssignar()} in Assignar, project failures in the run ${change.summary.counts.project?.failed ?? 0} (they need the missing client)`);
  const changeOk = change.calls.writes === changedRecords && landed === changedRecords;
  console.log(`  target (writes exactly the changed records): ${changeOk ? 'met' : 'NOT met'}`);

  // ── 4. the dependency is fixed ───────────────────────────────────────────────────────────────────
  const [dependency] = (await sage.records(sb, 'CUSTOMER')).filter((c) => c.CUSTOMERID === DEPENDENCY_ID);
  await sage.upsert(sb, 'CUSTOMER', [{ RECORDNO: dependency.RECORDNO, STATUS: 'active' }]);
  console.log('');
  console.log(`4. customer ${DEPENDENCY_ID} turned active in Sage (its ${DEPENDANTS} projects untouched), then a sync:`);
  const fixed = await measuredSync(client, sb);
  printMeasured(fixed);
  const released = await dependantsInAssignar();
  const extraByObject = Object.fromEntries(
    [...new Set([...Object.keys(fixed.sageByFnObject), ...Object.keys(nochange.sageByFnObject)])].map((k) => [k, (fixed.sageByFnObject[k] ?? 0) - (nochange.sageByFnObject[k] ?? 0)]),
  );
  const extraTx = fixed.sageTx - nochange.sageTx;
  const fixedOk = released === DEPENDANTS && Object.values(extraByObject).every((n) => n <= 1) && extraTx <= ENTITY_TYPES;
  console.log(
    `  dependants in Assignar ${released}/${DEPENDANTS}; Sage transactions ${fixed.sageTx} vs ${nochange.sageTx} without changes (extra ${extraTx}: ` +
      `${Object.entries(extraByObject).filter(([, n]) => n !== 0).map(([k, n]) => `${k} ${n > 0 ? '+' : ''}${n}`).join(', ') || 'none'}); Assignar writes ${fixed.calls.writes}`,
  );
  console.log(`  target (all ${DEPENDANTS} land; at most one extra Sage transaction per entity type): ${fixedOk ? 'met' : 'NOT met'}`);

  const missed = [...(nochangeOk ? [] : ['nochange']), ...(changeOk ? [] : ['change']), ...(fixedOk ? [] : ['dependency_fixed'])];
  const rss = worker.lifetimePeakMb();
  console.log('');
  console.log(`targets: ${missed.length ? `MISSED: ${missed.join(', ')}` : 'all met'}; worker peak RSS ${fmt(rss, 1)} MB (start-up ${fmt(worker.startupPeakMb, 1)} MB)`);
  await cleanup();
  console.log(
    JSON.stringify({
      bench: 'sync',
      seed: SAGE_SEED,
      entity_types: ENTITY_TYPES,
      import_wall_s: round(imported.wallS, 1),
      import_created: sumCounts(imported.summary, 'created'),
      nochange_wall_s: round(nochange.wallS, 1),
      nochange_sage_transactions: nochange.sageTx,
      nochange_assignar_calls: nochange.calls.total,
      nochange_assignar_writes: nochange.calls.writes,
      nochange_assignar_reads: nochange.calls.reads,
      changed_records: changedRecords,
      change_wall_s: round(change.wallS, 1),
      change_sage_transactions: change.sageTx,
      change_assignar_calls: change.calls.total,
      change_assignar_writes: change.calls.writes,
      change_landed: landed,
      dependants_failing: DEPENDANTS,
      fixed_wall_s: round(fixed.wallS, 1),
      fixed_sage_transactions: fixed.sageTx,
      fixed_extra_sage_transactions: extraTx,
      fixed_assignar_writes: fixed.calls.writes,
      dependants_landed: released,
      max_history_events: Math.max(nochange.maxHistory, change.maxHistory, fixed.maxHistory),
      peak_rss_mb: round(rss, 1),
      targets_met: missed.length === 0,
      missed,
    }),
  );
  return missed.length === 0 ? 0 : 1;
}

runBench('bench:sync', main);
