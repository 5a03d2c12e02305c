import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from '../../src/temporal/search-attributes';
import { SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureTemporalCli } = require('../../scripts/ensure-temporal-cli') as { ensureTemporalCli: () => Promise<string> };

/** A TCP port nobody listens on right now (the kernel picks it; closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface DevServerProcessOptions {
  /** The SQLite file that keeps the server's state across restarts. */
  dbFile: string;
  /** Namespaces created at launch (besides `default`); the service's search attributes are registered on each. */
  namespaces?: string[];
  /** gRPC port; default a free one, kept across restarts. */
  port?: number;
  /** Seconds a start may take before it counts as failed; default 90 (a cold, busy machine). */
  startTimeoutSeconds?: number;
}

export interface DevServerProcess {
  /** `127.0.0.1:<port>`, the same after every restart. */
  readonly address: string;
  readonly dbFile: string;
  readonly namespaces: readonly string[];
  /** True while the server process is alive. */
  readonly running: boolean;
  /** The running process's pid (undefined when stopped). */
  readonly pid: number | undefined;
  /** How many times the process has been started. */
  readonly starts: number;
  /** Starts the server again on the same ports and file (after stop()). */
  start(): Promise<void>;
  /**
   * Stops the server: SIGTERM, then SIGKILL if it has not exited after `graceMs` (default 15 s). Answers the
   * signal that ended it; waits until nothing answers on the address any more.
   */
  stop(opts?: { graceMs?: number }): Promise<'SIGTERM' | 'SIGKILL' | 'already stopped'>;
  /** The last few KB the server printed (for failure messages). */
  output(): string;
}

/** True when a Temporal frontend answers on `address` and knows every namespace with the search attributes. */
async function ready(address: string, namespaces: readonly string[]): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.workflowService.getSystemInfo({});
    for (const namespace of namespaces) {
      await connection.workflowService.describeNamespace({ namespace });
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      if (!SEARCH_ATTRIBUTES.every((k) => customAttributes && k.name in customAttributes)) return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

async function answers(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 500 });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/**
 * The Temporal CLI's dev server as a child process the test controls, with a persistent SQLite file, so a
 * test can kill it and start it again on the same port and file (what an operator's restart does). Unlike
 * TestWorkflowEnvironment.createLocal, nothing here hides the process: stop() and start() are real.
 * The service's search attributes are registered at every start (`--search-attribute`), the Web UI is off,
 * and the HTTP API and metrics ports are left to the CLI (a random free one per start).
 */
export async function startDevServerProcess(opts: DevServerProcessOptions): Promise<DevServerProcess> {
  const cli = await ensureTemporalCli();
  const port = opts.port ?? (await freePort());
  const address = `127.0.0.1:${port}`;
  const namespaces = ['default', ...(opts.namespaces ?? []).filter((n) => n !== 'default')];
  const args = [
    'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port),
    '--db-filename', opts.dbFile, '--log-level', 'warn',
    ...namespaces.filter((n) => n !== 'default').flatMap((n) => ['--namespace', n]),
    ...devServerSearchAttributeArgs(),
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let out = '';
  let starts = 0;
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-8000);
  };

  async function start(): Promise<void> {
    if (child) throw new Error('the dev server is already running');
    const proc = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    starts += 1;
    child = proc;
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    void exited.then(() => {
      if (child === proc) child = undefined;
    });
    const deadline = Date.now() + (opts.startTimeoutSeconds ?? 90) * 1000;
    while (!(await ready(address, namespaces))) {
      if (child !== proc) throw new Error(`the Temporal dev server exited during startup:\n${out}`);
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        await exited;
        throw new Error(`the Temporal dev server did not answer on ${address}:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function stop({ graceMs = 15_000 } = {}): Promise<'SIGTERM' | 'SIGKILL' | 'already stopped'> {
    const proc = child;
    if (!proc) return 'already stopped';
    proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
    clearTimeout(timer);
    if (!inTime) {
      proc.kill('SIGKILL');
      await exited;
    }
    child = undefined;
    const until = Date.now() + 30_000;
    while (await answers(address)) {
      if (Date.now() > until) throw new Error(`something still answers on ${address} after the dev server exited`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return inTime ? 'SIGTERM' : 'SIGKILL';
  }

  await start();
  return {
    address,
    dbFile: opts.dbFile,
    namespaces,
    get running() {
      return child !== undefined;
    },
    get pid() {
      return child?.pid;
    },
    get starts() {
      return starts;
    },
    start,
    stop,
    output: () => out,
  };
}
