import http from 'node:http';
import net from 'node:net';
import type { ServiceMetrics } from './metrics';

export interface MetricsServer {
  /** host:port it listens on. */
  address: string;
  close(): Promise<void>;
}

/** `host:port` → parts; a bare port listens on every interface. */
export function parseBindAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = i < 0 ? '0.0.0.0' : address.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(i < 0 ? address : address.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`METRICS_ADDRESS: "${address}" is not host:port`);
  return { host, port };
}

/** A free loopback port for the SDK's own exporter (it cannot report the port it took for :0). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function sdkMetrics(sdkAddress: string | undefined): Promise<string> {
  if (!sdkAddress) return '';
  try {
    const res = await fetch(`http://${sdkAddress}/metrics`, { signal: AbortSignal.timeout(5000) });
    return res.ok ? await res.text() : `# the Temporal SDK's exporter answered ${res.status}\n`;
  } catch (err) {
    return `# the Temporal SDK's exporter did not answer: ${err instanceof Error ? err.message : String(err)}\n`;
  }
}

/**
 * One scrape target per worker: GET /metrics answers the service's metrics (`intacct_assignar_*`) followed by
 * the Temporal SDK runtime's own (`temporal_*`, read from its exporter on a loopback port), so an operator
 * configures one port per worker. The SDK's names never collide with ours (different prefixes).
 */
export async function startMetricsServer(metrics: ServiceMetrics, bindAddress: string, sdkAddress?: string): Promise<MetricsServer> {
  const { host, port } = parseBindAddress(bindAddress);
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    Promise.all([metrics.registry.metrics(), sdkMetrics(sdkAddress)]).then(
      ([ours, sdk]) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(`${ours}\n${sdk}`),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const actual = server.address() as net.AddressInfo;
  return {
    address: `${host}:${actual.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
