import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import YAML from 'yaml';
import { testLedgerTarget, type TestLedgerTarget } from '../helpers/test-ledger';
import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';
import { TASK_QUEUE } from '../../src/temporal/constants';
import { byIntegrationId, expectedInScope, RESOURCE_OF } from '../helpers/expectations';
import { startTemporal } from '../helpers/temporal-env';

const ROOT = path.resolve(__dirname, '../..');
let env: TestWorkflowEnvironment;
let sage: SageSandbox;
let assignar: AssignarSandbox;
let dir: string;
let ledgerTarget: TestLedgerTarget;
const workers: ChildProcess[] = [];

function startWorker(configFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/intacct-assignar.js'), 'worker', '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', ...ledgerTarget.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  workers.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d;
      if (err.includes('worker ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${err}`)));
  });
}

const assignarTotal = () => Object.values(RESOURCE_OF).reduce((n, r) => n + assignar.records(r).filter((x) => x.integration_id).length, 0);

beforeAll(async () => {
  env = await startTemporal();
  sage = await startSageSandbox({ port: 0, seed: 'demo' });
  // Slow enough that the worker can be killed in the middle of the import.
  assignar = await startAssignarSandbox({ port: 0, seed: 'demo', latencyMs: 20, requestsPerSecond: 25 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'killed-'));
  ledgerTarget = testLedgerTarget(dir);
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await Promise.all([sage?.close(), assignar?.close()]);
  await ledgerTarget?.cleanup();
  await env?.teardown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a worker killed (SIGKILL) in the middle of an import, then restarted, ends with every record exactly once', async () => {
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, YAML.stringify({
    connections: [{
      id: 'demo',
      sandboxCredentials: true,
      sage: { endpoint: sage.endpointUrl, senderId: sage.credentials.senderId, senderPassword: { env: 'SAGE_SENDER_PASSWORD' }, userId: sage.credentials.userId, companyId: sage.credentials.companyId, userPassword: { env: 'SAGE_USER_PASSWORD' }, userTimeZoneOffset: sage.userTimeZoneOffset },
      assignar: { apiBase: assignar.apiBase, tokenUrl: assignar.tokenUrl, clientId: assignar.credentials.clientId, clientSecret: { env: 'ASSIGNAR_CLIENT_SECRET' }, requestsPerSecond: 25 },
    }],
    ledger: ledgerTarget.configLedger,
  }));

  const first = await startWorker(configFile);
  const handle = await env.client.workflow.start('initialImport', { taskQueue: TASK_QUEUE, workflowId: 'initialImport/demo', args: [{ connection: 'demo' }] });
  const deadline = Date.now() + 60_000;
  while (assignarTotal() < 60 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const atKill = assignarTotal();
  expect(atKill).toBeGreaterThanOrEqual(60);

  await startWorker(configFile);
  const summary = (await handle.result()) as { counts: Record<string, { created: number; adopted: number; failed: number }> };
  expect(assignarTotal()).toBeGreaterThan(atKill);

  const ledger = await ledgerTarget.open();
  try {
    const expected = expectedInScope(sage);
    for (const kind of Object.keys(RESOURCE_OF) as Array<keyof typeof RESOURCE_OF>) {
      const copies = byIntegrationId(assignar, RESOURCE_OF[kind]);
      const links = new Map((await ledger.listLinks('demo', kind, { limit: 10_000 })).map((l) => [l.sageKey, l.assignarId]));
      for (const record of expected[kind]) {
        const found = copies.get(record.RECORDNO) ?? [];
        expect(found.length).toBeLessThanOrEqual(1); // never duplicated
        if (found.length === 1) expect(links.get(record.RECORDNO)).toBe(String(found[0].id)); // never unlinked
      }
      // Every in-scope record ends in Assignar or in a failed outcome: nothing silently skipped.
      const c = summary.counts[kind];
      expect([...copies.keys()].filter((k) => expected[kind].some((r) => r.RECORDNO === k))).toHaveLength(links.size);
      expect(links.size + c.failed).toBe(expected[kind].length);
    }
  } finally {
    await ledger.close();
  }
});
