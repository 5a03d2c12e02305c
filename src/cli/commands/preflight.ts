import { WorkflowIdConflictPolicy } from '@temporalio/client';
import type { Command } from 'commander';
import type { PreflightReport } from '../../contracts/preflight';
import { TASK_QUEUE, workflowId } from '../../temporal/constants';
import { cliContext, pickConnection } from '../context';

function renderReport(report: PreflightReport): string {
  const mark = { ok: '✔', warn: '!', fail: '✘' } as const;
  const lines = [`Preflight for connection ${report.connection}: ${report.ok ? 'ready' : 'NOT ready'} (${report.checkedAt})`];
  for (const [system, half] of [['Sage Intacct', report.sage], ['Assignar', report.assignar]] as const) {
    lines.push('', system);
    for (const c of half.checks) {
      lines.push(`  ${mark[c.status]} ${c.title}${c.detail ? ` — ${c.detail}` : ''}`);
      if (c.status !== 'ok' && c.action) lines.push(`      → ${c.action}`);
    }
    const counts = Object.entries(half.counts);
    if (counts.length) lines.push(`  counts: ${counts.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  return lines.join('\n');
}

export function registerPreflightCommand(program: Command): void {
  program
    .command('preflight')
    .description("check a connection's prerequisites on both systems and print the report")
    .option('--connection <id>', 'connection id (default: the only one configured)')
    .option('--json', 'print the report as JSON', false)
    .action(async (opts, command: Command) => {
      const ctx = cliContext(command);
      try {
        const connection = pickConnection(ctx, opts.connection);
        const client = await ctx.temporal();
        const handle = await client.workflow.start('preflight', {
          taskQueue: TASK_QUEUE,
          workflowId: workflowId('preflight', connection),
          args: [{ connection }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        });
        const report = (await handle.result()) as PreflightReport;
        process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${renderReport(report)}\n`);
        if (!report.ok) process.exitCode = 2;
      } finally {
        await ctx.close();
      }
    });
}
