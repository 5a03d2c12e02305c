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
 * serialising 2,000-record pages — is not on this process's event loop. Its latency is time to response
 * (its own work included, see src/sandbox/sage/server.ts). Requests and transactions are the sandbox's own
 * counters (GET /_sandbox/stats), not the client's.
 *
 * Approach: `SageClient.pagesByOffset` with concurrency = cap = 2 and pages of 2,000. It issues exactly
 * ceil(N / 2000) queries (the minimum): the first page alone (its totalcount says which offsets follow),
 * then the remaining offsets, each sent the moment a slot frees. A keyset reader (pagesByRecordNo) is
 * inherently sequential — each page's filter needs the previous page's last RECORDNO — so with a cap of 2
 * it leaves one slot idle and cannot get below ratio ≈ 2 (run with `--mode keyset` to see it). Offset
 * pages can skip or repeat records that change mid-read (fine for a full read of a static tenant; the
 * sync's incremental reads use the keyset helpers); the bench checks that every EMPLOYEEID came back
 * exactly once, in every run.
 *
 * Two figures, each the median of three timed reads after one untimed warm-up pair (JIT of both processes):
 *  - warm (the headline, and the JSON's requests/bound_s/ratio): the read with the session already open,
 *    as a worker reads — it keeps its session for hours, so signing in is not part of reading 10,000
 *    employees. Counters are zeroed after sign-in, so they hold the read's own 5 queries.
 *  - cold (cold_* in the JSON): a new client, sign-in included — getAPISession alone, then the read.
 * Structural floors (at zero processing): warm, page 1 alone then 4 pages 2 at a time = 3 latencies
 * against a bound of 5 / 2 = 2.5, ratio 1.2; cold, sign-in first = 4 latencies against 6 / 2 = 3, ratio
 * 4/3. Starting offsets before the first page has told the total would beat them but costs a metered
 * query whenever N ≤ 2000, so the client never guesses. Whatever the client spends parsing and
 * validating the last pages (after the last response arrives) comes on top.
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

interface Figures {
  run: Run;
  walls: number[];
  requests: number;
  queries: number;
  transactions: number;
  boundS: number;
  ratio: number;
  /** Latencies on the critical path at zero processing, and the ratio that makes. */
  criticalPath: number;
  floorRatio: number;
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
    const newClient = () => new SageClient(config, { senderPassword: s.senderPassword, userPassword: s.userPassword });

    /** One timed read by `client` (signing in first when it has no session), the sandbox's counters zeroed just before. */
    const readAll = async (client: SageClient): Promise<Run> => {
      await control(info, 'DELETE', 'stats');
      const counts = new Map<string, number>();
      const rejected: SageRejectedRecord[] = [];
      let pages = 0;
      const arrivals: number[] = [];
      const started = performance.now();
      const take = (records: SageEmployee[], rej: SageRejectedRecord[]) => {
        pages++;
        arrivals.push(performance.now() - started);
        rejected.push(...rej);
        for (const r of records) counts.set(r.EMPLOYEEID, (counts.get(r.EMPLOYEEID) ?? 0) + 1);
      };
      if (mode === 'offset') {
        for await (const page of client.pagesByOffset({ object: 'EMPLOYEE' })) take(page.records, page.rejected);
      } else {
        for await (const page of client.pagesByRecordNo({ object: 'EMPLOYEE' })) take(page.records, page.rejected);
      }
      const wallS = (performance.now() - started) / 1000;
      const stats = await control<SageSandboxStats>(info, 'GET', 'stats');
      return { wallS, counts, rejected, pages, stats, arrivals };
    };
    /** A cold read (new client, sign-in timed and counted), then a warm one by the same client on its open session. */
    const pair = async (): Promise<{ cold: Run; warm: Run }> => {
      const client = newClient();
      const cold = await readAll(client);
      await client.connect(); // the session the cold read opened is still live: no request
      const warm = await readAll(client);
      return { cold, warm };
    };

    const warmUp = await pair();
    const pairs: Array<{ cold: Run; warm: Run }> = [];
    for (let i = 0; i < RUNS; i++) pairs.push(await pair());
    const all = [warmUp, ...pairs].flatMap((p) => [p.cold, p.warm]);
    const allOnce = all.every((r) => r.rejected.length === 0 && r.counts.size === seeded && [...r.counts.values()].every((n) => n === 1));
    const minTransactions = Math.ceil(seeded / PAGE_SIZE);

    const figures = (runs: Run[]): Figures => {
      const sorted = [...runs].sort((a, b) => a.wallS - b.wallS);
      const run = sorted[Math.floor(sorted.length / 2)];
      const requests = run.stats.requests;
      const queries = requests - run.stats.sessionsOpened;
      const boundS = (requests * LATENCY_MS) / 1000 / CAP; // 0 with --latency-ms 0: the ratio is then meaningless
      // Offset: sign-in (if any), page 1 alone, the rest `CAP` at a time. Keyset: one request after another.
      const criticalPath = mode === 'offset' ? run.stats.sessionsOpened + 1 + Math.ceil((queries - 1) / CAP) : requests;
      return {
        run,
        walls: runs.map((r) => r.wallS),
        requests,
        queries,
        transactions: run.stats.transactions.total,
        boundS,
        ratio: run.wallS / boundS,
        criticalPath,
        floorRatio: (criticalPath * LATENCY_MS) / 1000 / boundS,
      };
    };
    const warm = figures(pairs.map((p) => p.warm));
    const cold = figures(pairs.map((p) => p.cold));
    const { counts, rejected, pages, stats, arrivals } = warm.run;
    const records = [...counts.values()].reduce((a, b) => a + b, 0);
    const duplicated = [...counts.entries()].filter(([, n]) => n > 1);
    const everyOnce = duplicated.length === 0 && counts.size === seeded && rejected.length === 0;
    const wallS = warm.run.wallS;

    const out = (line: string) => process.stdout.write(`${line}\n`);
    const walls = (f: Figures) => `median of ${RUNS}: ${f.walls.map((w) => fmt(w)).join(', ')} s`;
    out(`sage-read (${mode === 'offset' ? 'pagesByOffset, concurrency 2' : 'pagesByRecordNo, sequential keyset'}): sandbox latency ${LATENCY_MS} ms, cap ${CAP}, page size ${PAGE_SIZE}`);
    out(`  records read      ${records} in ${pages} pages (${seeded} EMPLOYEE in the sandbox; ${counts.size} distinct EMPLOYEEID, ${duplicated.length} read more than once, ${seeded - counts.size} missing, ${rejected.length} rejected)`);
    out(`  every EMPLOYEEID exactly once: ${everyOnce ? 'yes' : 'NO'} (in every run, cold, warm and warm-up: ${allOnce ? 'yes' : 'NO'})`);
    out(`  warm read — session already open (a worker keeps its session for hours):`);
    out(`    wall            ${fmt(wallS)} s  →  ${Math.round(records / wallS)} records/s  (${walls(warm)}; untimed warm-up ${fmt(warmUp.warm.wallS)} s)`);
    out(`    pages arrived   ${arrivals.map((a) => Math.round(a)).join(', ')} ms after the start`);
    out(`    requests        ${warm.requests} (sandbox count: ${stats.sessionsOpened} getAPISession + ${warm.queries} query)  = ${fmt(warm.requests / minTransactions, 2)} × the minimum ${minTransactions}`);
    out(`    transactions    ${warm.transactions} metered (${JSON.stringify(stats.transactions.byFunction)})  = ${fmt(warm.transactions / minTransactions, 2)} × the minimum ${minTransactions}`);
    out(`    sandbox         peak concurrency ${stats.peakConcurrency}, rejected for rate ${stats.rejectedForRate}, server errors ${stats.responses.serverError}`);
    out(`    bound           ${warm.requests} requests × ${LATENCY_MS} ms / ${CAP} = ${fmt(warm.boundS)} s  →  ratio ${fmt(warm.ratio)} (target ≤ 1.2; structural floor ${fmt(warm.floorRatio)} = ${warm.criticalPath} latencies on the critical path)`);
    const c = cold.run.stats;
    out(`  cold read — new client, sign-in included:`);
    out(`    wall            ${fmt(cold.run.wallS)} s  (${walls(cold)}; untimed warm-up ${fmt(warmUp.cold.wallS)} s)`);
    out(`    pages arrived   ${cold.run.arrivals.map((a) => Math.round(a)).join(', ')} ms after the start (the first after the sign-in)`);
    out(`    requests        ${cold.requests} (sandbox count: ${c.sessionsOpened} getAPISession + ${cold.queries} query), transactions ${cold.transactions}`);
    out(`    bound           ${cold.requests} requests × ${LATENCY_MS} ms / ${CAP} = ${fmt(cold.boundS)} s  →  ratio ${fmt(cold.ratio)} (structural floor ${fmt(cold.floorRatio)} = ${cold.criticalPath} latencies on the critical path)`);
    out(
      JSON.stringify({
        bench: 'sage-read',
        mode,
        records,
        distinct_ids: counts.size,
        every_id_once: everyOnce && allOnce,
        requests: warm.requests,
        transactions: warm.transactions,
        min_transactions: minTransactions,
        wall_s: Number(fmt(wallS)),
        bound_s: Number(fmt(warm.boundS)),
        ratio: Number(fmt(warm.ratio)),
        floor_ratio: Number(fmt(warm.floorRatio)),
        records_per_s: Math.round(records / wallS),
        cold_requests: cold.requests,
        cold_transactions: cold.transactions,
        cold_wall_s: Number(fmt(cold.run.wallS)),
        cold_bound_s: Number(fmt(cold.boundS)),
        cold_ratio: Number(fmt(cold.ratio)),
        cold_floor_ratio: Number(fmt(cold.floorRatio)),
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
