import { WorkflowIdConflictPolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { TASK_QUEUE, workflowId } from '../../temporal/constants';
import { scheduleId, triggerSchedule, type ScheduledWorkflow } from '../../temporal/schedules';
import { cliContext, pickConnection } from '../context';
import { followWorkflow } from '../follow-workflow';

interface RunSpec {
  name: string;
  workflowType: string;
  description: string;
  /** "Sync now" triggers the connection's Schedule when it exists, so its overlap policy applies. */
  viaSchedule?: ScheduledWorkflow;
}

export const RUNNABLE: RunSpec[] = [
  { name: 'import', workflowType: 'initialImport', description: 'start (or join) the initial import of every entity' },
  { name: 'sync', workflowType: 'incrementalSync', description: 'sync now: trigger the incremental sync schedule (or start the workflow)', viaSchedule: 'incrementalSync' },
];

async function startOrJoin(client: Client, spec: RunSpec, connection: string, dryRun: boolean): Promise<{ handle: WorkflowHandle; how: string }> {
  if (spec.viaSchedule && !dryRun) {
    const id = scheduleId(spec.viaSchedule, connection);
    const handle = await triggerSchedule(client, id);
    if (handle) return { handle, how: `triggered schedule ${id}` };
  }
  const id = dryRun ? `${workflowId(spec.workflowType, connection)}/dry-run` : workflowId(spec.workflowType, connection);
  const handle = await client.workflow.start(spec.workflowType, {
    taskQueue: TASK_QUEUE,
    workflowId: id,
    args: [{ connection, dryRun }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  return { handle, how: `workflow ${id}` };
}

export function registerRunCommands(program: Command): void {
  for (const spec of RUNNABLE) {
    program
      .command(spec.name)
      .description(spec.description)
      .option('--connection <id>', 'connection id (default: the only one configured)')
      .option('--dry-run', 'classify and record the plan; write nothing to either system', false)
      .option('--wait', 'show progress and print the outcome summary', false)
      .option('--json', 'with --wait: print the summary as one JSON object', false)
      .action(async (opts, command: Command) => {
        const ctx = cliContext(command);
        try {
          const connection = pickConnection(ctx, opts.connection);
          const client = await ctx.temporal();
          const { handle, how } = await startOrJoin(client, spec, connection, opts.dryRun);
          const runId = (await handle.describe()).runId;
          process.stderr.write(`${spec.workflowType} for ${connection}: ${how} (run ${runId})\n`);
          if (opts.wait) await followWorkflow(handle, { json: opts.json });
        } finally {
          await ctx.close();
        }
      });
  }
}
