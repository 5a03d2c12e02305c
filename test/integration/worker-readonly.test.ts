/**
 * The Docker image's worker starts, without a Docker engine: the application tree is laid out as the image
 * has it (the build context after .dockerignore, the workflow bundle built by the Dockerfile's RUN step into
 * dist/), made read-only, and `node bin/intacct-assignar.js worker` (the image's CMD) runs in it as a
 * non-root user with only .data writable, against a Temporal dev server and the sandboxes. It must serve a
 * preflight, and it must not have bundled (or written) anything at run time: the test fails if the worker
 * ignored the prebuilt bundle, whether it then failed to write under the read-only tree or bundled into its
 * temporary directory.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { embeddedDefaultConfig } from '../../src/config/embedded-default';
import type { PreflightReport } from '../../src/contracts/preflight';
import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';
import { TASK_QUEUE } from '../../src/temporal/constants';
import { WORKFLOW_BUNDLE_ENV } from '../../src/temporal/workflow-bundle';
import { freePort, startDevServerProcess, type DevServerProcess } from '../helpers/dev-server-process';

const ROOT = path.resolve(__dirname, '..', '..');
const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let base: string;
let app: string;
let bundle: string;
let tmp: string;
let configFile: string;
let server: DevServerProcess;
let sage: SageSandbox;
let assignar: AssignarSandbox;
let worker: ChildProcess | undefined;
let output = '';

/** The build context's top-level entries, after .dockerignore (its patterns here are plain names and `*` globs). */
function buildContext(): string[] {
  const patterns = fs
    .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim().replace(/\/$/, ''))
    .filter((l) => l && !l.startsWith('#'));
  const ignored = (name: string) => patterns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name));
  return fs.readdirSync(ROOT).filter((name) => !ignored(name));
}

function chmodReadOnly(p: string): void {
  const st = fs.lstatSync(p);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) for (const e of fs.readdirSync(p)) chmodReadOnly(path.join(p, e));
  fs.chmodSync(p, st.mode & ~0o222);
}

