/**
 * A configuration with several connections: each has its own API task queue, limits, ledger rows and writer
 * lock, so one tenant that is down or refuses the service never stalls another. One worker serves both.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../../activities';
import { parseConfig, type AppConfig } from '../../../src/config';
import type { RunSummary } from '../../../src/contracts/sync';
import type { Ledger } from '../../../src/ledger';
import { ConnectionClients } from '../../../src/runtime/connection-clients';
import { startAssignarSandbox, type AssignarSandbox } from '../../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../../src/sandbox/sage';
import { ServiceWorkers } from '../../../src/temporal/worker';
import { byIntegrationId, expectedInScope } from '../../helpers/expectations';
import { startTemporal } from '../../helpers/temporal-env';
import { testLedgerTarget, type TestLedgerTarget } from '../../helpers/test-ledger';
import { waitFor } from '../../helpers/wait-for';

let env: TestWorkflowEnvironment;
let dir: string;
let target: TestLedgerTarget;
let ledger: Ledger;
let worker: ServiceWorkers;
let running: Promise<void>;
let config: AppConfig;
const tenants: Record<'alpha' | 'bravo' | 'charlie', { sage: SageSandbox; assignar: AssignarSandbox }> = {} as never;
const taskQueue = `two-connections-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'two-connections-'));
  env = await startTemporal();
  for (const id of ['alpha', 'bravo', 'charlie'] as const) {
    tenants[id] = { sage: await startSageSandbox({ port: 0, seed: 'demo' }), assignar: await startAssignarSandbox({ port: 0, seed: 'demo' }) };
  }
  const secrets: Record<string, string> = {};
  const raw = {
    connections: (['alpha', 'bravo', 'charlie'] as const).map((id) => {
      const { sage, assignar } = tenants[id];
      const env = (name: string, value: string) => {
        secrets[`${id.toUpperCase()}_${name}`] = value;
        return { env: `${id.toUpperCase()}_${name}` };
      };
      return {
        id,
        sage: {
          endpoint: sage.endpointUrl,
          senderId: sage.credentials.senderId,
          senderPassword: env('SAGE_SENDER_PASSWORD', sage.credentials.senderPassword),
          userId: sage.credentials.userId,
          companyId: sage.credentials.companyId,
          // charlie's web-services password is wrong: Sage Intacct refuses every call of that connection.
          userPassword: env('SAGE_USER_PASSWORD', id === 'charlie' ? 'not-the-password' : sage.credentials.userPassword),
          userTimeZoneOffset: sage.userTimeZoneOffset,
        },
        assignar: { apiBase: assignar.apiBase, tokenUrl: assignar.tokenUrl, clientId: assignar.credentials.clientId, clientSecret: env('ASSIGNAR_CLIENT_SECRET', assignar.credentials.clientSecret), requestsPerSecond: 200 },
      };
    }),
  };
  config = parseConfig(raw, 'two-connections test');
  target = testLedgerTarget(dir);
  ledger = await target.open();
  worker = await ServiceWorkers.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({ config, clients: new ConnectionClients(config, secrets), ledger }),
    connections: config.connections.map((c) => c.id),
    leases: ledger,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await ledger?.close();
  await target?.cleanup();
  for (const t of Object.values(tenants)) await Promise.all([t.sage.close(), t.assignar.close()]);
  await env?.teardown();
  fs.rmSync(dir, { recursive: true, force: true });
});

const start = (id: string) => env.client.workflow.start('initialImport', { taskQueue, workflowId: `initialImport/${id}/${taskQueue}`, args: [{ connection: id }] });
const workersIn = (id: 'alpha' | 'bravo' | 'charlie') => byIntegrationId(tenants[id].assignar, 'users').size;

test('a tenant that hangs and one that refuses the credentials never stall a healthy one; each has its own ledger rows and writer lock', async () => {
  // bravo's Sage Intacct answers nothing for 20 s per request.
  tenants.bravo.sage.faults({ latencyMs: 20_000 });
  const [alpha, bravo, charlie] = await Promise.all([start('alpha'), start('bravo'), start('charlie')]);
  expect(worker.queues.status()).toEqual({ alpha: 'serving', bravo: 'serving', charlie: 'serving' });

  const summary = (await alpha.result()) as RunSummary;
  // Every in-scope employee is in Assignar, but those the demo seed makes fail on purpose (with reasons).
  expect(workersIn('alpha')).toBeGreaterThan(0);
  expect(workersIn('alpha') + (summary.counts.worker?.failed ?? 0)).toBe(expectedInScope(tenants.alpha.sage).worker.length);

  // charlie failed on its own, and says so in the ledger with what to do.
  await expect(charlie.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  const charlieRun = await waitFor('charlie\'s run to be recorded as failed', async () => {
    const run = (await ledger.listRuns({ connection: 'charlie' }))[0];
    return run?.status === 'failed' ? run : undefined;
  });
  expect(charlieRun.error).toMatch(/password|credential|authenticat|sign/i);
  expect(workersIn('charlie')).toBe(0);

  // bravo is still waiting on its tenant, holding only its own writer lock.
  const bravoState = await bravo.describe();
  expect(bravoState.status.name).toBe('RUNNING');
  expect(await ledger.getWriterLease('bravo')).toMatchObject({ connection: 'bravo' });
  expect(await ledger.getWriterLease('alpha')).toBeUndefined();
  expect(workersIn('bravo')).toBe(0);

  // Its tenant recovers: bravo finishes too.
  tenants.bravo.sage.faults({ latencyMs: 0 });
  await bravo.cancel();
  await expect(bravo.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  const again = await start('bravo');
  const bravoSummary = (await again.result()) as RunSummary;
  expect(workersIn('bravo') + (bravoSummary.counts.worker?.failed ?? 0)).toBe(expectedInScope(tenants.bravo.sage).worker.length);
}, 300_000);
