/**
 * bench:sage-read — reads every EMPLOYEE of the `large` seed (10,000) through the Sage Intacct client from
 * the Sage Intacct sandbox at 200 ms latency and a per-company cap of 2, and prints records/s, requests and
 * metered transactions (each also as a ratio to the minimum, ceil(N / 2000) queries), then, as its last
 * line, one JSON object:
 *   {"bench":"sage-read","records","requests","transactions","min_transactions","wall_s","bound_s","ratio",…}
 * with bound_s = requests × latency / cap (every request costs one latency in one of `cap` slots) and
 * ratio = wall_s / bound_s. Target: transactions at the minimum, ratio ≤ 1.2.
 *
 * The sandbox runs in a separate process (`intacct-assignar sandbox`, ports 0) so its CPU — building and
 * serialising 2,000-record pages — is not on this process's event loop. Requests and transactions are
 * the sandbox's own counters (GET /_sandbox/stats), not the client's.
 *
 * Approach: `SageClient.pagesByOffset` with concurrency = cap = 2 and pages of 2,000. It issues exactly
 * ceil(N / 2000) queries (the minimum) and, once the first page has told the total, keeps both slots busy
 * with the remaining offsets. A keyset reader (pagesByRecordNo) is inherently sequential — each page's
 * filter needs the previous page's last RECORDNO — so with a cap of 2 it leaves one slot idle and cannot
 * get below ratio ≈ 2 (run with `--mode keyset` to see it). Offset pages can skip or repeat records that
 * change mid-read (fine for a full read of a static tenant; the sync's incremental reads use the keyset
 * helpers); the bench checks that every EMPLOYEEID came back exactly once.
 *
 * Each timed read starts with a new client, sign-in included: a real read must open its session, and the
 * sandbox counts the getAPISession request like any other. One untimed read first warms the JIT of both
 * processes; the median of three timed reads is reported (all three walls are printed). Two steps cannot overlap anything: getAPISession (nothing can be
 * sent before the session exists) and the first page (its totalcount says which offsets follow, and
 * speculating would cost a transaction when N ≤ 2000). With N = 10,000 that makes 1 + 5 requests whose
 * critical path is login → page 1 → 2 rounds of 2 pages = 4 latencies, against a bound of 6 / 2 = 3:
 * a structural floor of ratio 4/3 at this N, printed as `floor_ratio`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { SageConfigSchema } from '../src/config/schema';
import { SageClient, type SageEmployee, type SageRejectedRecord } from '../src/sage';
import type { SageSandboxStats } from '../src/sandbox/sage';

/** `--name value` from the command line. */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The sandbox's latency: 200 ms is the benchmark; `--latency-ms 0` shows the processing cost alone (diagnosis only). */
const LATENCY_MS = arg('latency-ms') !== undefined ? Number(arg('latency-ms')) : 200;
const CAP = 2;
const PAGE_SIZE = 2000;
const EXPECTED_RECORDS = 10_000;
const RUNS = 3;
const mode: 'offset' | 'keyset' = arg('mode') === 'keyset' ? 'keyset' : 'offset';
if (!Number.isInteger(LATENCY_MS) || LATENCY_MS < 0) throw new Error('--latency-ms must be a non-negative integer');

interface SandboxInfo {
  sage: { baseUrl: string; endpoint: string; control: string; senderId: string; senderPassword: string; userId: string; companyId: string; userPassword: string };
}

