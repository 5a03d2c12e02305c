/**
 * The rig bench/import.ts and bench/sync.ts share: every part real and in its own process —
 *   - a Temporal dev server (the CLI, `temporal server start-dev --headless`) on free ports with its SQLite
 *     file in a temporary directory;
 *   - each sandbox in a child process of its own (bench/support/sync-sandboxes.ts), driven over HTTP through
 *     their `/_sandbox/` control APIs only;
 *   - the production worker, `node bin/intacct-assignar.js --config <tmp yaml> worker`, with
 *     TEMPORAL_ADDRESS set and its ledger in a temporary SQLite file (DATABASE_URL removed). bin/ registers
 *     tsx in-process, so the spawned node process IS the worker: its /proc/<pid>/status VmHWM is the
 *     worker's peak RSS (workflow threads included).
 * The bench process only starts workflows with @temporalio/client and reads counters.
 *
 * Every child is stopped by its own pid on exit, on error and on SIGINT/SIGTERM; the temporary
 * directory is removed (unless BENCH_KEEP_TMP=1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection, ServiceError, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import YAML from 'yaml';
import { getConnection, parseConfig, type ConnectionConfig, type EntityKind } from '../../src/config';
import { IMPORT_ORDER, type RunSummary } from '../../src/contracts/sync';
import { descriptorFor, inScope } from '../../src/mapping';
import type { StatsSnapshot as AssignarStats, SimulateOptions, SimulateResult } from '../../src/sandbox/assignar';
import type { SageSandboxStats } from '../../src/sandbox/sage';
import { TASK_QUEUE } from '../../src/temporal/constants';
import { devServerSearchAttributeArgs } from '../../src/temporal/search-attributes';
import type { SyncSandboxesInfo, SyncSandboxesOptions } from './sync-sandboxes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureTemporalCli } = require('../../scripts/ensure-temporal-cli') as { ensureTemporalCli: () => Promise<string> };

const ROOT = path.resolve(__dirname, '..', '..');
export const CONNECTION_ID = 'bench';
/** Ports a developer's `npm start` may be using: never taken by a bench. */
const RESERVED_PORTS = new Set([7233, 7431, 7432, 8233]);
const TOKEN_ROUTE = 'POST /oauth2/token';

export const fmt = (n: number, d = 2): string => (Number.isFinite(n) ? n.toFixed(d) : String(n));
export const round = (n: number, d = 2): number => Number(n.toFixed(d));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const elapsed = (t0: number) => (Date.now() - t0) / 1000;

// ───────────────────────────────────────────────────────────────────────────────────── processes, cleanup

interface Managed {
  name: string;
  child: ChildProcess;
}