/** The image's CMD in the image's layout, as `nobody` when this runs as root (else the tree's read-only bits do it). */
function startWorker(env: Record<string, string>): ChildProcess {
  const cmd = [process.execPath, 'bin/intacct-assignar.js', 'worker'];
  const [file, ...args] = asRoot ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', ...cmd] : cmd;
  const child = spawn(file, args, {
    cwd: app,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, TMPDIR: tmp, NODE_ENV: 'production', INTACCT_ASSIGNAR_CONFIG: configFile, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function stopWorker(): Promise<void> {
  if (!worker) return;
  const w = worker;
  worker = undefined;
  if (w.exitCode === null && w.signalCode === null) {
    w.kill('SIGTERM');
    const timer = setTimeout(() => w.kill('SIGKILL'), 45_000);
    await exited(w);
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-readonly-'));
  fs.chmodSync(base, 0o755);
  app = path.join(base, 'app');
  tmp = path.join(base, 'tmp');
  fs.mkdirSync(app);
  fs.mkdirSync(tmp);

  // COPY . . (the build context) and the deps stage's node_modules (linked: it is only read).
  for (const name of buildContext()) fs.cpSync(path.join(ROOT, name), path.join(app, name), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
  expect(fs.existsSync(path.join(app, '.tools'))).toBe(false);

  // The Dockerfile's RUN step: the bundle, built from the copied sources into dist/.
  bundle = path.join(app, 'dist', 'workflow-bundle.js');
  await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), 'scripts/build-workflow-bundle.ts', bundle], {
    cwd: app,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 10 * 60_000,
  });
  expect(fs.statSync(bundle).size).toBeGreaterThan(10_000);

  // Root-owned and read-only, except .data (`mkdir -p /app/.data && chown node:node /app/.data`).
  chmodReadOnly(app);
  fs.mkdirSync(path.join(app, '.data'));
  if (asRoot) {
    fs.chownSync(path.join(app, '.data'), NOBODY.uid, NOBODY.gid);
    fs.chownSync(tmp, NOBODY.uid, NOBODY.gid);
  }

  const [port] = await Promise.all([freePort()]);
  [server, sage, assignar] = await Promise.all([
    startDevServerProcess({ dbFile: path.join(base, 'temporal.sqlite'), port }),
    startSageSandbox({ port: 0, seed: 'demo' }),
    startAssignarSandbox({ port: 0, seed: 'demo' }),
  ]);

  // The demo connection on the sandboxes' ports, mounted like /config (read-only, outside the app tree).
  const config = embeddedDefaultConfig() as { connections: Array<{ sage: Record<string, unknown>; assignar: Record<string, unknown> }> };
  Object.assign(config.connections[0].sage, { endpoint: sage.endpointUrl, userTimeZoneOffset: sage.userTimeZoneOffset });
  Object.assign(config.connections[0].assignar, { apiBase: assignar.apiBase, tokenUrl: assignar.tokenUrl });
  configFile = path.join(base, 'intacct-assignar.json');
  fs.writeFileSync(configFile, JSON.stringify(config), { mode: 0o444 });
}, 15 * 60_000);

afterAll(async () => {
  await stopWorker();
  await Promise.all([server?.stop(), sage?.close(), assignar?.close()]);
  if (base) {
    spawnSync('chmod', ['-R', 'u+w', base]);
    fs.rmSync(base, { recursive: true, force: true });
  }
}, 120_000);

afterEach(async () => {
  await stopWorker();
});

test(`the image's worker starts from the prebuilt bundle in a read-only tree as a non-root user and runs a preflight`, async () => {
  // The application tree really is read-only to the worker's user.
  const probe = spawnSync(asRoot ? 'setpriv' : 'sh', asRoot ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'sh', '-c', `mkdir ${app}/.tools`] : ['-c', `mkdir ${app}/.tools`]);
  expect(probe.status).not.toBe(0);

  worker = startWorker({ TEMPORAL_ADDRESS: server.address, [WORKFLOW_BUNDLE_ENV]: bundle });
  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection, namespace: 'default' });
    const run = client.workflow.execute('preflight', {
      taskQueue: TASK_QUEUE,
      workflowId: `preflight/demo/readonly-${Date.now()}`,
      args: [{ connection: 'demo' }],
      workflowExecutionTimeout: '5 minutes',
    });
    const died = exited(worker).then((code) => {
      throw new Error(`the worker exited (${code}) before the preflight finished:\n${output}`);
    });
    const report = (await Promise.race([run, died])) as PreflightReport;
    expect(report.connection).toBe('demo');
    expect(report.sage.checks).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'sage.auth', status: 'ok' })]));
    expect(report.assignar.checks).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'assignar.auth', status: 'ok' })]));
  } finally {
    await connection.close();
  }

  // Nothing was bundled at run time: no cache under the tree, none in the worker's temporary directory.
  expect(fs.existsSync(path.join(app, '.tools'))).toBe(false);
  expect(fs.readdirSync(tmp).filter((name) => name.startsWith('intacct-assignar-workflow-bundle'))).toEqual([]);
  // The one place it may write, it did: the SQLite ledger (no DATABASE_URL here).
  expect(fs.existsSync(path.join(app, '.data', 'ledger.sqlite'))).toBe(true);
  if (asRoot) expect(fs.statSync(path.join(app, '.data', 'ledger.sqlite')).uid).toBe(NOBODY.uid);
}, 10 * 60_000);

test(`a bundle path that cannot be read stops the worker with a message naming ${WORKFLOW_BUNDLE_ENV}`, async () => {
  worker = startWorker({ TEMPORAL_ADDRESS: server.address, [WORKFLOW_BUNDLE_ENV]: path.join(app, 'dist', 'missing.js') });
  const code = await exited(worker);
  expect(code).not.toBe(0);
  expect(output).toContain(`${WORKFLOW_BUNDLE_ENV} names ${path.join(app, 'dist', 'missing.js')}, which cannot be read`);
  expect(fs.existsSync(path.join(app, '.tools'))).toBe(false);
}, 5 * 60_000);
