import fs from 'node:fs';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';
import { ConfigError } from '../errors';

/**
 * Where Temporal is and how to reach it, from the environment (the same variable names as Temporal's own
 * CLI and SDK environment configuration):
 *   TEMPORAL_ADDRESS                  host:port (default localhost:7233)
 *   TEMPORAL_NAMESPACE                default `default`
 *   TEMPORAL_TLS_CLIENT_CERT_PATH     PEM client certificate, with TEMPORAL_TLS_CLIENT_KEY_PATH: mutual TLS
 *   TEMPORAL_TLS_CLIENT_KEY_PATH      PEM private key of that certificate
 *   TEMPORAL_TLS_SERVER_CA_CERT_PATH  PEM CA to trust instead of the system roots (a private cluster)
 *   TEMPORAL_TLS_SERVER_NAME          the name the server's certificate carries, when not the address's host
 *   TEMPORAL_TLS                      `true` for TLS with neither (system roots); `false` to force plain text
 *   TEMPORAL_API_KEY                  an API key (Temporal Cloud): sent as a bearer token, over TLS
 * Key material and the API key stay in the process: never logged, never in a payload.
 */
const EnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s/]+:\d+$/, 'host:port, e.g. my-ns.a1b2c.tmprl.cloud:7233').default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
});

export interface TemporalTlsFiles {
  clientCertPath?: string;
  clientKeyPath?: string;
  serverCaCertPath?: string;
  serverName?: string;
}

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** TLS settings (file paths, not contents); absent: plain text (a dev server). */
  tls?: TemporalTlsFiles;
  apiKey?: string;
}

/** Reads and checks the Temporal variables; a bad one is a ConfigError naming it. Empty values count as unset. */
export function temporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const present = Object.fromEntries(Object.keys(EnvSchema.shape).filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`, { hint: 'Fix the variable in the worker\'s environment (see "Running in production" in the README).' });
  }
  const e = parsed.data;
  if (Boolean(e.TEMPORAL_TLS_CLIENT_CERT_PATH) !== Boolean(e.TEMPORAL_TLS_CLIENT_KEY_PATH)) {
    throw new ConfigError('TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together: mutual TLS needs both the certificate and its key', {
      hint: 'Set both, or neither (an API key needs neither).',
    });
  }
  const wantsTls = e.TEMPORAL_TLS === 'true' || Boolean(e.TEMPORAL_TLS_CLIENT_CERT_PATH || e.TEMPORAL_TLS_SERVER_CA_CERT_PATH || e.TEMPORAL_TLS_SERVER_NAME || e.TEMPORAL_API_KEY);
  if (e.TEMPORAL_TLS === 'false' && e.TEMPORAL_TLS_CLIENT_CERT_PATH) {
    throw new ConfigError('TEMPORAL_TLS=false contradicts TEMPORAL_TLS_CLIENT_CERT_PATH', { hint: 'Unset TEMPORAL_TLS to use mutual TLS.' });
  }
  const tls = wantsTls && e.TEMPORAL_TLS !== 'false'
    ? {
        clientCertPath: e.TEMPORAL_TLS_CLIENT_CERT_PATH,
        clientKeyPath: e.TEMPORAL_TLS_CLIENT_KEY_PATH,
        serverCaCertPath: e.TEMPORAL_TLS_SERVER_CA_CERT_PATH,
        serverName: e.TEMPORAL_TLS_SERVER_NAME,
      }
    : undefined;
  return { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, ...(tls ? { tls } : {}), ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}) };
}

function readPem(path: string, variable: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (err) {
    throw new ConfigError(`${variable}=${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      hint: 'Mount the file into the worker (read-only is enough) and point the variable at it.',
    });
  }
}

/** The SDK's connection options for a target: the same for the client and the worker. */
export function connectionOptions(target: TemporalTarget): Pick<ConnectionOptions, 'address' | 'tls'> & { apiKey?: string } {
  const t = target.tls;
  const tls = t && {
    ...(t.serverName ? { serverNameOverride: t.serverName } : {}),
    ...(t.serverCaCertPath ? { serverRootCACertificate: readPem(t.serverCaCertPath, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH') } : {}),
    ...(t.clientCertPath && t.clientKeyPath
      ? { clientCertPair: { crt: readPem(t.clientCertPath, 'TEMPORAL_TLS_CLIENT_CERT_PATH'), key: readPem(t.clientKeyPath, 'TEMPORAL_TLS_CLIENT_KEY_PATH') } }
      : {}),
  };
  return { address: target.address, ...(tls ? { tls } : {}), ...(target.apiKey ? { apiKey: target.apiKey } : {}) };
}

export async function connectClient(target: TemporalTarget = temporalTarget(), extra: Omit<ConnectionOptions, 'address' | 'tls' | 'apiKey'> = {}): Promise<Connection> {
  return Connection.connect({ ...connectionOptions(target), ...extra });
}

export async function connectWorker(target: TemporalTarget = temporalTarget()): Promise<NativeConnection> {
  const options: NativeConnectionOptions = connectionOptions(target);
  return NativeConnection.connect(options);
}

/** How the target is described in logs: address, namespace and the kind of security, never the secrets. */
export function describeTarget(target: TemporalTarget): string {
  const security = target.apiKey ? 'TLS + API key' : target.tls?.clientCertPath ? 'mutual TLS' : target.tls ? 'TLS' : 'plain text';
  return `${target.address} namespace ${target.namespace} (${security})`;
}
