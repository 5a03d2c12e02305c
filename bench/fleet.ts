/**
 * `npm run bench:fleet` — the initial import of the `large` Sage Intacct seed with 1 and then with 3 worker
 * processes, to show that several workers share one tenant's limits (the connection's API activities run on
 * `<task queue>@bench`, polled only by the holder of the connection's lease in the ledger's `queue_leases`).
 * Each round gets a fresh tenant: a new sandboxes process (Sage at 200 ms latency and a concurrency cap of 2;
 * Assignar demo tenant at 50 ms latency and 100 requests/s) and a new PostgreSQL schema
 * (`fleet_bench_<epoch>_<workers>`, dropped at the end) as the workers' shared ledger; both rounds run on one
 * Temporal dev server. Workers: `node bin/intacct-assignar.js --config <tmp> worker` with DATABASE_URL and
 * DATABASE_SCHEMA (connection: sage.concurrency 2, assignar.requestsPerSecond 100, assignar.concurrency 12).
 *
 * Prints per round: wall time (workflow start → result); the rate-limit bound max(Assignar writes ÷ 100/s,
 * Sage transactions × 200 ms ÷ 2) as bench:import computes it; the sandboxes' peak Sage concurrency against
 * the cap and peak Assignar requests in any one second against the limit; 429/GW-0010 rejections; which
 * worker served the connection (the lease holders seen in `queue_leases` while it ran, the workers that
 * started the connection queue's activities per the histories, and the workers' own log lines); and the
 * correctness check (every in-scope Sage record has exactly one Assignar record, by integration_id).
 * The last line is one JSON object.
 *
 * Targets (3 workers): no limit exceeded, 0 rejected, wall ≤ 1.25 × bound; both rounds correct.
 *
 * Knobs (environment): BENCH_DATABASE_URL (else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test),
 * BENCH_ASSIGNAR_CONCURRENCY (12), BENCH_SAGE_SEED (large).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Pool } from 'pg';
import {
  assignar, assignarCalls, checkOnePerRecord, cleanup, fmt, inScopeRecords, makeTmpDir, printChecks, round, runBench, runWorkflow, sage,
  startSandboxes, startTemporal, startWorker, stopProcess, stopSandboxes, temporalClient, type TemporalServer, type WorkerProcess, writeWorkerConfig,
} from './support/sync-rig';
import type { EntityKind } from '../src/config';
import { connectionTaskQueue } from '../src/contracts/task-queues';
import type { Progress } from '../src/contracts/sync';
import { TASK_QUEUE } from '../src/temporal/constants';

const SAGE_LATENCY_MS = 200;
const SAGE_CAP = 2;
const ASSIGNAR_LATENCY_MS = 50;
const ASSIGNAR_RPS = 100;
/** Allowance for arrival bunching in the sandbox's sliding one-second count (see the targets). */
const ARRIVAL_JITTER = 1.1;
const ASSIGNAR_CONCURRENCY = Number(process.env.BENCH_ASSIGNAR_CONCURRENCY ?? 12);
const SAGE_SEED = (process.env.BENCH_SAGE_SEED ?? 'large') as 'large' | 'demo';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = [1, 3] as const;
const TARGET_RATIO = 1.25;
const LEASE_POLL_MS = 2000;

interface LeaseRow {
  connection: string;
  holder: string;
  acquired_at: string;
  expires_at: string;
}

interface RoundResult {
  workers: number;
  wallS: number;
  boundS: number;
  peakSage: number;
  peakAssignarRps: number;
  rejectedSage: number;
  rejectedAssignar: number;
  correct: boolean;
  servedBy: string[];
}

/** The worker (1-based, with its pid) an identity names: lease holders are host:pid:random, Temporal's pid@host. */
function workerOf(identity: string, workers: readonly WorkerProcess[]): string {
  const pid = Number(/^(\d+)@/.exec(identity)?.[1] ?? identity.split(':').at(-2));
  const i = workers.findIndex((w) => w.pid === pid);
  return i < 0 ? `unknown (${identity})` : `worker ${i + 1} (pid ${pid})`;
}

/**
 * Who started what, from the histories (the continue-as-new chain): per worker identity, activities of the
 * connection's queue, activities of the workflows' queue, and workflow tasks.
 */