const managed: Managed[] = [];
/** Children stopped on purpose before cleanup (a bench's earlier round): their exit is no surprise. */
const retired = new Set<ChildProcess>();
let tmpDir: string | undefined;
let cleaning: Promise<void> | undefined;

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function stopChild(m: Managed, graceMs = 15_000): Promise<void> {
  if (!alive(m.child) || m.child.pid === undefined) return;
  const exited = once(m.child, 'exit').catch(() => undefined);
  try {
    process.kill(m.child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    if (alive(m.child) && m.child.pid !== undefined) {
      try {
        process.kill(m.child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops one child this bench started (a worker or the sandboxes of an earlier round), by its pid. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  const m = managed.find((x) => x.child === child);
  if (!m) return;
  retired.add(child);
  await stopChild(m);
}

/** Stops every child this bench started (worker first, then sandboxes, then Temporal) and removes the temp dir. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const m of [...managed].reverse()) await stopChild(m);
    if (tmpDir && process.env.BENCH_KEEP_TMP !== '1') fs.rmSync(tmpDir, { recursive: true, force: true });
    else if (tmpDir) console.error(`(kept ${tmpDir})`);
  })();
  return cleaning;
}

/** Runs `body`, then cleans up — also on error and on SIGINT/SIGTERM. Exits with body's code. */
export function runBench(name: string, body: () => Promise<number>): void {
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`${name}: ${signal}, stopping child processes`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Last resort when the event loop is gone: kill whatever is still running, by pid.
  process.once('exit', () => {
    for (const m of managed) if (alive(m.child) && m.child.pid !== undefined) try { process.kill(m.child.pid, 'SIGKILL'); } catch { /* gone */ }
  });
  body().then(
    async (code) => {
      await cleanup();
      process.exit(code);
    },
    async (err: unknown) => {
      console.error(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      await cleanup();
      process.exit(1);
    },
  );
}

export function makeTmpDir(prefix: string): string {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return tmpDir;
}

/** A free TCP port that is not one a developer's `npm start` uses (and not one already handed out). */
const handedOut = new Set<number>();
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    if (!RESERVED_PORTS.has(port) && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

// ─────────────────────────────────────────────────────────────────────────────────────────── Temporal

export interface TemporalServer {
  address: string;
  pid: number;
}

async function temporalReachable(address: string): Promise<boolean> {
  try {
    const c = await Connection.connect({ address, connectTimeout: 1000 });
    await c.workflowService.getSystemInfo({});
    await c.close();
    return true;
  } catch {
    return false;
  }
}

/** `temporal server start-dev --headless` on fresh free ports, its SQLite file in the temp dir, the service's search attributes registered. */
export async function startTemporal(dir: string): Promise<TemporalServer> {
  const cli = await ensureTemporalCli();
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const address = `127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dir, 'temporal.log'), 'a');
  const child = spawn(
    cli,
    [
      'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort),
      '--metrics-port', String(metricsPort), '--db-filename', path.join(dir, 'temporal.db'), '--log-level', 'error',
      // The workflows set the service's search attributes (Connection, RunPhase…): the server must know them.
      ...devServerSearchAttributeArgs(),
    ],
    { stdio: ['ignore', log, log] },
  );
  managed.push({ name: 'temporal', child });
  const deadline = Date.now() + 90_000;
  while (!(await temporalReachable(address))) {
    if (!alive(child)) throw new Error(`the Temporal dev server exited during start-up (see ${path.join(dir, 'temporal.log')})`);
    if (Date.now() > deadline) throw new Error(`the Temporal dev server did not answer on ${address} within 90 s`);
    await sleep(300);
  }
  return { address, pid: child.pid! };
}

export async function temporalClient(address: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: 'default' });
}

// ────────────────────────────────────────────────────────────────────────────────────────── sandboxes

export interface Sandboxes {
  info: SyncSandboxesInfo;
  /** The Assignar sandbox's process (the busier one); `pids` has both. */
  pid: number;
  pids: { sage: number; assignar: number };
  /** Both processes: stop them with stopSandboxes. */
  children: ChildProcess[];
}

/** One sandbox in a child process of its own; resolves with the JSON line it prints when ready. */
async function startSandboxProcess(opts: SyncSandboxesOptions, only: 'sage' | 'assignar'): Promise<{ info: Partial<SyncSandboxesInfo>; child: ChildProcess }> {
  const script = path.join(__dirname, 'sync-sandboxes.ts');
  const nodeArgs = (process.env.BENCH_SANDBOX_NODE_ARGS ?? '').split(' ').filter(Boolean); // diagnostics only
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, JSON.stringify({ ...opts, only })], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  managed.push({ name: `${only} sandbox`, child });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<Partial<SyncSandboxesInfo>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${only} sandbox did not start within 120 s`)), 120_000);
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as Partial<SyncSandboxesInfo>);
      } catch (err) {
        reject(err as Error);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${only} sandbox exited (code ${code}) before it was ready`));
    });
  });
  return { info, child };
}

/**
 * The Sage Intacct and the Assignar sandbox, each in a child process of its own (as the real services are
 * separate hosts), so neither one's CPU delays the other's answers.
 */
export async function startSandboxes(opts: SyncSandboxesOptions): Promise<Sandboxes> {
  const [sageProc, assignarProc] = await Promise.all([startSandboxProcess(opts, 'sage'), startSandboxProcess(opts, 'assignar')]);
  return {
    info: { pid: assignarProc.child.pid!, sage: sageProc.info.sage!, assignar: assignarProc.info.assignar! },
    pid: assignarProc.child.pid!,
    pids: { sage: sageProc.child.pid!, assignar: assignarProc.child.pid! },
    children: [sageProc.child, assignarProc.child],
  };
}

/** Stops both sandbox processes (a bench round that starts a fresh tenant). */
export async function stopSandboxes(sb: Sandboxes): Promise<void> {
  for (const child of sb.children) await stopProcess(child);
}

async function controlCall<T>(base: string, method: 'GET' | 'DELETE' | 'POST' | 'PUT', route: string, body?: unknown): Promise<T> {
  const res = await fetch(new URL(route, base), {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox control ${method} ${new URL(route, base).pathname} → HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export const sage = {
  stats: (s: Sandboxes) => controlCall<SageSandboxStats>(s.info.sage.control, 'GET', 'stats'),
  resetStats: (s: Sandboxes) => controlCall<SageSandboxStats>(s.info.sage.control, 'DELETE', 'stats'),
  records: (s: Sandboxes, object: string) => controlCall<Array<Record<string, string>>>(s.info.sage.control, 'GET', `records/${object}`),
  upsert: (s: Sandboxes, object: string, records: Array<Record<string, string>>) =>
    controlCall<Array<Record<string, string>>>(s.info.sage.control, 'POST', `records/${object}`, records),
};

export const assignar = {
  stats: (s: Sandboxes) => controlCall<AssignarStats>(s.info.assignar.control, 'GET', 'stats'),
  resetStats: (s: Sandboxes) => controlCall<AssignarStats>(s.info.assignar.control, 'DELETE', 'stats'),
  records: (s: Sandboxes, type: string) => controlCall<Array<Record<string, unknown>>>(s.info.assignar.control, 'GET', `records/${type}`),
  /** The field-activity generator (`POST /_sandbox/simulate/timesheets`). */
  simulateTimesheets: (s: Sandboxes, options: SimulateOptions) => controlCall<SimulateResult>(s.info.assignar.control, 'POST', 'simulate/timesheets', options),
};

/** Assignar requests as the sandbox counts them (API and token endpoint; control API never counted). */
export function assignarCalls(st: AssignarStats): { total: number; writes: number; reads: number; token: number; http429: number; byRoute: Record<string, number> } {
  let writes = 0;
  let reads = 0;
  let token = 0;
  for (const [route, n] of Object.entries(st.requests.byRoute)) {
    if (route === TOKEN_ROUTE) token += n;
    else if (/^(POST|PUT|PATCH|DELETE) /.test(route)) writes += n;
    else reads += n;
  }
  return { total: st.requests.total, writes, reads, token, http429: st.http429.total, byRoute: st.requests.byRoute };
}

// ───────────────────────────────────────────────────────────────────────────────────────────── worker

export interface WorkerProcess {
  pid: number;
  child: ChildProcess;
  cmdline: string;
  configFile: string;
  connection: ConnectionConfig;
  readyAfterS: number;
  /** VmHWM when it said it was ready: start-up (workflow bundling included), MB. */
  startupPeakMb: number;
  /** VmRSS when it said it was ready, MB. */
  readyRssMb: number;
  /** Highest VmRSS seen by the sampler since ready, MB (VmHWM is the authoritative figure). */
  sampledPeakMb(): number;
  /** Peak RSS since ready (VmHWM after resetting it at ready through /proc/<pid>/clear_refs), MB. */
  runPeakMb(): number | undefined;
  /** Peak RSS over the worker's whole life, MB. */
  lifetimePeakMb(): number;
}

export interface WorkerKnobs {
  sageConcurrency: number;
  sageLatencyMs: number;
  assignarRequestsPerSecond: number;
  assignarConcurrency: number;
  /** The connection's `timesheets` block (bench:export); left out, the schema's defaults. */
  timesheets?: Record<string, unknown>;
  /** The connection's `entities` block (bench:trueup: workers only); left out, the schema's defaults (every kind). */
  entities?: Record<string, unknown>;
}

/** The configuration file the worker is started with: one connection `bench` on the sandboxes. */
export function writeWorkerConfig(dir: string, sb: Sandboxes, knobs: WorkerKnobs): { file: string; connection: ConnectionConfig } {
  const raw = {
    connections: [
      {
        id: CONNECTION_ID,
        timeZone: 'America/Chicago',
        sage: {
          endpoint: sb.info.sage.endpoint,
          senderId: sb.info.sage.senderId,
          senderPassword: { env: 'BENCH_SAGE_SENDER_PASSWORD' },
          userId: sb.info.sage.userId,
          companyId: sb.info.sage.companyId,
          userPassword: { env: 'BENCH_SAGE_USER_PASSWORD' },
          userTimeZoneOffset: sb.info.sage.userTimeZoneOffset,
          concurrency: knobs.sageConcurrency,
          pageSize: 2000,
        },
        assignar: {
          apiBase: sb.info.assignar.apiBase,
          tokenUrl: sb.info.assignar.tokenUrl,
          clientId: sb.info.assignar.clientId,
          clientSecret: { env: 'BENCH_ASSIGNAR_CLIENT_SECRET' },
          requestsPerSecond: knobs.assignarRequestsPerSecond,
          concurrency: knobs.assignarConcurrency,
        },
        ...(knobs.timesheets ? { timesheets: knobs.timesheets } : {}),
        ...(knobs.entities ? { entities: knobs.entities } : {}),
      },
    ],
    ledger: { sqlitePath: path.join(dir, 'ledger.sqlite') },
  };
  const file = path.join(dir, 'bench-config.yaml');
  fs.writeFileSync(file, YAML.stringify(raw));
  const connection = getConnection(parseConfig(raw, file), CONNECTION_ID);
  return { file, connection };
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS' | 'Threads'): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readProc(pid, 'status') ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The worker's peak resident set so far (VmHWM), MB. */
export function peakRssMb(pid: number): number | undefined {
  const kb = statusKb(pid, 'VmHWM');
  return kb === undefined ? undefined : kb / 1024;
}

/** Child processes of `pid` (from /proc/<pid>/task/<tid>/children). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const text = readProc(pid, `task/${tid}/children`) ?? '';
      out.push(...text.split(/\s+/).filter(Boolean).map(Number));
    }
  } catch {
    /* gone */
  }
  return out;
}

export interface StartWorkerOptions {
  /** Set in the worker's environment after the rig's own (undefined removes a variable), e.g. DATABASE_URL. */
  env?: Record<string, string | undefined>;
  /** Its log file in `dir` (default worker.log): several workers need one each. */
  logName?: string;
}

/**
 * `node bin/intacct-assignar.js --config FILE worker` with TEMPORAL_ADDRESS; resolves once it says it is ready.
 * Its ledger is the configured SQLite file (DATABASE_URL removed) unless `options.env` sets DATABASE_URL.
 */
export async function startWorker(dir: string, temporal: TemporalServer, sb: Sandboxes, configFile: string, connection: ConnectionConfig, options: StartWorkerOptions = {}): Promise<WorkerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    BENCH_SAGE_SENDER_PASSWORD: sb.info.sage.senderPassword,
    BENCH_SAGE_USER_PASSWORD: sb.info.sage.userPassword,
    BENCH_ASSIGNAR_CLIENT_SECRET: sb.info.assignar.clientSecret,
  };
  delete env.DATABASE_URL;
  delete env.INTACCT_ASSIGNAR_CONFIG;
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  // Diagnostics only (e.g. a --require'd memory logger): the figures the benches print are taken without it.
  if (process.env.BENCH_WORKER_NODE_OPTIONS) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} ${process.env.BENCH_WORKER_NODE_OPTIONS}`.trim();
  const bin = path.join(ROOT, 'bin', 'intacct-assignar.js');
  const t0 = Date.now();
  // Diagnostics only, flags NODE_OPTIONS refuses (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, bin, '--config', configFile, 'worker'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  managed.push({ name: 'worker', child });
  const log = fs.createWriteStream(path.join(dir, options.logName ?? 'worker.log'));
  child.stdout!.pipe(log, { end: false });
  const tail: string[] = [];
  const lines = createInterface({ input: child.stderr! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the worker was not ready within 180 s:\n${tail.join('\n')}`)), 180_000);
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (line.startsWith('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited (code ${code}, signal ${signal}) before it was ready:\n${tail.join('\n')}`));
    });
  });
  // Should the worker die later, say so (its log is in the temp dir).
  child.once('exit', (code, signal) => {
    if (!cleaning && !retired.has(child)) console.error(`worker pid ${child.pid} exited unexpectedly (code ${code}, signal ${signal}); last lines:\n${tail.join('\n')}`);
  });
  const pid = child.pid!;
  const cmdline = (readProc(pid, 'cmdline') ?? '').split('\0').filter(Boolean).join(' ');
  const startupPeakMb = (statusKb(pid, 'VmHWM') ?? NaN) / 1024;
  const readyRssMb = (statusKb(pid, 'VmRSS') ?? NaN) / 1024;
  // From here VmHWM is the peak of the measured work only ("5" resets the peak RSS, Linux ≥ 4.0).
  let hwmReset = false;
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    hwmReset = true;
  } catch {
    /* not permitted: VmHWM stays the lifetime peak */
  }
  let sampled = 0;
  const sampler = setInterval(() => {
    const kb = statusKb(pid, 'VmRSS');
    if (kb !== undefined) sampled = Math.max(sampled, kb / 1024);
  }, 500);
  sampler.unref();
  child.once('exit', () => clearInterval(sampler));
  const runPeakMb = () => (hwmReset ? peakRssMb(pid) : undefined);
  return {
    pid, child, cmdline, configFile, connection, readyAfterS: elapsed(t0), startupPeakMb, readyRssMb,
    sampledPeakMb: () => sampled,
    runPeakMb,
    lifetimePeakMb: () => Math.max(startupPeakMb, runPeakMb() ?? peakRssMb(pid) ?? NaN, sampled),
  };
}

