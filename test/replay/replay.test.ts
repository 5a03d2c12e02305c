import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../../src/temporal/worker';

// Recorded by test/replay/record-histories.ts on a real dev server. If the workflow code changes in a way
// that would break runs already in flight, replaying these fails with a DeterminismViolationError.
// Earlier recordings stay, so runs started before a versioned change must still replay:
//   *-v1 (and timesheet-export-v2): before API activities moved to the connection's task queue and the
//   search attributes (patched 'connection-task-queue', 'run-search-attributes');
//   timesheet-export-v1: also before the overlapped build and send (patched 'overlap-build-send').
const HISTORIES = [
  'initial-import-v1.json',
  'incremental-sync-v1.json',
  'timesheet-export-v1.json',
  'timesheet-export-v2.json',
  'true-up-v1.json',
  'initial-import.json',
  'incremental-sync.json',
  'timesheet-export.json',
  'true-up.json',
];

test.each(HISTORIES)('the current workflow code replays the recorded %s', async (file) => {
  const { workflowId, history } = JSON.parse(fs.readFileSync(path.join(__dirname, 'histories', file), 'utf8'));
  expect(history.events.length).toBeGreaterThan(10);
  await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId)).resolves.toBeUndefined();
});