async function startedBy(client: Client, workflowId: string, firstRunId: string): Promise<Map<string, { api: number; other: number; workflowTasks: number }>> {
  const apiQueue = connectionTaskQueue(TASK_QUEUE, 'bench');
  const out = new Map<string, { api: number; other: number; workflowTasks: number }>();
  const at = (identity: string) => {
    let e = out.get(identity);
    if (!e) out.set(identity, (e = { api: 0, other: 0, workflowTasks: 0 }));
    return e;
  };
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const queueOf = new Map<string, string>();
    let next: string | undefined;
    for (const e of history.events ?? []) {
      if (e.activityTaskScheduledEventAttributes) queueOf.set(String(e.eventId), e.activityTaskScheduledEventAttributes.taskQueue?.name ?? '');
      else if (e.activityTaskStartedEventAttributes) {
        const a = e.activityTaskStartedEventAttributes;
        const entry = at(a.identity ?? '?');
        if (queueOf.get(String(a.scheduledEventId)) === apiQueue) entry.api++;
        else entry.other++;
      } else if (e.workflowTaskStartedEventAttributes) at(e.workflowTaskStartedEventAttributes.identity ?? '?').workflowTasks++;
      else if (e.workflowExecutionContinuedAsNewEventAttributes) next = e.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId ?? undefined;
    }
    runId = next;
  }
  return out;
}

