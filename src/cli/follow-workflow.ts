import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { rootCause } from '@temporalio/common';
import type { Progress, RunSummary } from '../contracts/sync';
import { countsTable, noticesText, progressLine } from './render';

export interface FollowOptions {
  json: boolean;
  quiet?: boolean;
  /** The readable summary of the finished run (default: counts per kind and outcome, then notices). */
  render?: (summary: RunSummary) => Promise<string>;
}

/** Shows live progress of a long workflow (via its `progress` query) until it ends; returns its result. */
export async function followWorkflow(handle: WorkflowHandle, opts: FollowOptions): Promise<RunSummary> {
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
    let summary: RunSummary;
    try {
      summary = (await handle.result()) as RunSummary;
    } catch (err) {
      if (tty) process.stderr.write('\n');
      // "Workflow execution failed" says nothing: name the workflow and the root cause (the ledger has it too).
      if (err instanceof WorkflowFailedError) throw new Error(`${handle.workflowId} did not complete: ${rootCause(err.cause) ?? err.message}`, { cause: err });
      throw err;
    }
    if (tty) process.stderr.write('\n');
    if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else process.stdout.write(`${opts.render ? await opts.render(summary) : `${countsTable(summary)}${noticesText(summary)}`}\n`);
    return summary;
  } finally {
    clearInterval(timer);
  }
}
