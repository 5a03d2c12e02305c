import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { AssignarSandbox } from '../../src/sandbox/assignar';
import { RESOURCE_OF } from '../helpers/expectations';
import { SyncHarness } from '../helpers/sync-harness';
import { startTemporal } from '../helpers/temporal-env';

let env: TestWorkflowEnvironment;
let clean: SyncHarness;
let faulty: SyncHarness;

beforeAll(async () => {
  env = await startTemporal();
  clean = await SyncHarness.start(env);
  faulty = await SyncHarness.start(env, {
    configure: (c) => {
      (c.assignar as Record<string, unknown>).requestTimeoutMs = 1500;
      (c.sage as Record<string, unknown>).requestTimeoutMs = 1500;
    },
  });
});
afterAll(async () => {
  await clean?.close();
  await faulty?.close();
  await env?.teardown();
});

/** What a person sees in Assignar: every Intacct-owned record by its Sage key, without Assignar's own ids. */
function state(assignar: AssignarSandbox): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const resource of Object.values(RESOURCE_OF)) {
    const rows = assignar.records(resource).filter((r) => r.integration_id);
    out[resource] = rows
      .map((r) => {
        const { id: _id, client_id, project_id, client: _c, project: _p, ...rest } = r;
        // Times and who-did-it differ between any two runs; ids (and root_path, made of ids) are Assignar's own.
        const kept = Object.fromEntries(Object.entries(rest).filter(([k]) => k !== 'root_path' && !/^date_|_time$|_at$|_by(_id)?$/.test(k)));
        const external = (list: string, ref: unknown) => assignar.records(list as never).find((x) => x.id === ref)?.integration_id ?? null;
        return { ...kept, client: external('clients', client_id), project: external('projects', project_id) } as Record<string, unknown>;
      })
      .sort((a, b) => String(a.integration_id).localeCompare(String(b.integration_id)));
  }
  return out;
}

test('10% injected API faults on both sides end in the same final state as a clean run', async () => {
  await clean.run('initialImport');

  // 10% of Sage Intacct requests answer 5xx and 3% hang; 10% of Assignar requests answer 5xx and 3% lose
  // their answer after the write was applied (the ambiguous case a create must not duplicate).
  faulty.sage.faults({ errorRate: 0.1, timeoutRate: 0.03, hangMs: 3000, seed: 7 });
  faulty.assignar.setFaults({ errorRate: 0.1, timeoutRate: 0.03, timeoutMode: 'after', timeoutMs: 3000, faultSeed: 7 });
  const summary = await faulty.run('initialImport');
  faulty.sage.faults({ errorRate: 0, timeoutRate: 0 });
  faulty.assignar.setFaults({ errorRate: 0, timeoutRate: 0 });

  const injected = faulty.assignar.stats().faults;
  expect(injected.errors + injected.timeouts).toBeGreaterThan(10);
  expect(state(faulty.assignar)).toEqual(state(clean.assignar));

  const cleanFailures = (await clean.ledger.listOutcomes((await clean.ledger.listRuns({ limit: 1 }))[0].runId, { outcome: 'failed', limit: 1000 })).map((o) => `${o.kind}/${o.recordKey}`).sort();
  const faultyFailures = (await faulty.ledger.listOutcomes(summary.runId, { outcome: 'failed', limit: 1000 })).map((o) => `${o.kind}/${o.recordKey}`).sort();
  expect(faultyFailures).toEqual(cleanFailures);
});
