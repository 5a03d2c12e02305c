import type { WorkflowHandle } from '@temporalio/client';
import type { Progress, RunSummary } from '../contracts/sync';
import { countsTable, progressLine } from './render';

/** Shows live progress of a long workflow (via its `progress` query) until it ends; returns its result. */
export async function followWorkflow(handle: WorkflowHandle, opts: { json: boolean; quiet?: boolean }): Promise<RunSummary> {
  const tty = process.stderr.isTTY && !opts.quiet;
  let last = '';
  const timer = setInterval(() => {
    handle
      .query<Progress>('progress')
      .then((p) => {
        const line = progressLine(p);
        if (line === last || opts.quiet) return;
        last = line;
        process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      })
      .catch(() => undefined); // not started yet, or between continue-as-new runs
  }, 1000);
  try {
    const summary = (await handle.result()) as RunSummary;
    if (tty) process.stderr.write('\n');
    if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else process.stdout.write(`${countsTable(summary)}\n`);
    return summary;
  } finally {
    clearInterval(timer);
  }
}