/** One line that shows the sampled pid is the worker itself, not a wrapper. */
export function describeWorkerPid(w: WorkerProcess): string {
  const exe = (() => {
    try {
      return fs.readlinkSync(`/proc/${w.pid}/exe`);
    } catch {
      return '?';
    }
  })();
  const kids = childPids(w.pid).map((k) => {
    const cmd = (readProc(k, 'cmdline') ?? '').split('\0').filter(Boolean).map((a) => path.basename(a)).join(' ');
    return `${k} "${cmd}" RSS ${fmt((statusKb(k, 'VmRSS') ?? NaN) / 1024, 0)} MB`;
  });
  return (
    `worker pid ${w.pid}: ${exe} "${w.cmdline.replace(ROOT + path.sep, '')}" — the worker itself (bin/ registers tsx in-process, no wrapper); ` +
    `threads ${statusKb(w.pid, 'Threads') ?? '?'}; child processes: ${kids.length ? kids.join(', ') : 'none'}`
  );
}

// ───────────────────────────────────────────────────────────────────────────────────────── workflows

export interface RunResult {
  workflowId: string;
  firstRunId: string;
  summary: RunSummary;
  wallS: number;
}

export async function runWorkflow(client: Client, type: 'initialImport' | 'incrementalSync' | 'timesheetExport', input: Record<string, unknown> = {}, onTick?: (handle: WorkflowHandle, s: number) => Promise<void>): Promise<RunResult> {
  const workflowId = `${type}/${CONNECTION_ID}/bench-${Date.now().toString(36)}`;
  const t0 = Date.now();
  const handle = await client.workflow.start(type, { taskQueue: TASK_QUEUE, workflowId, args: [{ connection: CONNECTION_ID, ...input }] });
  let ticker: NodeJS.Timeout | undefined;
  if (onTick) {
    let busy = false;
    ticker = setInterval(() => {
      if (busy) return;
      busy = true;
      const h = client.workflow.getHandle(workflowId);
      void onTick(h, elapsed(t0)).catch(() => undefined).finally(() => { busy = false; });
    }, 15_000);
  }
  try {
    // Waiting on the result is a long poll of the history: a poll the dev server drops (a transient gRPC
    // failure under load) is polled again, up to a few times; the wall time still runs from the start.
    for (let attempt = 1; ; attempt++) {
      try {
        const summary = (await handle.result()) as RunSummary;
        return { workflowId, firstRunId: handle.firstExecutionRunId, summary, wallS: elapsed(t0) };
      } catch (err) {
        if (!(err instanceof ServiceError) || attempt >= 5) throw err;
        const cause = err.cause instanceof Error ? err.cause.message : String(err.cause ?? '');
        console.error(`(waiting for ${workflowId}: ${err.message}${cause ? ` — ${cause}` : ''}; polling again, attempt ${attempt + 1})`);
        await sleep(1000);
      }
    }
  } finally {
    if (ticker) clearInterval(ticker);
  }
}