async function runRound(dir: string, temporal: TemporalServer, client: Client, pool: Pool, schema: string, workerCount: number): Promise<RoundResult> {
  const roundDir = path.join(dir, `workers-${workerCount}`);
  fs.mkdirSync(roundDir);
  console.log('');
  console.log(`── ${workerCount} worker process${workerCount === 1 ? '' : 'es'}: fresh tenant, ledger schema ${schema} ──`);
  const sb = await startSandboxes({
    sage: { seed: SAGE_SEED, latencyMs: SAGE_LATENCY_MS, concurrencyCap: SAGE_CAP },
    assignar: { seed: 'demo', latencyMs: ASSIGNAR_LATENCY_MS, requestsPerSecond: ASSIGNAR_RPS },
  });
  console.log(`sandboxes pids Sage ${sb.pids.sage}, Assignar ${sb.pids.assignar}: Sage ${sb.info.sage.baseUrl}, Assignar ${sb.info.assignar.baseUrl}`);
  const { file, connection } = writeWorkerConfig(roundDir, sb, {
    sageConcurrency: SAGE_CAP,
    sageLatencyMs: SAGE_LATENCY_MS,
    assignarRequestsPerSecond: ASSIGNAR_RPS,
    assignarConcurrency: ASSIGNAR_CONCURRENCY,
  });
  await pool.query(`create schema if not exists "${schema}"`);
  const env = { DATABASE_URL, DATABASE_SCHEMA: schema, METRICS_ADDRESS: undefined, HEALTH_ADDRESS: undefined };
  const workers: WorkerProcess[] = [];
  // One after another: each is ready (ledger migrated, lease claimed or standing by) before the next starts.
  for (let k = 1; k <= workerCount; k++) {
    const w = await startWorker(roundDir, temporal, sb, file, connection, { env, logName: `worker-${k}.log` });
    workers.push(w);
    console.log(`worker ${k}: pid ${w.pid}, ready after ${fmt(w.readyAfterS, 1)} s`);
  }

  const scope = await inScopeRecords(sb, connection);
  const inScopeTotal = [...scope.values()].reduce((n, r) => n + r.length, 0);
  console.log(`in scope: ${[...scope.entries()].map(([k, r]) => `${k} ${r.length}`).join(', ')} = ${inScopeTotal}`);

  // The lease holders while the import runs (a change of holder would show as a second one).
  const holders: Array<{ holder: string; atS: number }> = [];
  const t0 = Date.now();
  const readLease = async () => {
    const { rows } = await pool.query<LeaseRow>(`select * from "${schema}".queue_leases where connection = 'bench'`);
    const holder = rows[0]?.holder;
    if (holder && holders.at(-1)?.holder !== holder) holders.push({ holder, atS: (Date.now() - t0) / 1000 });
    return rows[0];
  };
  const lease0 = await readLease();
  const poller = setInterval(() => void readLease().catch(() => undefined), LEASE_POLL_MS);

  await Promise.all([sage.resetStats(sb), assignar.resetStats(sb)]);
  console.log('initialImport started…');
  let result;
  try {
    result = await runWorkflow(client, 'initialImport', {}, async (handle, s) => {
      const p = (await handle.query('progress')) as Progress;
      const created = Object.values(p.counts).reduce((n, c) => n + (c?.created ?? 0), 0);
      const [st, at] = await Promise.all([sage.stats(sb), assignar.stats(sb)]);
      console.log(
        `  ${fmt(s, 0).padStart(4)} s  ${p.entity ?? p.phase}: ${created} created (${fmt(created / s, 1)}/s)  ` +
          `peaks so far: Sage ${st.concurrency.peak}/${SAGE_CAP}, Assignar ${at.peakRequestsPerSecond}/${ASSIGNAR_RPS} req/s; rejected ${st.rejectedForRate + at.http429.total}; ` +
          `lease: ${holders.length ? workerOf(holders.at(-1)!.holder, workers) : 'none'}`,
      );
    });
  } finally {
    clearInterval(poller);
  }
  const importEndMs = Date.now();
  const [sageStats, assignarStats] = await Promise.all([sage.stats(sb), assignar.stats(sb)]);
  const leaseEnd = await readLease();
  const identities = await startedBy(client, result.workflowId, result.firstRunId);

  const calls = assignarCalls(assignarStats);
  const sageTx = sageStats.transactions.total;
  const boundAssignar = calls.writes / ASSIGNAR_RPS;
  const boundSage = (sageTx * SAGE_LATENCY_MS) / 1000 / SAGE_CAP;
  const bound = Math.max(boundAssignar, boundSage);
  const rejectedSage = sageStats.rejectedForRate;
  const rejectedAssignar = calls.http429;

  // The workers stop before their logs are read, so the logs are complete: standbys first and the lease holder
  // last, so no standby takes the connection over while the fleet shuts down.
  const holderPid = Number(leaseEnd?.holder.split(':').at(-2));
  for (const w of [...workers].reverse().sort((a, b) => Number(a.pid === holderPid) - Number(b.pid === holderPid))) await stopProcess(w.child);
  // The workers' own lease lines (JSON logs) up to the end of the import.
  const logLines = workers.map((_, i) => {
    const count = { serves: 0, released: 0 };
    for (const line of fs.readFileSync(path.join(roundDir, `worker-${i + 1}.log`), 'utf8').split('\n')) {
      if (!line.includes('its API task queue')) continue;
      const at = Number((/"time":(\d+)/.exec(line) ?? [])[1]);
      if (at > importEndMs) continue;
      if (line.includes('this worker now serves')) count.serves++;
      else if (line.includes('this worker no longer serves')) count.released++;
    }
    return count;
  });

  console.log('');
  console.log(`wall time: ${fmt(result.wallS, 1)} s (workflow start → result)`);
  console.log(
    `rate-limit bound: ${fmt(bound, 1)} s = max(Assignar writes ${calls.writes} ÷ ${ASSIGNAR_RPS}/s = ${fmt(boundAssignar, 1)} s, Sage transactions ${sageTx} × ${SAGE_LATENCY_MS} ms ÷ ${SAGE_CAP} = ${fmt(boundSage, 1)} s); ` +
      `wall ÷ bound ${fmt(result.wallS / bound, 3)}`,
  );
  console.log(`peak Sage concurrency: ${sageStats.concurrency.peak} (cap ${SAGE_CAP}; the sandbox enforces ${sageStats.concurrency.cap})`);
  console.log(`peak Assignar requests in one second: ${assignarStats.peakRequestsPerSecond} (limit ${ASSIGNAR_RPS}/s); peak concurrency ${assignarStats.peakConcurrency}`);
  console.log(`rejected: ${rejectedSage + rejectedAssignar} (Sage GW-0010 for the concurrency cap ${rejectedSage}, Assignar 429 ${rejectedAssignar})`);
  console.log(`Sage transactions ${sageTx}, requests ${sageStats.requests}, sessions opened ${sageStats.sessionsOpened}; Assignar calls ${calls.total} (writes ${calls.writes}, reads ${calls.reads}, token ${calls.token})`);
  console.log('who served the connection:');
  console.log(
    `  lease holder (queue_leases in ${schema}): ${lease0 ? workerOf(lease0.holder, workers) : 'none'} when the import started; ` +
      `${leaseEnd ? workerOf(leaseEnd.holder, workers) : 'none'} when it ended (acquired ${leaseEnd?.acquired_at ?? '—'}); ` +
      `holders seen every ${LEASE_POLL_MS / 1000} s: ${holders.map((h) => `${workerOf(h.holder, workers)} from ${fmt(h.atS, 0)} s`).join(', ') || 'none'}`,
  );
  // Every worker of the round, those that started nothing included, then any identity no worker of ours has.
  const byWorker = new Map<string, { api: number; other: number; workflowTasks: number }>(workers.map((_, i) => [workerOf(`${workers[i]!.pid}@`, workers), { api: 0, other: 0, workflowTasks: 0 }]));
  for (const [identity, n] of identities) {
    const e = byWorker.get(workerOf(identity, workers)) ?? { api: 0, other: 0, workflowTasks: 0 };
    byWorker.set(workerOf(identity, workers), { api: e.api + n.api, other: e.other + n.other, workflowTasks: e.workflowTasks + n.workflowTasks });
  }
  for (const [name, n] of byWorker) {
    console.log(`  ${name}: ${n.api} activities started on ${connectionTaskQueue(TASK_QUEUE, 'bench')}, ${n.other} on ${TASK_QUEUE}, ${n.workflowTasks} workflow tasks (histories)`);
  }
  console.log(`  worker logs up to the end of the import: ${logLines.map((l, i) => `worker ${i + 1} "now serves" ×${l.serves}, "no longer serves" ×${l.released}`).join('; ')}`);
  const apiServers = [...identities].filter(([, n]) => n.api > 0).map(([id]) => workerOf(id, workers));

  console.log('correctness (every in-scope Sage record has exactly one Assignar record, by integration_id):');
  const failedByKind = Object.fromEntries(Object.entries(result.summary.counts).map(([k, c]) => [k, c?.failed ?? 0])) as Partial<Record<EntityKind, number>>;
  const checks = await checkOnePerRecord(sb, scope, failedByKind);
  printChecks(checks);
  const correct = checks.every((c) => c.ok);
  console.log(`  ${correct ? 'every in-scope record is in Assignar exactly once, or failed with a reason' : 'MISMATCH: see above'}`);
  await stopSandboxes(sb);

  return {
    workers: workerCount,
    wallS: result.wallS,
    boundS: bound,
    peakSage: sageStats.concurrency.peak,
    peakAssignarRps: assignarStats.peakRequestsPerSecond,
    rejectedSage,
    rejectedAssignar,
    correct,
    servedBy: apiServers,
  };
}

