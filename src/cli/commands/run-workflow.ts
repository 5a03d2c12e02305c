import { WorkflowIdConflictPolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { TASK_QUEUE, workflowId } from '../../temporal/constants';
import { scheduleId, triggerSchedule, type ScheduledWorkflow } from '../../temporal/schedules';
import type { AppConfig } from '../../config';
import type { RunSummary } from '../../contracts/sync';
import { cliContext, pickConnection } from '../context';
import { readExportOutcomes } from '../export-outcomes';
import { followWorkflow } from '../follow-workflow';
import { noticesText } from '../render';
import { renderExportSummary } from '../render-export';
import { intOption } from '../options';

interface RunSpec {
  name: string;
  workflowType: string;
  description: string;
  /** "Sync now" triggers the connection's Schedule when it exists, so its overlap policy applies. */
  viaSchedule?: ScheduledWorkflow;
  /** The readable summary of a finished run (default: counts per kind and outcome). */
  render?: (config: AppConfig, summary: RunSummary) => Promise<string>;
}

/** Rows per list in the export summary (the rest is counted and pointed to `report`). */
const EXPORT_SUMMARY_ROWS = 200;

async function exportSummary(config: AppConfig, summary: RunSummary): Promise<string> {
  const outcomes = await readExportOutcomes(config, summary, EXPORT_SUMMARY_ROWS);
  return `${renderExportSummary(summary, outcomes, { maxRows: EXPORT_SUMMARY_ROWS })}${noticesText(summary)}`;
}

export const RUNNABLE: RunSpec[] = [
  { name: 'import', workflowType: 'initialImport', description: 'start (or join) the initial import of every enabled entity' },
  { name: 'sync', workflowType: 'incrementalSync', description: 'sync now: trigger the incremental sync schedule (or start the workflow)', viaSchedule: 'incrementalSync' },
  {
    name: 'export',
    workflowType: 'timesheetExport',
    description: 'export now: approved Assignar timesheets to Sage Intacct; triggers the timesheet export schedule (or starts the workflow); with --dry-run lists the timesheets it would create and what it would hold',
    viaSchedule: 'timesheetExport',
    render: exportSummary,
  },
];

interface RunOptions {
  dryRun: boolean;
  confirmDeactivations?: boolean;
  waitForWriter?: number;
}

/**
 * Starts the workflow, or joins the run in progress. A Schedule starts its workflow with fixed input, so a
 * run asking for more (a dry run, confirmed deactivations, a writer wait) is started directly, under an ID of
 * its own per purpose; the connection's writer lease keeps it from writing while a scheduled run does.
 */
async function startOrJoin(client: Client, spec: RunSpec, connection: string, opts: RunOptions): Promise<{ handle: WorkflowHandle; how: string }> {
  const input: Record<string, unknown> = { connection, dryRun: opts.dryRun };
  if (opts.confirmDeactivations) input.confirmDeactivations = true;
  if (opts.waitForWriter !== undefined) input.waitForWriterSeconds = opts.waitForWriter;
  const fixedInput = !opts.dryRun && !opts.confirmDeactivations && opts.waitForWriter === undefined;
  if (spec.viaSchedule && fixedInput) {
    const id = scheduleId(spec.viaSchedule, connection);
    const handle = await triggerSchedule(client, id);
    if (handle) return { handle, how: `triggered schedule ${id}` };
  }
  const base = workflowId(spec.workflowType, connection);
  const id = opts.dryRun ? `${base}/dry-run` : opts.confirmDeactivations ? `${base}/confirm-deactivations` : base;
  const handle = await client.workflow.start(spec.workflowType, {
    taskQueue: TASK_QUEUE,
    workflowId: id,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  return { handle, how: `workflow ${id}` };
}

export function registerRunCommands(program: Command): void {
  for (const spec of RUNNABLE) {
    const command = program
      .command(spec.name)
      .description(spec.description)
      .option('--connection <id>', 'connection id (default: the only one configured)')
      .option('--dry-run', 'classify and record the plan; write nothing to either system', false)
      .option('--wait', 'show progress and print the outcome summary', false)
      .option('--json', 'with --wait: print the summary as one JSON object', false)
      .option('--wait-for-writer <seconds>', 'how long to wait for another import, sync, export or true-up of the connection to finish writing (default 1800; 0 refuses at once)', intOption);
    if (spec.workflowType === 'incrementalSync') {
      command.option('--confirm-deactivations', 'apply the deactivations the mass-change guard held (starts the workflow directly, not through the schedule)', false);
    }
    command.action(async (opts, cmd: Command) => {
      const ctx = cliContext(cmd);
      try {
        const connection = pickConnection(ctx, opts.connection);
        const client = await ctx.temporal();
        const { handle, how } = await startOrJoin(client, spec, connection, { dryRun: opts.dryRun, confirmDeactivations: opts.confirmDeactivations, waitForWriter: opts.waitForWriter });
        const runId = (await handle.describe()).runId;
        process.stderr.write(`${spec.workflowType} for ${connection}: ${how} (run ${runId})\n`);
        const render = spec.render ? (summary: RunSummary) => spec.render!(ctx.config(), summary) : undefined;
        if (opts.wait) await followWorkflow(handle, { json: opts.json, render });
      } finally {
        await ctx.close();
      }
    });
  }
}