export interface ActivityTiming {
  run: number;
  type: string;
  /** kind, or the Sage object for a changes page, or the stream of an export's collect page. */
  subject: string;
  scheduledMs: number;
  startedMs?: number;
  closedMs?: number;
  attempt: number;
  outcome: 'completed' | 'failed' | 'timedOut' | 'open';
  result?: { counts?: Record<string, Record<string, number>> };
}

export interface RunHistory {
  runId: string;
  historyLength: number;
  status: string;
  events: number;
  startMs: number;
  closeMs: number;
}

function tsMs(ts: unknown): number {
  if (!ts || typeof ts !== 'object') return NaN;
  const { seconds, nanos } = ts as { seconds?: unknown; nanos?: number };
  const s = seconds && typeof seconds === 'object' && 'toNumber' in seconds ? (seconds as { toNumber(): number }).toNumber() : Number(seconds ?? 0);
  return s * 1000 + (nanos ?? 0) / 1e6;
}

function decode(payloads: unknown): unknown {
  const list = (payloads as { payloads?: unknown[] } | undefined)?.payloads;
  if (!list?.length) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(list[0] as never);
  } catch {
    return undefined;
  }
}

/**
 * Every run of a workflow id (the continue-as-new chain), from `client.workflow.list()` (waiting for
 * visibility to catch up with the chain walked through the histories), each run's history length from
 * `describe()`, and every activity's timing taken from the histories.
 */
