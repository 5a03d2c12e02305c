import type { Command } from 'commander';
import { applySchedules, SCHEDULED_WORKFLOWS } from '../../temporal/schedules';
import { cliContext, pickConnection } from '../context';

export function registerSchedulesCommand(program: Command): void {
  const schedules = program.command('schedules').description('Temporal Schedules for the recurring workflows');
  schedules
    .command('apply')
    .description(`create or update the Schedules of a connection (or all) from configuration: ${SCHEDULED_WORKFLOWS.join(', ')}`)
    .option('--connection <id>', 'connection id (default: every configured connection)')
    .action(async (opts, command: Command) => {
      const ctx = cliContext(command);
      try {
        const client = await ctx.temporal();
        const ids = opts.connection ? [pickConnection(ctx, opts.connection)] : ctx.config().connections.map((c) => c.id);
        for (const id of ids) {
          const connection = ctx.config().connections.find((c) => c.id === id)!;
          for (const r of await applySchedules(client, connection, SCHEDULED_WORKFLOWS)) process.stdout.write(`${r.scheduleId}: ${r.action}\n`);
        }
      } finally {
        await ctx.close();
      }
    });
  schedules
    .command('list')
    .description('list Schedules with their next run times')
    .option('--json', 'one JSON object per line', false)
    .action(async (opts, command: Command) => {
      const ctx = cliContext(command);
      try {
        const client = await ctx.temporal();
        for await (const s of client.schedule.list()) {
          const d = await client.schedule.getHandle(s.scheduleId).describe();
          const row = {
            scheduleId: s.scheduleId,
            paused: d.state.paused,
            timezone: d.spec.timezone,
            nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
            lastRun: d.info.recentActions.at(-1)?.takenAt?.toISOString() ?? null,
          };
          process.stdout.write(opts.json ? `${JSON.stringify(row)}\n` : `${row.scheduleId}  ${row.paused ? 'paused' : 'active'}  ${row.timezone ?? 'UTC'}  next ${row.nextRuns.join(', ')}\n`);
        }
      } finally {
        await ctx.close();
      }
    });
}
