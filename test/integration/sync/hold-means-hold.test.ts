import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { embeddedDefaultConfig } from '../../../src/config/embedded-default';
import { releaseLink } from '../../../src/sync/release-link';
import { byIntegrationId } from '../../helpers/expectations';
import { SyncHarness } from '../../helpers/sync-harness';
import { startTemporal } from '../../helpers/temporal-env';

/** Hold means hold (issue 8 §3), and an office user is never adopted as a field worker (§5). */
let env: TestWorkflowEnvironment;
let h: SyncHarness;

beforeAll(async () => {
  env = await startTemporal();
  h = await SyncHarness.start(env);
  await h.run('initialImport');
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

const employee = (id: string) => h.sage.records('EMPLOYEE').find((e) => e.EMPLOYEEID === id)!;
const userOf = (recordNo: string) => byIntegrationId(h.assignar, 'users').get(recordNo)![0];
/** `intacct-assignar links release …` as an operator runs it, against this harness's sandboxes and ledger. */
function cliRelease(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const raw = embeddedDefaultConfig() as { connections: Array<Record<string, Record<string, unknown>>> };
  const demo = raw.connections[0];
  demo.sage.endpoint = h.sage.endpointUrl;
  demo.assignar.apiBase = h.assignar.apiBase;
  demo.assignar.tokenUrl = h.assignar.tokenUrl;
  const file = path.join(h.dir, 'cli-config.json');
  fs.writeFileSync(file, JSON.stringify({ ...raw, ledger: h.ledgerTarget.configLedger }));
  const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../../bin/intacct-assignar.js'), 'links', 'release', '--config', file, ...args], { encoding: 'utf8', env: { ...process.env, ...h.ledgerTarget.env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const release = (key: string, mode: 'accept' | 'overwrite') => releaseLink({ connection: h.connection, ledger: h.ledger, assignar: h.clients.assignar('demo') }, { kind: 'worker', key, mode });

test('a worker edited in Assignar whose Sage record also changed is held, not overwritten', async () => {
  const e = employee('E1006');
  const before = userOf(e.RECORDNO);
  h.assignar.upsertRecords('users', [{ id: before.id, contact: '0400 111 222' }]);
  h.sage.upsertRecords('EMPLOYEE', [{ ...e, 'CONTACT.FIRSTNAME': 'Renamed-In-Sage' }]);

  const summary = await h.run('incrementalSync');

  const after = userOf(e.RECORDNO);
  expect(after.contact).toBe('0400 111 222');
  expect(after.first_name).toBe(before.first_name);
  const [outcome] = await h.ledger.getOutcomes(summary.runId, 'worker', [e.RECORDNO]);
  expect(outcome.outcome).toBe('held');
  expect(outcome.details).toMatchObject({ change: 'edited', fields: ['contact'], sage: { first_name: 'Renamed-In-Sage' }, assignar: { contact: '0400 111 222' } });
  const [link] = await h.ledger.getLinksBySageKeys('demo', 'worker', [e.RECORDNO]);
  expect(link.status).toBe('held');
});

test('`intacct-assignar links release --overwrite`: the next sync writes Sage Intacct values over the Assignar edit', async () => {
  const e = employee('E1006');
  const result = cliRelease(['--kind', 'worker', '--key', 'E1006', '--overwrite']);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/worker E1006 released: the next sync writes Sage Intacct's values/);
  expect((await h.ledger.getLinksBySageKeys('demo', 'worker', [e.RECORDNO]))[0].status).toBe('active');
  // Releasing again is refused: it is no longer held.
  const again = cliRelease(['--kind', 'worker', '--key', 'E1006']);
  expect(again.status).not.toBe(0);
  expect(again.stderr).toMatch(/is active, not held/);
  const summary = await h.run('incrementalSync');
  const after = userOf(e.RECORDNO);
  expect(after.first_name).toBe('Renamed-In-Sage');
  expect(after.contact).not.toBe('0400 111 222');
  expect((await h.ledger.getOutcomes(summary.runId, 'worker', [e.RECORDNO])).map((o) => o.outcome)).toEqual(['updated']);
  h.assignar.resetStats();
  await h.run('incrementalSync');
  expect(h.assignarWrites()).toBe(0);
});

test("links release (accept): Assignar's values become the baseline, and later Sage changes flow again", async () => {
  const e = employee('E1007');
  const user = userOf(e.RECORDNO);
  h.assignar.upsertRecords('users', [{ id: user.id, last_name: 'Field-Edited' }]);
  await h.run('incrementalSync');
  expect((await h.ledger.getLinksBySageKeys('demo', 'worker', [e.RECORDNO]))[0].status).toBe('held');
  await expect(release('E1008', 'accept')).rejects.toThrow(/not held/);

  await release('E1007', 'accept');
  h.assignar.resetStats();
  const quiet = await h.run('incrementalSync');
  expect(h.assignarWrites()).toBe(0);
  expect((await h.ledger.getOutcomes(quiet.runId, 'worker', [e.RECORDNO])).map((o) => o.outcome)).not.toContain('drifted');
  expect(userOf(e.RECORDNO).last_name).toBe('Field-Edited');

  h.sage.upsertRecords('EMPLOYEE', [{ ...employee('E1007'), TITLE: 'Foreman', 'CONTACT.PHONE1': '(555) 010-7777' }]);
  await h.run('incrementalSync');
  expect(userOf(e.RECORDNO).contact).toBe('(555) 010-7777');
  expect((await h.ledger.getLinksBySageKeys('demo', 'worker', [e.RECORDNO]))[0].status).toBe('active');
});

test('an office user with a matching employee_id is reported failed, never adopted as a field worker', async () => {
  const template = employee('E1010');
  const { RECORDNO: _r, WHENCREATED: _c, WHENMODIFIED: _m, ...fields } = template;
  const [office] = h.assignar.upsertRecords('users', [{ first_name: 'Office', last_name: 'Person', username: 'office.e9001@example.com', email: 'office.e9001@example.com', employee_id: 'E9001', user_type_id: 1, active: true }]);
  const [created] = h.sage.upsertRecords('EMPLOYEE', [{ ...fields, EMPLOYEEID: 'E9001', 'CONTACT.EMAIL1': 'new.e9001@example.com', STATUS: 'active' }]);

  const summary = await h.run('incrementalSync');

  const [outcome] = await h.ledger.getOutcomes(summary.runId, 'worker', [created.RECORDNO]);
  expect(outcome.outcome).toBe('failed');
  expect(outcome.reason).toMatch(/not a field worker/);
  const now = h.assignar.records('users').find((u) => u.id === office.id)!;
  expect(now.user_type_id).toBe(1);
  expect(now.integration_id ?? null).toBeNull();
  expect(h.assignar.records('users').filter((u) => u.employee_id === 'E9001')).toHaveLength(1);
});