export async function workflowRuns(client: Client, workflowId: string, firstRunId: string): Promise<{ runs: RunHistory[]; listed: number; activities: ActivityTiming[] }> {
  const runs: RunHistory[] = [];
  const activities: ActivityTiming[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const handle = client.workflow.getHandle(workflowId, runId);
    const [desc, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
    const events = history.events ?? [];
    const byScheduled = new Map<string, ActivityTiming>();
    let next: string | undefined;
    for (const e of events) {
      const at = tsMs(e.eventTime);
      const id = String(e.eventId);
      if (e.activityTaskScheduledEventAttributes) {
        const a = e.activityTaskScheduledEventAttributes;
        const input = decode(a.input) as { kind?: string; object?: string; stream?: string } | undefined;
        const t: ActivityTiming = { run: runs.length, type: a.activityType?.name ?? '?', subject: input?.kind ?? input?.object ?? input?.stream ?? '', scheduledMs: at, attempt: 1, outcome: 'open' };
        byScheduled.set(id, t);
        activities.push(t);
      } else if (e.activityTaskStartedEventAttributes) {
        const t = byScheduled.get(String(e.activityTaskStartedEventAttributes.scheduledEventId));
        if (t) {
          t.startedMs = at;
          t.attempt = e.activityTaskStartedEventAttributes.attempt ?? 1;
        }
      } else if (e.activityTaskCompletedEventAttributes) {
        const t = byScheduled.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId));
        if (t) Object.assign(t, { closedMs: at, outcome: 'completed', result: decode(e.activityTaskCompletedEventAttributes.result) });
      } else if (e.activityTaskFailedEventAttributes) {
        const t = byScheduled.get(String(e.activityTaskFailedEventAttributes.scheduledEventId));
        if (t) Object.assign(t, { closedMs: at, outcome: 'failed' });
      } else if (e.activityTaskTimedOutEventAttributes) {
        const t = byScheduled.get(String(e.activityTaskTimedOutEventAttributes.scheduledEventId));
        if (t) Object.assign(t, { closedMs: at, outcome: 'timedOut' });
      } else if (e.workflowExecutionContinuedAsNewEventAttributes) {
        next = e.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId ?? undefined;
      }
    }
    runs.push({
      runId,
      historyLength: desc.historyLength,
      status: desc.status.name,
      events: events.length,
      startMs: tsMs(events[0]?.eventTime),
      closeMs: tsMs(events[events.length - 1]?.eventTime),
    });
    runId = next;
  }
  // The same runs as visibility lists them (eventually consistent: wait a little for the last ones).
  let listed = 0;
  for (let i = 0; i < 40; i++) {
    listed = 0;
    for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) listed++;
    if (listed >= runs.length) break;
    await sleep(250);
  }
  return { runs, listed, activities };
}

