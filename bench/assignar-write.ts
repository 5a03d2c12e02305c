/**
 * `npm run bench:assignar-write`: creates 5,000 field workers through the AssignarClient against the
 * Assignar sandbox with a 100 requests/s tenant limit and 50 ms latency, reads them back, and reports the
 * achieved request rate against the limit, 429s and errors. The last line is one JSON object.
 *
 * - The sandbox runs in a SEPARATE process (bench/support/assignar-sandbox.ts), so its CPU does not share
 *   the client's event loop; its counters are read over the control API (`/_sandbox/stats`, which is
 *   itself never counted, rate-limited or delayed).
 * - Requests per second are measured over the create phase only, counting requests as the SANDBOX counts
 *   them (its per-route counters, the token endpoint excluded; the token is fetched before the phase), over
 *   the client-side wall time from the first create sent to the last answer received. `req_per_s` leaves
 *   429 answers out (a bounced request uses none of the limit); `req_per_s_incl_429` keeps them.
 * - Lost and duplicated workers are found by reading every worker back through the client and comparing
 *   employee IDs with the ones sent; the sandbox's own table is checked too.
 *
 * Knobs (environment): BENCH_WORKERS (5000), BENCH_LIMIT (100 req/s, both the sandbox's limit and the
 * client's configured rate), BENCH_LATENCY_MS (50), BENCH_CONCURRENCY (8, the config default).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { AssignarClient, type UserWrite } from '../src/assignar';
import { defaultBurst } from '../src/assignar/limiter';
import { AssignarConfigSchema } from '../src/config/schema';
import type { StatsSnapshot } from '../src/sandbox/assignar';

const WORKERS = intEnv('BENCH_WORKERS', 5000);
const LIMIT = intEnv('BENCH_LIMIT', 100);
const LATENCY_MS = intEnv('BENCH_LATENCY_MS', 50);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 8);
const TARGET_RATIO = 0.9;
const WORKER_USER_TYPE_ID = 2;
const TOKEN_ROUTE = 'POST /oauth2/token';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return n;
}

interface SandboxInfo {
  pid: number;
  apiBase: string;
  tokenUrl: string;
  controlUrl: string;
  clientId: string;
  clientSecret: string;
  faults: { requestsPerSecond: number; burst?: number; latencyMs: number };
}

/** Starts the sandbox child process and waits for its one JSON line. */
async function startSandbox(): Promise<{ child: ChildProcess; info: SandboxInfo }> {
  const script = path.join(__dirname, 'support', 'assignar-sandbox.ts');
  const opts = { seed: 'demo', latencyMs: LATENCY_MS, requestsPerSecond: LIMIT };
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(opts)], {
    cwd: path.join(__dirname, '..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the sandbox process exited (code ${code}) before it was ready`)));
    child.once('error', reject);
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the sandbox process did not start within 60 s')), 60_000).unref());
  try {
    const info = JSON.parse(await Promise.race([first, timeout])) as SandboxInfo;
    return { child, info };
  } catch (err) {
    await stopSandbox(child);
    throw err;
  }
}

/** Stops the sandbox child (by its own pid): SIGTERM, then SIGKILL after 5 s. */
async function stopSandbox(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function control<T>(info: SandboxInfo, method: 'GET' | 'DELETE', p: string): Promise<T> {
  const res = await fetch(new URL(p, info.controlUrl), { method });
  if (!res.ok) throw new Error(`sandbox control ${method} ${p}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** API requests the sandbox counted (every /v2 route; the token endpoint left out). */
function apiRequests(s: StatsSnapshot): number {
  return Object.entries(s.requests.byRoute)
    .filter(([route]) => route !== TOKEN_ROUTE)
    .reduce((n, [, v]) => n + v, 0);
}

function employeeId(i: number): string {
  return `BW${String(i).padStart(5, '0')}`;
}

function workerBody(i: number): UserWrite {
  const n = String(i).padStart(5, '0');
  return {
    user_type_id: WORKER_USER_TYPE_ID,
    employee_id: employeeId(i),
    integration_id: String(100000 + i),
    first_name: `Bench${n}`,
    last_name: 'Worker',
    email: `bench.worker.${n}@bench-builders.example.com`,
    username: `bench.worker.${n}@bench-builders.example.com`,
    employment_type: 1,
    active: true,
  };
}

const fmt = (n: number, d = 2) => n.toFixed(d);

async function main(): Promise<number> {
  const { child, info } = await startSandbox();
  const onSignal = () => {
    void stopSandbox(child).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await run(info);
  } finally {
    await stopSandbox(child);
  }
}

async function run(info: SandboxInfo): Promise<number> {
  const config = AssignarConfigSchema.parse({
    apiBase: info.apiBase,
    tokenUrl: info.tokenUrl,
    clientId: info.clientId,
    clientSecret: { env: 'ASSIGNAR_CLIENT_SECRET' },
    requestsPerSecond: LIMIT,
    concurrency: CONCURRENCY,
    pageSize: 500,
    requestTimeoutMs: 30_000,
  });
  const client = new AssignarClient(config, { clientSecret: info.clientSecret });
  const burst = defaultBurst(LIMIT);
  const refill = LIMIT;
  const sandboxBurst = info.faults.burst ?? Math.max(1, info.faults.requestsPerSecond);
  console.log(
    `assignar-write: ${WORKERS} workers; sandbox in its own process (pid ${info.pid}): limit ${LIMIT} req/s (bucket ${sandboxBurst}), latency ${LATENCY_MS} ms; ` +
      `client: requestsPerSecond ${LIMIT} (token bucket burst ${burst}, refill ${refill}/s, at most ${LIMIT} in any one-second window), concurrency ${CONCURRENCY}`,
  );

  try {
    // The token request (which also pays the latency) happens before the measured phase.
    await client.authenticate();
    await control(info, 'DELETE', 'stats');
    const before = client.stats();

    // ── Create phase ──────────────────────────────────────────────────────────────────────────────────
    const bodies = Array.from({ length: WORKERS }, (_, i) => workerBody(i + 1));
    const step = Math.max(1, Math.floor(WORKERS / 5));
    const t0 = performance.now();
    const results = await client.users.createMany(bodies, {
      onSettled: (_r, settled, total) => {
        if (settled % step === 0 || settled === total) {
          const s = (performance.now() - t0) / 1000;
          console.log(`  created ${settled}/${total} in ${fmt(s, 1)} s (${fmt(settled / s, 1)}/s)`);
        }
      },
    });
    const createSeconds = (performance.now() - t0) / 1000;
    const createStats = await control<StatsSnapshot>(info, 'GET', 'stats');
    const afterCreate = client.stats();

    const created = results.filter((r) => r.status === 'fulfilled').length;
    const createErrors = results.filter((r) => r.status === 'rejected');
    const counted = apiRequests(createStats);
    const sandbox429 = createStats.http429.total;
    const accepted = counted - sandbox429;
    const reqPerS = accepted / createSeconds;
    const reqPerSAll = counted / createSeconds;
    const ratio = reqPerS / LIMIT;
    const client429 = afterCreate.http429 - before.http429;
    const retries = afterCreate.retries - before.retries;

    console.log(`create phase: ${created} created, ${createErrors.length} errors, ${fmt(createSeconds)} s`);
    console.log(
      `  requests counted by the sandbox (its stats; /v2 only, token excluded): ${counted} (${sandbox429} answered 429) over ${fmt(createSeconds)} s of client wall time`,
    );
    console.log(`  achieved: ${fmt(reqPerS)} req/s (429s excluded; ${fmt(reqPerSAll)} req/s including them) = ${fmt(ratio, 3)} × the ${LIMIT} req/s limit`);
    console.log(`  429s: sandbox sent ${sandbox429}, client received ${client429}, retries ${retries}; 5xx ${afterCreate.http5xx - before.http5xx}`);
    console.log(`  in flight: client peak ${afterCreate.peakInFlight}, sandbox peak ${createStats.peakConcurrency}`);
    for (const r of createErrors.slice(0, 5)) if (r.status === 'rejected') console.log(`  error #${r.index}: ${r.error.message}`);

    // ── Read back ─────────────────────────────────────────────────────────────────────────────────────
    await control(info, 'DELETE', 'stats');
    const t1 = performance.now();
    const seen = new Map<string, number>();
    let readBack = 0;
    let readError: string | undefined;
    try {
      for await (const u of client.users.items({ filter: { user_type_id: WORKER_USER_TYPE_ID }, sort: ['employee_id'], fields: ['employee_id'] })) {
        readBack++;
        const key = u.employee_id ?? `(no employee_id, id ${u.id})`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    } catch (err) {
      readError = err instanceof Error ? err.message : String(err);
    }
    const readSeconds = (performance.now() - t1) / 1000;
    const readStats = await control<StatsSnapshot>(info, 'GET', 'stats');
    const duplicates = [...seen.values()].reduce((n, c) => n + (c > 1 ? c - 1 : 0), 0);
    const expected = bodies.map((b) => b.employee_id!);
    const lost = expected.filter((e) => !seen.has(e)).length;
    const expectedSet = new Set(expected);
    const unexpected = [...seen.keys()].filter((k) => !expectedSet.has(k)).length;
    // Independent of the client: the sandbox's own table (control API).
    const rows = await control<Array<Record<string, unknown>>>(info, 'GET', 'records/users');
    const sandboxWorkers = rows.filter((u) => u.user_type_id === WORKER_USER_TYPE_ID).length;

    console.log(
      `read back: ${readBack} workers in ${apiRequests(readStats)} requests, ${fmt(readSeconds)} s; ${duplicates} duplicates, ${lost} lost, ${unexpected} unexpected; sandbox table holds ${sandboxWorkers} workers`,
    );
    if (readError) console.log(`  read error: ${readError}`);

    const errors = createErrors.length + (readError ? 1 : 0);
    const ok = ratio >= TARGET_RATIO && lost === 0 && duplicates === 0 && errors === 0 && readBack === WORKERS && sandboxWorkers === WORKERS;
    console.log(`target (ratio ≥ ${TARGET_RATIO}, nothing lost or duplicated, no errors): ${ok ? 'met' : 'NOT met'}`);
    if (ratio < TARGET_RATIO) {
      console.log(
        `  ratio below target: the client's bucket refills at ${refill}/s (burst ${burst}, never more than ${LIMIT} in a second); ` +
          `anything lower is the client not keeping its bucket busy (concurrency ${CONCURRENCY} × ${LATENCY_MS} ms latency, CPU).`,
      );
    }
    console.log(
      JSON.stringify({
        bench: 'assignar-write',
        workers: WORKERS,
        created,
        read_back: readBack,
        duplicates,
        lost,
        req_per_s: Number(fmt(reqPerS)),
        req_per_s_incl_429: Number(fmt(reqPerSAll)),
        limit_per_s: LIMIT,
        ratio_to_limit: Number(fmt(ratio, 3)),
        http_429: sandbox429,
        http_429_client: client429,
        retries,
        errors,
        requests: counted,
        create_seconds: Number(fmt(createSeconds)),
        read_seconds: Number(fmt(readSeconds)),
        latency_ms: LATENCY_MS,
        concurrency: CONCURRENCY,
        client_burst: burst,
        client_refill_per_s: refill,
        sandbox_workers: sandboxWorkers,
        measured: 'sandbox-counted /v2 requests (429s excluded) during the create phase / client wall time of the phase',
        target_met: ok,
      }),
    );
    return ok ? 0 : 1;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
