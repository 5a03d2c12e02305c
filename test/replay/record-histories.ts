/**
 * Records the workflow histories the replay test replays: an initial import, an incremental sync and a
 * timesheet export of the demo data (a week of generated field activity), on a real dev server against the
 * sandboxes. Run it only when a workflow change is meant to be incompatible (and then version the change
 * with `patched()` instead where runs may be open), or to add a workflow; name the ones to re-record:
 *   npx tsx test/replay/record-histories.ts [initialImport] [incrementalSync] [timesheetExport]
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
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
  } finally {
    await h.close();
    await env.teardown();
  }
}

async function firstWorkflowId(env: Awaited<ReturnType<typeof startTemporal>>, type: string): Promise<string> {
  for await (const w of env.client.workflow.list({ query: `WorkflowType = '${type}'` })) return w.workflowId;
  throw new Error(`no ${type} workflow found`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