/** Per activity type and subject: how many, their summed time (scheduled → closed), records created/updated. */
export function activityBreakdown(activities: readonly ActivityTiming[], firstMs: number, lastMs: number): string[] {
  const groups = new Map<string, { n: number; s: number; queued: number; created: number; updated: number; seen: number; failed: number; retried: number }>();
  let busy = 0;
  for (const a of activities) {
    const key = `${a.type}${a.subject ? ` ${a.subject}` : ''}`;
    const g = groups.get(key) ?? { n: 0, s: 0, queued: 0, created: 0, updated: 0, seen: 0, failed: 0, retried: 0 };
    const dur = ((a.closedMs ?? a.scheduledMs) - a.scheduledMs) / 1000;
    g.n++;
    g.s += dur;
    busy += dur;
    if (a.startedMs !== undefined) g.queued += (a.startedMs - a.scheduledMs) / 1000;
    if (a.attempt > 1) g.retried++;
    for (const c of Object.values(a.result?.counts ?? {})) {
      g.created += c.created ?? 0;
      g.updated += (c.updated ?? 0) + (c.adopted ?? 0) + (c.deactivated ?? 0);
      g.seen += c.seen ?? 0;
      g.failed += c.failed ?? 0;
    }
    groups.set(key, g);
  }
  const span = (lastMs - firstMs) / 1000;
  const lines = [...groups.entries()].map(
    ([key, g]) =>
      `  ${key.padEnd(34)} ${String(g.n).padStart(3)}×  ${fmt(g.s, 1).padStart(7)} s  seen ${String(g.seen).padStart(6)}  created ${String(g.created).padStart(6)}  written other ${String(g.updated).padStart(5)}  failed ${String(g.failed).padStart(4)}` +
      `${g.created ? `  → ${fmt(g.created / g.s, 1)} creates/s` : ''}${g.retried ? `  (${g.retried} retried)` : ''}`,
  );
  lines.push(`  activities busy ${fmt(busy, 1)} s of ${fmt(span, 1)} s between first schedule and last close; between activities (workflow tasks, continue-as-new) ${fmt(span - busy, 1)} s`);
  return lines;
}

