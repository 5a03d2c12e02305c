/**
 * `npm run bench:import` — the initial import of the `large` Sage Intacct seed (21,000+ records) into a
 * new Assignar tenant (`demo` seed: user types and the office admin the work orders need as owner), with
 * every part real and in its own process (bench/support/sync-rig.ts): a Temporal dev server, both
 * sandboxes (Sage at 200 ms latency and a concurrency cap of 2; Assignar at 50 ms latency and 100
 * requests/s), and the production worker `node bin/intacct-assignar.js --config <tmp> worker`
 * (connection: sage.concurrency 2, assignar.requestsPerSecond 100, assignar.concurrency 12). This process
 * only starts `initialImport` with @temporalio/client and waits for its result.
 *
 * Prints: wall time (workflow start → result); the lower bound max(Assignar writes ÷ 100/s, Sage queries ×
 * 200 ms ÷ 2) and the ratio wall ÷ bound; Sage transactions against their minimum (one query per 2,000
 * in-scope records per entity kind) and Assignar calls (every request the sandbox counted, token and 429s
 * included) against theirs (one write per record created); the most history events of any run of the
 * import (continue-as-new chain, `client.workflow.list()` + `describe().historyLength`); the worker's peak
 * RSS (VmHWM of the worker process). Then where the time went (per activity, from the histories) and the
 * correctness check: every in-scope Sage record has exactly one Assignar record (by integration_id).
 * The last line is one JSON object.
 *
 * Targets: ratio ≤ 1.25, Sage transactions ≤ 1.1 × minimum, Assignar calls ≤ 1.02 × minimum, no run over
 * 10,000 history events, peak RSS ≤ 400 MB.
 *
 * Knobs (environment): BENCH_ASSIGNAR_CONCURRENCY (12), BENCH_SAGE_SEED (large).
 */
import {
  activityBreakdown, assignar, assignarCalls, checkOnePerRecord, cleanup, countsLine, describeWorkerPid, fmt, inScopeRecords, makeTmpDir,
  peakRssMb, printChecks, round, runBench, runWorkflow, sage, sageObjectCounts, startSandboxes, startTemporal, startWorker, sumCounts,
  temporalClient, workflowRuns, writeWorkerConfig,
} from './support/sync-rig';
import type { EntityKind } from '../src/config';
import type { Progress } from '../src/contracts/sync';

const SAGE_LATENCY_MS = 200;
const SAGE_CAP = 2;
const ASSIGNAR_LATENCY_MS = 50;
const ASSIGNAR_RPS = 100;
const ASSIGNAR_CONCURRENCY = Number(process.env.BENCH_ASSIGNAR_CONCURRENCY ?? 12);
const SAGE_SEED = (process.env.BENCH_SAGE_SEED ?? 'large') as 'large' | 'demo';
const SAGE_PAGE = 2000;
const TARGETS = { ratio: 1.25, sage: 1.1, assignar: 1.02, history: 10_000, rssMb: 400 };

