/**
 * The Temporal connection a cluster or Temporal Cloud needs, end to end: a TLS front (test/helpers/
 * grpc-tls-proxy.ts) before a real dev server, requiring a client certificate or an API key, and the service's
 * own worker and client (configured only through TEMPORAL_* variables) running a workflow through it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { loadConfig, type AppConfig } from '../../src/config';
import type { PreflightReport } from '../../src/contracts/preflight';
import { openLedger, type Ledger } from '../../src/ledger';
import { ConnectionClients } from '../../src/runtime/connection-clients';
import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';
import { createTemporalClient } from '../../src/temporal/client';
import { connectWorker, describeTarget, temporalTarget, type TemporalTarget } from '../../src/temporal/connection';
import { ServiceWorkers } from '../../src/temporal/worker';
import { makeTestPki, startGrpcTlsProxy, type GrpcTlsProxy, type TestPki } from '../helpers/grpc-tls-proxy';
import { startTemporal } from '../helpers/temporal-env';

let env: TestWorkflowEnvironment;
let sage: SageSandbox;
let assignar: AssignarSandbox;
let ledger: Ledger;
let config: AppConfig;
let dir: string;
let pki: TestPki;
const proxies: GrpcTlsProxy[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-tls-'));
  pki = makeTestPki(dir);
  [env, sage, assignar] = await Promise.all([startTemporal(), startSageSandbox({ port: 0, seed: 'demo' }), startAssignarSandbox({ port: 0, seed: 'demo' })]);
  ledger = await openLedger({ sqlitePath: path.join(dir, 'ledger.sqlite') });
  config = loadConfig(undefined, {});
  const demo = config.connections[0];
  demo.sage.endpoint = sage.endpointUrl;
  demo.sage.userTimeZoneOffset = sage.userTimeZoneOffset;
  demo.assignar.apiBase = assignar.apiBase;
  demo.assignar.tokenUrl = assignar.tokenUrl;
});

afterAll(async () => {
  for (const p of proxies) await p.close();
  await ledger?.close();
  await Promise.all([sage?.close(), assignar?.close()]);
  await env?.teardown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function proxy(opts: { requireClientCert: boolean; apiKey?: string }): Promise<GrpcTlsProxy> {
  const p = await startGrpcTlsProxy(pki, env.address, opts);
  proxies.push(p);
  return p;
}

let runs = 0;
/** The production worker composition and client on `target`, running the preflight workflow. */
async function preflightThrough(target: TemporalTarget): Promise<PreflightReport> {
  const taskQueue = `tls-${++runs}`;
  const client = await createTemporalClient(target);
  const connection = await connectWorker(target);
  try {
    const worker = await ServiceWorkers.create({
      connection,
      namespace: target.namespace,
      taskQueue,
      activities: createActivities({ config, clients: new ConnectionClients(config, {}), ledger }),
      connections: ['demo'],
      leases: ledger,
    });
    return await worker.runUntil(client.workflow.execute('preflight', { taskQueue, workflowId: `preflight/demo/tls-${runs}`, args: [{ connection: 'demo' }] }) as Promise<PreflightReport>);
  } finally {
    await connection.close();
    await client.connection.close();
  }
}

test('mutual TLS: a worker and client with the client certificate from TEMPORAL_TLS_CLIENT_CERT_PATH / _KEY_PATH run a workflow', async () => {
  const front = await proxy({ requireClientCert: true });
  const target = temporalTarget({
    TEMPORAL_ADDRESS: front.address,
    TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKey,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCert,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
  });
  expect(describeTarget(target)).toBe(`${front.address} namespace default (mutual TLS)`);
  const report = await preflightThrough(target);
  expect(report.connection).toBe('demo');
  expect(report.sage.checks.length).toBeGreaterThan(0);
  expect(front.stats.forwarded).toBeGreaterThan(0);
  expect(front.stats.clientCertificates).toContain('client');
});

test('mutual TLS: without a client certificate, or with one from another CA, the connection is refused', async () => {
  const front = await proxy({ requireClientCert: true });
  const base = { TEMPORAL_ADDRESS: front.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCert, TEMPORAL_TLS_SERVER_NAME: 'localhost' };
  await expect(connectWorker(temporalTarget(base))).rejects.toThrow();
  await expect(connectWorker(temporalTarget({ ...base, TEMPORAL_TLS_CLIENT_CERT_PATH: pki.strangerCert, TEMPORAL_TLS_CLIENT_KEY_PATH: pki.strangerKey }))).rejects.toThrow();
  expect(front.stats.forwarded).toBe(0);
});

test('an API key from TEMPORAL_API_KEY (Temporal Cloud) goes with every call, over TLS; a wrong key is refused', async () => {
  const front = await proxy({ requireClientCert: false, apiKey: 'tc-key-1' });
  const tls = { TEMPORAL_ADDRESS: front.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCert, TEMPORAL_TLS_SERVER_NAME: 'localhost' };
  const target = temporalTarget({ ...tls, TEMPORAL_API_KEY: 'tc-key-1' });
  expect(describeTarget(target)).toBe(`${front.address} namespace default (TLS + API key)`);
  expect(describeTarget(target)).not.toContain('tc-key-1');
  const report = await preflightThrough(target);
  expect(report.connection).toBe('demo');
  expect(front.stats.forwarded).toBeGreaterThan(0);
  expect(front.stats.refused).toBe(0);

  await expect(connectWorker(temporalTarget({ ...tls, TEMPORAL_API_KEY: 'wrong' }))).rejects.toThrow(/API key|Unauthenticated|UNAUTHENTICATED/i);
  expect(front.stats.refused).toBeGreaterThan(0);
});

test('bad TEMPORAL_* values are configuration errors that name the variable', () => {
  expect(() => temporalTarget({ TEMPORAL_ADDRESS: 'no-port' })).toThrow(/TEMPORAL_ADDRESS/);
  expect(() => temporalTarget({ TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert })).toThrow(/TEMPORAL_TLS_CLIENT_KEY_PATH/);
  expect(() => temporalTarget({ TEMPORAL_TLS: 'yes' })).toThrow(/TEMPORAL_TLS/);
  expect(temporalTarget({})).toEqual({ address: 'localhost:7233', namespace: 'default' });
  expect(temporalTarget({ TEMPORAL_NAMESPACE: 'acme.a1b2c', TEMPORAL_API_KEY: 'k' }).tls).toEqual({});
  const missing = temporalTarget({ TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'nope.crt'), TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKey });
  return expect(connectWorker(missing)).rejects.toThrow(/TEMPORAL_TLS_CLIENT_CERT_PATH=.*nope\.crt cannot be read: ENOENT/);
});