// ─────────────────────────────────────────────────────────────────────────────────────── scope, checks

export const ENTITY_TYPES = IMPORT_ORDER.length;

/** Sage records of each kind's object that are in the kind's scope (the connection's filters), by kind. */
export async function inScopeRecords(sb: Sandboxes, connection: ConnectionConfig): Promise<Map<EntityKind, Array<Record<string, string>>>> {
  const byObject = new Map<string, Array<Record<string, string>>>();
  const out = new Map<EntityKind, Array<Record<string, string>>>();
  for (const kind of IMPORT_ORDER) {
    const object = descriptorFor(kind).sageObject;
    if (!byObject.has(object)) byObject.set(object, await sage.records(sb, object));
    out.set(kind, byObject.get(object)!.filter((r) => inScope(kind, r, connection)));
  }
  return out;
}

export async function sageObjectCounts(sb: Sandboxes): Promise<number> {
  const objects = [...new Set(IMPORT_ORDER.map((k) => descriptorFor(k).sageObject))];
  let n = 0;
  for (const o of objects) n += (await sage.records(sb, o)).length;
  return n;
}

export interface KindCheck {
  kind: EntityKind;
  inScope: number;
  exactlyOne: number;
  missing: number;
  duplicated: number;
  failedOutcomes: number;
  ok: boolean;
}

