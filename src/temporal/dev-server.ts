import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from './search-attributes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureTemporalCli } = require('../../scripts/ensure-temporal-cli') as { ensureTemporalCli: () => Promise<string> };

export interface DevServer {
  address: string;
  uiUrl: string;
  /** True when a server was already answering and was reused. */
  reused: boolean;
  stop(): Promise<void>;
}

async function reachable(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.workflowService.getSystemInfo({});
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Reuses the Temporal server at `address`, or starts the CLI's dev server there with a persistent SQLite
 * file (so workflows, schedules and history survive restarts) and the Web UI.
 */
export async function startOrReuseDevServer(opts: { host?: string; port?: number; uiPort?: number; dbFile: string; log?: (m: string) => void }): Promise<DevServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 7233;
  const uiPort = opts.uiPort ?? 8233;
  const address = `${host}:${port}`;
  const uiUrl = `http://localhost:${uiPort}`;
  if (await reachable(address)) return { address, uiUrl, reused: true, stop: async () => undefined };

  const cli = await ensureTemporalCli();
  fs.mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
  opts.log?.(`starting the Temporal dev server on ${address} (data: ${opts.dbFile}, Web UI: ${uiUrl})`);
  const child: ChildProcess = spawn(
    cli,
    ['server', 'start-dev', '--ip', host, '--port', String(port), '--ui-port', String(uiPort), '--db-filename', opts.dbFile, '--log-level', 'error', ...devServerSearchAttributeArgs()],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let exited = false;
  child.once('exit', () => { exited = true; });
  const deadline = Date.now() + 60_000;
  while (!(await reachable(address))) {
    if (exited) throw new Error(`the Temporal dev server exited during startup (is port ${port} or ${uiPort} in use?)`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the Temporal dev server did not answer on ${address} within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    address,
    uiUrl,
    reused: false,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 10_000).unref();
      }),
  };
}
