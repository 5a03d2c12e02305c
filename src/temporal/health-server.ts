import http from 'node:http';
import type net from 'node:net';
import { z } from 'zod';
import { ConfigError } from '../errors';
import type { QueueLease } from '../ledger/queue-leases';
import type { ConnectionQueueState } from './connection-queues';

/** What the health endpoint asks the worker process. */
export interface HealthSource {
  /** The workflows' worker: RUNNING when healthy. */
  workerState(): string;
  /** Per connection: does this process serve its API task queue, or stand by. */
  connections(): Record<string, ConnectionQueueState>;
  /** A read from the ledger (the connection's queue lease): proves the database answers. */
  lease(connection: string): Promise<QueueLease | undefined>;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  worker: string;
  ledger: 'ok' | string;
  connections: Record<string, { state: ConnectionQueueState; servedBy?: string }>;
}

const BindSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^\s:]*):\d{1,5}$/, 'host:port, e.g. 0.0.0.0:8081')
  .transform((s) => {
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(s.slice(i + 1)) };
  })
  .refine((b) => b.port <= 65535, 'a port up to 65535');

/** HEALTH_ADDRESS (host:port) → where to listen; unset → no endpoint. */
export function healthAddress(env: NodeJS.ProcessEnv = process.env): { host: string; port: number } | undefined {
  if (!env.HEALTH_ADDRESS) return undefined;
  const parsed = BindSchema.safeParse(env.HEALTH_ADDRESS);
  if (!parsed.success) throw new ConfigError(`HEALTH_ADDRESS: ${parsed.error.issues[0].message}`, { hint: 'Set HEALTH_ADDRESS=0.0.0.0:8081, or unset it.' });
  return parsed.data;
}

const LEDGER_TIMEOUT_MS = 3000;

export async function healthReport(source: HealthSource): Promise<HealthReport> {
  const states = source.connections();
  const names = Object.keys(states);
  let ledger = 'ok';
  const leases = await Promise.race([
    Promise.all(names.map((c) => source.lease(c))),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${LEDGER_TIMEOUT_MS} ms`)), LEDGER_TIMEOUT_MS).unref()),
  ]).catch((err: unknown) => {
    ledger = `unreachable: ${(err as Error).message}`;
    return names.map(() => undefined);
  });
  const worker = source.workerState();
  return {
    status: worker === 'RUNNING' && ledger === 'ok' ? 'ok' : 'unhealthy',
    worker,
    ledger,
    connections: Object.fromEntries(names.map((c, i) => [c, { state: states[c], ...(leases[i] ? { servedBy: leases[i].holder } : {}) }])),
  };
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/**
 * GET /healthz: 200 with a JSON report while the worker runs and the ledger answers, else 503 (for a
 * container's health check or a load balancer). It shows which process serves each connection.
 */
export async function startHealthServer(source: HealthSource, bind: { host: string; port: number }): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/healthz') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /healthz\n');
      return;
    }
    healthReport(source).then(
      (report) => res.writeHead(report.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(report)}\n`),
      (err: unknown) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => resolve());
  });
  server.unref();
  const { port } = server.address() as net.AddressInfo;
  const host = bind.host === '0.0.0.0' || bind.host === '::' ? '127.0.0.1' : bind.host;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