/**
 * Every in-scope Sage record has exactly one Assignar record (counted by integration_id = RECORDNO in the
 * sandbox's own table, via the control API). In-scope records the mapping refuses (no name, a duplicate
 * email, a work order whose project is out of scope…) end as `failed` outcomes instead: a kind checks out
 * when nothing is duplicated and the missing ones are exactly as many as its failed outcomes.
 */
export async function checkOnePerRecord(sb: Sandboxes, scope: Map<EntityKind, Array<Record<string, string>>>, failed: Partial<Record<EntityKind, number>>): Promise<KindCheck[]> {
  const checks: KindCheck[] = [];
  for (const kind of IMPORT_ORDER) {
    const records = scope.get(kind) ?? [];
    const wanted = new Set(records.map((r) => r.RECORDNO));
    const rows = await assignar.records(sb, descriptorFor(kind).assignarType);
    const n = new Map<string, number>();
    for (const row of rows) {
      const key = row.integration_id == null ? '' : String(row.integration_id);
      if (wanted.has(key)) n.set(key, (n.get(key) ?? 0) + 1);
    }
    const exactlyOne = [...n.values()].filter((c) => c === 1).length;
    const duplicated = [...n.values()].filter((c) => c > 1).length;
    const missing = wanted.size - n.size;
    const f = failed[kind] ?? 0;
    checks.push({ kind, inScope: wanted.size, exactlyOne, missing, duplicated, failedOutcomes: f, ok: duplicated === 0 && missing === f });
  }
  return checks;
}

export function printChecks(checks: readonly KindCheck[]): void {
  for (const c of checks) {
    console.log(
      `  ${c.kind.padEnd(10)} in scope ${String(c.inScope).padStart(6)}  exactly one ${String(c.exactlyOne).padStart(6)}  missing ${String(c.missing).padStart(4)} (failed outcomes ${String(c.failedOutcomes).padStart(4)})  duplicated ${c.duplicated}  ${c.ok ? 'ok' : 'MISMATCH'}`,
    );
  }
}

export function sumCounts(summary: RunSummary, field: 'created' | 'updated' | 'unchanged' | 'deactivated' | 'adopted' | 'drifted' | 'failed' | 'seen' | 'held'): number {
  return Object.values(summary.counts).reduce((n, c) => n + ((c as Record<string, number> | undefined)?.[field] ?? 0), 0);
}

export function countsLine(summary: RunSummary): string[] {
  return IMPORT_ORDER.filter((k) => summary.counts[k]).map((k) => {
    const c = summary.counts[k] as Record<string, number>;
    const parts = Object.entries(c).filter(([, v]) => v).map(([f, v]) => `${f} ${v}`);
    return `  ${k.padEnd(10)} ${parts.join(', ')}`;
  });
}
