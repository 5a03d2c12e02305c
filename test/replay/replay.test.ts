import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../../src/temporal/worker';

// Recorded by test/replay/record-histories.ts on a real dev server. If the workflow code changes in a way
// that would break runs already in flight, replaying these fails with a DeterminismViolationError.
// timesheet-export-v1.json predates the overlapped build and send (patched 'overlap-build-send'): runs
// started before that change must still replay.
const HISTORIES = ['initial-import.json', 'incremental-sync.json', 'timesheet-export-v1.json', 'timesheet-export.json', 'true-up.json'];

test.each(HISTORIES)('the current workflow code replays the recorded %s', async (file) => {
  const { workflowId, history } = JSON.parse(fs.readFileSync(path.join(__dirname, 'histories', file), 'utf8'));
  expect(history.events.length).toBeGreaterThan(10);
  await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId)).resolves.toBeUndefined();
});