async function main(): Promise<number> {
  const dir = makeTmpDir('bench-fleet-');
  const epoch = Math.floor(Date.now() / 1000);
  console.log(
    `bench:fleet — Sage seed ${SAGE_SEED} at ${SAGE_LATENCY_MS} ms, cap ${SAGE_CAP}; Assignar demo tenant at ${ASSIGNAR_LATENCY_MS} ms, ${ASSIGNAR_RPS} req/s; ` +
      `connection sage.concurrency ${SAGE_CAP}, assignar.requestsPerSecond ${ASSIGNAR_RPS}, concurrency ${ASSIGNAR_CONCURRENCY}; temp dir ${dir}`,
  );
  const temporal = await startTemporal(dir);
  console.log(`Temporal dev server pid ${temporal.pid} at ${temporal.address}; ledger ${DATABASE_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`);
  const client = await temporalClient(temporal.address);
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  pool.on('error', () => undefined);
  // Schemas a bench stopped by a signal left behind (its cleanup stops processes only), once a day old.
  const { rows: stale } = await pool.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like 'fleet_bench_%'`);
  for (const { name } of stale) if (epoch - Number(name.split('_')[2]) > 86_400) await pool.query(`drop schema if exists "${name}" cascade`);
  const schemas: string[] = [];
  const results: RoundResult[] = [];
  try {
    for (const n of ROUNDS) {
      const schema = `fleet_bench_${epoch}_${n}`;
      schemas.push(schema);
      results.push(await runRound(dir, temporal, client, pool, schema, n));
    }
  } finally {
    await cleanup();
    for (const s of schemas) await pool.query(`drop schema if exists "${s}" cascade`).catch((err: unknown) => console.error(`could not drop schema ${s}: ${(err as Error).message}`));
    await pool.end();
  }

  const [one, three] = results as [RoundResult, RoundResult];
  const rejected3 = three.rejectedSage + three.rejectedAssignar;
  const met = {
    sage_cap: three.peakSage <= SAGE_CAP,
    // The tenant's limit is what its sandbox enforces (a bucket of one second's requests: `rejected` counts its
    // refusals). The sliding one-second arrival count also sees bunching on the way in (a busy sandbox loop
    // reads several requests at once), so it is held to the limit within 10 %, as test/reliability/fleet.test.ts
    // holds it; three workers that did not share the limit would reach up to three times it.
    assignar_limit: three.peakAssignarRps <= ASSIGNAR_RPS * ARRIVAL_JITTER,
    rejected: rejected3 === 0,
    ratio: three.wallS <= TARGET_RATIO * three.boundS,
    correct: one.correct && three.correct,
  };
  const missed = Object.entries(met).filter(([, ok]) => !ok).map(([k]) => k);
  console.log('');
  console.log('summary:');
  for (const r of results) {
    console.log(
      `  ${r.workers} worker${r.workers === 1 ? ' ' : 's'}: wall ${fmt(r.wallS, 1)} s, bound ${fmt(r.boundS, 1)} s (ratio ${fmt(r.wallS / r.boundS, 3)}), ` +
        `peak Sage concurrency ${r.peakSage}/${SAGE_CAP}, peak Assignar ${r.peakAssignarRps}/${ASSIGNAR_RPS} req/s, rejected ${r.rejectedSage + r.rejectedAssignar}, ` +
        `connection served by ${r.servedBy.join(' + ') || 'nobody'}, ${r.correct ? 'correct' : 'NOT correct'}`,
    );
  }
  console.log(
    `targets (3 workers): peak Sage concurrency ≤ ${SAGE_CAP}, peak Assignar arrivals in a sliding second ≤ ${fmt(ASSIGNAR_RPS * ARRIVAL_JITTER, 0)} (the ${ASSIGNAR_RPS} req/s limit + 10 % arrival jitter; the client starts ≤ ${ASSIGNAR_RPS} in any second), 0 rejected, wall ≤ ${TARGET_RATIO} × bound (${fmt(TARGET_RATIO * three.boundS, 1)} s); both rounds correct — ` +
      `${missed.length ? `MISSED: ${missed.join(', ')}` : 'all met'}`,
  );
  console.log(
    JSON.stringify({
      bench: 'fleet',
      workers_1_wall_s: round(one.wallS, 1),
      workers_3_wall_s: round(three.wallS, 1),
      bound_s: round(three.boundS, 1),
      ratio: round(three.wallS / three.boundS, 3),
      peak_sage_concurrency: three.peakSage,
      sage_cap: SAGE_CAP,
      peak_assignar_rps: three.peakAssignarRps,
      assignar_limit: ASSIGNAR_RPS,
      rejected: rejected3,
      rejected_sage: three.rejectedSage,
      rejected_assignar: three.rejectedAssignar,
      workers_1_bound_s: round(one.boundS, 1),
      workers_1_ratio: round(one.wallS / one.boundS, 3),
      workers_1_peak_sage_concurrency: one.peakSage,
      workers_1_peak_assignar_rps: one.peakAssignarRps,
      workers_1_rejected: one.rejectedSage + one.rejectedAssignar,
      workers_1_served_by: one.servedBy,
      workers_3_served_by: three.servedBy,
      correct: one.correct && three.correct,
      targets_met: missed.length === 0,
      missed,
    }),
  );
  return missed.length === 0 ? 0 : 1;
}

runBench('bench:fleet', main);