async function main(): Promise<number> {
  const dir = makeTmpDir('bench-import-');
  console.log(`bench:import — Sage seed ${SAGE_SEED} at ${SAGE_LATENCY_MS} ms, cap ${SAGE_CAP}; Assignar demo tenant at ${ASSIGNAR_LATENCY_MS} ms, ${ASSIGNAR_RPS} req/s; temp dir ${dir}`);
  const [sb, temporal] = await Promise.all([
    startSandboxes({
      sage: { seed: SAGE_SEED, latencyMs: SAGE_LATENCY_MS, concurrencyCap: SAGE_CAP },
      assignar: { seed: 'demo', latencyMs: ASSIGNAR_LATENCY_MS, requestsPerSecond: ASSIGNAR_RPS },
    }),
    startTemporal(dir),
  ]);
  console.log(`sandboxes pids Sage ${sb.pids.sage}, Assignar ${sb.pids.assignar}: Sage ${sb.info.sage.baseUrl}, Assignar ${sb.info.assignar.baseUrl}; Temporal dev server pid ${temporal.pid} at ${temporal.address}`);

  const { file, connection } = writeWorkerConfig(dir, sb, {
    sageConcurrency: SAGE_CAP,
    sageLatencyMs: SAGE_LATENCY_MS,
    assignarRequestsPerSecond: ASSIGNAR_RPS,
    assignarConcurrency: ASSIGNAR_CONCURRENCY,
  });
  const worker = await startWorker(dir, temporal, sb, file, connection);
  console.log(`${describeWorkerPid(worker)}; ready after ${fmt(worker.readyAfterS, 1)} s (bundling included)`);
  console.log(`connection: sage.concurrency ${connection.sage.concurrency}, pageSize ${connection.sage.pageSize}; assignar.requestsPerSecond ${connection.assignar.requestsPerSecond}, concurrency ${connection.assignar.concurrency}`);

  const seedRecords = await sageObjectCounts(sb);
  const scope = await inScopeRecords(sb, connection);
  const inScopeTotal = [...scope.values()].reduce((n, r) => n + r.length, 0);
  const sageMin = [...scope.values()].reduce((n, r) => n + Math.max(1, Math.ceil(r.length / SAGE_PAGE)), 0);
  console.log(`Sage seed: ${seedRecords} records in the synced objects; in scope: ${[...scope.entries()].map(([k, r]) => `${k} ${r.length}`).join(', ')} = ${inScopeTotal}`);

  const client = await temporalClient(temporal.address);
  await Promise.all([sage.resetStats(sb), assignar.resetStats(sb)]);
  console.log('initialImport started…');
  const result = await runWorkflow(client, 'initialImport', {}, async (handle, s) => {
    const p = (await handle.query('progress')) as Progress;
    const created = Object.values(p.counts).reduce((n, c) => n + (c?.created ?? 0), 0);
    console.log(`  ${fmt(s, 0).padStart(4)} s  ${p.entity ?? p.phase}: ${created} created so far (${fmt(created / s, 1)}/s)  worker RSS peak since ready ${fmt(peakRssMb(worker.pid) ?? NaN, 0)} MB`);
  });
  const [sageStats, assignarStats] = await Promise.all([sage.stats(sb), assignar.stats(sb)]);
  const rss = worker.lifetimePeakMb();
  const runRss = worker.runPeakMb();
  const workerPidLine = describeWorkerPid(worker);

  const history = await workflowRuns(client, result.workflowId, result.firstRunId);
  const maxHistory = Math.max(...history.runs.map((r) => r.historyLength));

  const created = sumCounts(result.summary, 'created');
  const calls = assignarCalls(assignarStats);
  const sageTx = sageStats.transactions.total;
  const boundAssignar = calls.writes / ASSIGNAR_RPS;
  const boundSage = (sageTx * SAGE_LATENCY_MS) / 1000 / SAGE_CAP;
  const bound = Math.max(boundAssignar, boundSage);
  const ratio = result.wallS / bound;
  const assignarMin = created;

  console.log('');
  console.log(`outcomes (${result.summary.phase}):`);
  for (const l of countsLine(result.summary)) console.log(l);
  console.log('');
  console.log(`wall time: ${fmt(result.wallS, 1)} s (workflow start → result)`);
  console.log(
    `lower bound: ${fmt(bound, 1)} s = max(Assignar writes ${calls.writes} ÷ ${ASSIGNAR_RPS}/s = ${fmt(boundAssignar, 1)} s, Sage queries ${sageTx} × ${SAGE_LATENCY_MS} ms ÷ ${SAGE_CAP} = ${fmt(boundSage, 1)} s)`,
  );
  console.log(`ratio: ${fmt(ratio, 3)} (target ≤ ${TARGETS.ratio})`);
  console.log(
    `Sage transactions: ${sageTx} vs minimum ${sageMin} (one query per ${SAGE_PAGE} in-scope records per entity kind) = ${fmt(sageTx / sageMin, 3)}× (target ≤ ${TARGETS.sage}×); ` +
      `requests ${sageStats.requests}, sessions opened ${sageStats.sessionsOpened}, 429s ${sageStats.rejectedForRate}, peak concurrency ${sageStats.concurrency.peak}`,
  );
  console.log(`  by function and object: ${Object.entries(sageStats.transactions.byFunctionAndObject).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(
    `Assignar calls: ${calls.total} vs minimum ${assignarMin} (one write per record created) = ${fmt(calls.total / assignarMin, 4)}× (target ≤ ${TARGETS.assignar}×); ` +
      `writes ${calls.writes}, reads ${calls.reads}, token ${calls.token}, 429s ${calls.http429}, peak concurrency ${assignarStats.peakConcurrency}`,
  );
  console.log(`  by route: ${Object.entries(calls.byRoute).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(
    `history: ${history.runs.length} runs (continue-as-new chain; client.workflow.list() lists ${history.listed}); events per run ${history.runs.map((r) => r.historyLength).join(', ')}; most ${maxHistory} (target ≤ ${TARGETS.history})`,
  );
  console.log(
    `worker peak RSS: ${fmt(rss, 1)} MB over its whole life (target ≤ ${TARGETS.rssMb} MB): start-up incl. workflow bundling ${fmt(worker.startupPeakMb, 1)} MB (VmRSS ${fmt(worker.readyRssMb, 1)} MB when ready), ` +
      `after ready ${fmt(runRss ?? NaN, 1)} MB (VmHWM reset at "worker ready": Worker.run start-up — workflow threads loading the bundle — and the import; sampled VmRSS peak ${fmt(worker.sampledPeakMb(), 1)} MB)`,
  );
  console.log(`  ${workerPidLine}`);

  const firstMs = Math.min(...history.activities.map((a) => a.scheduledMs));
  const lastMs = Math.max(...history.activities.map((a) => a.closedMs ?? a.scheduledMs));
  console.log('');
  console.log('where the time went (activities, from the workflow histories):');
  for (const l of activityBreakdown(history.activities, firstMs, lastMs)) console.log(l);
  const sageTime = (sageTx * SAGE_LATENCY_MS) / 1000;
  console.log(
    `  Sage reads are not overlapped with Assignar writes (each page reads, then writes): ≥ ${sageTx} × ${SAGE_LATENCY_MS} ms = ${fmt(sageTime, 1)} s of the wall on the critical path; ` +
      `the client's limiter sustains ${ASSIGNAR_RPS}/s (never more in any one-second window), i.e. ≥ ${fmt(calls.total / ASSIGNAR_RPS, 1)} s for ${calls.total} calls`,
  );

  console.log('');
  console.log('correctness (every in-scope Sage record has exactly one Assignar record, by integration_id, via the control API):');
  const failedByKind = Object.fromEntries(Object.entries(result.summary.counts).map(([k, c]) => [k, c?.failed ?? 0])) as Partial<Record<EntityKind, number>>;
  const checks = await checkOnePerRecord(sb, scope, failedByKind);
  printChecks(checks);
  const correct = checks.every((c) => c.ok);
  const duplicates = checks.reduce((n, c) => n + c.duplicated, 0);
  console.log(`  ${correct ? 'every in-scope record is in Assignar exactly once, or failed with a reason' : 'MISMATCH: see above'}`);

  const met = {
    ratio: ratio <= TARGETS.ratio,
    sage: sageTx <= TARGETS.sage * sageMin,
    assignar: calls.total <= TARGETS.assignar * assignarMin,
    history: maxHistory <= TARGETS.history,
    rss: rss <= TARGETS.rssMb,
    correct,
  };
  const missed = Object.entries(met).filter(([, ok]) => !ok).map(([k]) => k);
  console.log('');
  console.log(`targets: ${missed.length ? `MISSED: ${missed.join(', ')}` : 'all met'}`);

  await cleanup();
  console.log(
    JSON.stringify({
      bench: 'import',
      records: seedRecords,
      in_scope: inScopeTotal,
      created,
      failed: sumCounts(result.summary, 'failed'),
      wall_s: round(result.wallS, 1),
      bound_s: round(bound, 1),
      ratio: round(ratio, 3),
      sage_transactions: sageTx,
      sage_min: sageMin,
      sage_ratio: round(sageTx / sageMin, 3),
      assignar_calls: calls.total,
      assignar_min: assignarMin,
      assignar_ratio: round(calls.total / assignarMin, 4),
      assignar_writes: calls.writes,
      assignar_429: calls.http429,
      runs: history.runs.length,
      max_history_events: maxHistory,
      peak_rss_mb: round(rss, 1),
      peak_rss_startup_mb: round(worker.startupPeakMb, 1),
      peak_rss_import_mb: runRss === undefined ? null : round(runRss, 1),
      correct,
      duplicates,
      targets_met: missed.length === 0,
      missed,
    }),
  );
  return missed.length === 0 ? 0 : 1;
}

runBench('bench:import', main);