/** Starts `intacct-assignar sandbox` on random ports and waits for its one JSON line. */
async function startSandboxProcess(): Promise<{ child: ChildProcess; info: SandboxInfo }> {
  const bin = path.resolve(__dirname, '..', 'bin', 'intacct-assignar.js');
  const args = [
    bin, 'sandbox', '--sage-port', '0', '--assignar-port', '0', '--seed', 'large', '--assignar-seed', 'none',
    '--sage-latency-ms', String(LATENCY_MS), '--sage-concurrency', String(CAP),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise<SandboxInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the sandbox did not print its URLs within 120 s')), 120_000);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const text = line.trim();
      if (!text.startsWith('{')) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(text) as SandboxInfo);
      } catch (err) {
        reject(err as Error);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox exited (code ${code}) before it was ready`));
    });
  });
  return { child, info };
}

async function control<T>(info: SandboxInfo, method: 'GET' | 'DELETE', route: string): Promise<T> {
  const res = await fetch(`${info.sage.baseUrl}/_sandbox/${route}`, { method });
  if (!res.ok) throw new Error(`${method} /_sandbox/${route} → HTTP ${res.status}`);
  return (await res.json()) as T;
}

const fmt = (n: number, digits = 3) => n.toFixed(digits);

interface Run {
  wallS: number;
  counts: Map<string, number>;
  rejected: SageRejectedRecord[];
  pages: number;
  stats: SageSandboxStats;
  /** ms from the start of the read to each page's arrival at the consumer. */
  arrivals: number[];
}

async function main(): Promise<void> {
  const { child, info } = await startSandboxProcess();
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  try {
    const about = await control<{ userTimeZoneOffset: string; records: Record<string, number> }>(info, 'GET', '');
    const seeded = about.records.EMPLOYEE;
    const s = info.sage;
    const config = SageConfigSchema.parse({
      endpoint: s.endpoint,
      senderId: s.senderId,
      senderPassword: { env: 'SAGE_SENDER_PASSWORD' },
      userId: s.userId,
      companyId: s.companyId,
      userPassword: { env: 'SAGE_USER_PASSWORD' },
      userTimeZoneOffset: about.userTimeZoneOffset,
      concurrency: CAP,
      pageSize: PAGE_SIZE,
    });
    // One untimed warm-up read (JIT in both processes), then RUNS timed reads, each by a new client — so each
    // signs in (getAPISession counted and timed) — with the sandbox's counters zeroed before each. The run
    // with the median wall time is reported; all of them must read every EMPLOYEEID exactly once.
    const readAll = async (): Promise<Run> => {
      const client = new SageClient(config, { senderPassword: s.senderPassword, userPassword: s.userPassword });
      await control(info, 'DELETE', 'stats');
      const counts = new Map<string, number>();
      const rejected: SageRejectedRecord[] = [];
      let started = 0;
      let pages = 0;
      const arrivals: number[] = [];
      const take = (records: SageEmployee[], rej: SageRejectedRecord[]) => {
        pages++;
        arrivals.push(performance.now() - started);
        rejected.push(...rej);
        for (const r of records) counts.set(r.EMPLOYEEID, (counts.get(r.EMPLOYEEID) ?? 0) + 1);
      };
      started = performance.now();
      if (mode === 'offset') {
        for await (const page of client.pagesByOffset({ object: 'EMPLOYEE' })) take(page.records, page.rejected);
      } else {
        for await (const page of client.pagesByRecordNo({ object: 'EMPLOYEE' })) take(page.records, page.rejected);
      }
      const wallS = (performance.now() - started) / 1000;
      const stats = await control<SageSandboxStats>(info, 'GET', 'stats');
      return { wallS, counts, rejected, pages, stats, arrivals };
    };
    const warmUp = await readAll();
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await readAll());
    const sorted = [...runs].sort((a, b) => a.wallS - b.wallS);
    const { wallS, counts, rejected, pages, stats, arrivals } = sorted[Math.floor(sorted.length / 2)];
    const allOnce = [warmUp, ...runs].every((r) => r.rejected.length === 0 && r.counts.size === seeded && [...r.counts.values()].every((n) => n === 1));
    const records = [...counts.values()].reduce((a, b) => a + b, 0);
    const duplicated = [...counts.entries()].filter(([, n]) => n > 1);
    const everyOnce = duplicated.length === 0 && counts.size === seeded && rejected.length === 0;
    const minTransactions = Math.ceil(seeded / PAGE_SIZE);
    const requests = stats.requests;
    const transactions = stats.transactions.total;
    const boundS = (requests * LATENCY_MS) / 1000 / CAP; // 0 with --latency-ms 0: the ratio is then meaningless
    const ratio = wallS / boundS;
    // Critical path in latencies: login, then (offset) page 1 alone and the rest `CAP` at a time / (keyset) one page after another.
    const queryRequests = requests - stats.sessionsOpened;
    const criticalPath = mode === 'offset' ? 1 + 1 + Math.ceil((queryRequests - 1) / CAP) : 1 + queryRequests;
    const floorRatio = (criticalPath * LATENCY_MS) / 1000 / boundS;

    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`sage-read (${mode === 'offset' ? 'pagesByOffset, concurrency 2' : 'pagesByRecordNo, sequential keyset'}): sandbox latency ${LATENCY_MS} ms, cap ${CAP}, page size ${PAGE_SIZE}`);
    out(`  records read      ${records} in ${pages} pages (${seeded} EMPLOYEE in the sandbox; ${counts.size} distinct EMPLOYEEID, ${duplicated.length} read more than once, ${seeded - counts.size} missing, ${rejected.length} rejected)`);
    out(`  every EMPLOYEEID exactly once: ${everyOnce ? 'yes' : 'NO'} (in every run, warm-up included: ${allOnce ? 'yes' : 'NO'})`);
    out(`  wall              ${fmt(wallS)} s  →  ${Math.round(records / wallS)} records/s  (median of ${RUNS}: ${runs.map((r) => fmt(r.wallS)).join(', ')} s; untimed-JIT warm-up ${fmt(warmUp.wallS)} s)`);
    out(`  pages arrived at  ${arrivals.map((a) => Math.round(a)).join(', ')} ms after the start (the first after the sign-in)`);
    out(`  requests          ${requests} (sandbox count: ${stats.sessionsOpened} getAPISession + ${queryRequests} query)  = ${fmt(requests / minTransactions, 2)} × the minimum ${minTransactions}`);
    out(`  transactions      ${transactions} metered (${JSON.stringify(stats.transactions.byFunction)})  = ${fmt(transactions / minTransactions, 2)} × the minimum ${minTransactions}`);
    out(`  sandbox           peak concurrency ${stats.peakConcurrency}, rejected for rate ${stats.rejectedForRate}, server errors ${stats.responses.serverError}`);
    out(`  bound             ${requests} requests × ${LATENCY_MS} ms / ${CAP} = ${fmt(boundS)} s  →  ratio ${fmt(ratio)} (target ≤ 1.2; structural floor here ${fmt(floorRatio)} = ${criticalPath} latencies on the critical path)`);
    out(
      JSON.stringify({
        bench: 'sage-read',
        mode,
        records,
        distinct_ids: counts.size,
        every_id_once: everyOnce && allOnce,
        requests,
        transactions,
        min_transactions: minTransactions,
        wall_s: Number(fmt(wallS)),
        bound_s: Number(fmt(boundS)),
        ratio: Number(fmt(ratio)),
        floor_ratio: Number(fmt(floorRatio)),
        records_per_s: Math.round(records / wallS),
        latency_ms: LATENCY_MS,
        cap: CAP,
        peak_concurrency: stats.peakConcurrency,
        rejected_for_rate: stats.rejectedForRate,
      }),
    );
    if (!everyOnce || !allOnce || seeded !== EXPECTED_RECORDS) process.exitCode = 1;
  } finally {
    stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
