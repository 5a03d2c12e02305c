/**
 * Records the workflow histories the replay test replays: an initial import, an incremental sync, a
 * timesheet export of the demo data (a week of generated field activity) and a true-up (a worker edited in
 * Assignar, held by a sync, its overwrite approved by update, applied and verified), on a real dev server
 * against the sandboxes. Run it only when a workflow change is meant to be incompatible (and then version the change
 * with `patched()` instead where runs may be open), or to add a workflow; name the ones to re-record:
 *   npx tsx test/replay/record-histories.ts [initialImport] [incrementalSync] [timesheetExport] [trueUp]
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { ApproveInput, ApproveResult, TrueupStatus } from '../../src/contracts/trueup';
import { SyncHarness } from '../helpers/sync-harness';
import { startTemporal } from '../helpers/temporal-env';

async function main(): Promise<void> {
  const env = await startTemporal();
  const h = await SyncHarness.start(env);
  try {
    const wanted = new Set(process.argv.slice(2));
    for (const [type, file] of [['initialImport', 'initial-import.json'], ['incrementalSync', 'incremental-sync.json'], ['timesheetExport', 'timesheet-export.json']] as const) {
      if (type === 'timesheetExport') h.assignar.simulateTimesheets({ startDate: '2026-11-02', days: 5, seed: 3 });
      // pagesPerRun 2 makes the recorded import continue-as-new, so replay covers that path too; the export
      // runs in one history so that it covers every phase.
      const summary = await h.run(type, type === 'initialImport' ? { pagesPerRun: 2 } : {});
      if (wanted.size > 0 && !wanted.has(type)) continue;
      const handle = env.client.workflow.getHandle(await firstWorkflowId(env, type), summary.runId);
      const history = await handle.fetchHistory();
      // The same JSON form as `temporal workflow show --output json`.
      fs.writeFileSync(path.join(__dirname, 'histories', file), JSON.stringify({ workflowId: handle.workflowId, history: JSON.parse(historyToJSON(history)) }, null, 1));
      process.stdout.write(`recorded ${type}: ${history.events?.length} events → ${file}\n`);
    }
    if (wanted.size === 0 || wanted.has('trueUp')) await recordTrueup(env, h);
  } finally {
    await h.close();
    await env.teardown();
  }
}

/** A worker edited in Assignar and held by a sync; the true-up's one item approved, applied, verified: done. */
async function recordTrueup(env: Awaited<ReturnType<typeof startTemporal>>, h: SyncHarness): Promise<void> {
  const [link] = await h.ledger.listLinks('demo', 'worker', { limit: 1 });
  const user = h.assignar.records('users').find((u) => String(u.id) === link.assignarId)!;
  h.assignar.upsertRecords('users', [{ ...user, last_name: `${String(user.last_name)} (edited)` }]);
  await h.run('incrementalSync');
  const handle = await env.client.workflow.start('trueUp', {
    taskQueue: h.taskQueue,
    workflowId: 'trueUp/demo',
    args: [{ connection: 'demo', entities: ['worker'], applyDelaySeconds: 0, rediffSeconds: 3600, reminderSeconds: 3600 }],
  });
  const until = async (what: string, ok: () => Promise<boolean>) => {
    for (let i = 0; !(await ok()); i += 1) {
      if (i > 600) throw new Error(`the recorded true-up never got to ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  await until('awaiting-approval', async () => (await handle.query<TrueupStatus>('status')).phase === 'awaiting-approval');
  const { trueupId } = await handle.query<TrueupStatus>('status');
  const items = await h.ledger.listTrueupItems('demo', trueupId, { limit: 10_000 });
  const mine = items.filter((i) => i.sageKey === link.sageKey).map((i) => i.itemId);
  await handle.executeUpdate<ApproveResult, [ApproveInput]>('approveItems', { args: [{ items: mine }] });
  await until('verified', async () => (await h.ledger.getTrueupItems('demo', trueupId, mine)).every((i) => i.state === 'verified'));
  // The demo's own leftovers (employees sharing an email, say) are rejected: then nothing is open and it is done.
  const rest = items.filter((i) => !mine.includes(i.itemId) && i.action !== 'leave').map((i) => i.itemId);
  if (rest.length > 0) await handle.signal('reject', { items: rest, reason: 'not part of the recording' });
  const result = await handle.result();
  if (result.phase !== 'done') throw new Error(`the recorded true-up ended ${result.phase}, not done`);
  const history = await handle.fetchHistory();
  fs.writeFileSync(path.join(__dirname, 'histories', 'true-up.json'), JSON.stringify({ workflowId: handle.workflowId, history: JSON.parse(historyToJSON(history)) }, null, 1));
  process.stdout.write(`recorded trueUp: ${history.events?.length} events → true-up.json\n`);
}

async function firstWorkflowId(env: Awaited<ReturnType<typeof startTemporal>>, type: string): Promise<string> {
  for await (const w of env.client.workflow.list({ query: `WorkflowType = '${type}'` })) return w.workflowId;
  throw new Error(`no ${type} workflow found`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
