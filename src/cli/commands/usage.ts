import type { Command } from 'commander';
import { ledgerOptionsFromEnv, openLedger } from '../../ledger';
import { estimateMonth, type BudgetEstimate } from '../../observability/sage-usage-report';
import { cliContext, pickConnection } from '../context';
import { table } from '../table';

function line(e: BudgetEstimate): string[] {
  const u = e.usage;
  const share = (n: number) => (u.budget ? ` (${Math.round((n / u.budget) * 100)}%)` : '');
  return [u.connection, String(u.used), `${u.projected}${share(u.projected)}`, `${e.estimate}${share(e.estimate)}`, u.budget === undefined ? '-' : String(u.budget), String(e.runsThisMonth), String(e.scheduledRunsLeft)];
}

/**
 * `intacct-assignar usage`: Sage Intacct bills API transactions by the month. This month's metered
 * transactions per connection (from the ledger, counted by every worker), the projection to the month's end
 * at the same daily rate, and what the configured schedules would bring it to.
 */
export function registerUsageCommand(program: Command): void {
  program
    .command('usage')
    .description("this month's metered Sage Intacct API transactions per connection, the projection to the month's end, and the configured budget")
    .option('--connection <id>', 'only this connection (default: every configured one)')
    .option('--days', 'also list the transactions per day', false)
    .option('--json', 'one JSON object per connection', false)
    .action(async (opts, command: Command) => {
      const ctx = cliContext(command);
      const config = ctx.config();
      const ids = opts.connection ? [pickConnection(ctx, opts.connection)] : config.connections.map((c) => c.id);
      const ledger = await openLedger(ledgerOptionsFromEnv(config));
      try {
        const now = new Date();
        const estimates = await Promise.all(config.connections.filter((c) => ids.includes(c.id)).map((c) => estimateMonth(ledger, c, now)));
        if (opts.json) {
          for (const e of estimates) process.stdout.write(`${JSON.stringify({ ...e.usage, scheduledEstimate: e.estimate, runsThisMonth: e.runsThisMonth, scheduledRunsLeft: e.scheduledRunsLeft, perRun: e.perRun })}\n`);
          return;
        }
        const month = estimates[0]?.usage.month ?? now.toISOString().slice(0, 7);
        const out = [
          `Sage Intacct API transactions in ${month} (UTC days; day ${estimates[0]?.usage.daysElapsed ?? '?'} of ${estimates[0]?.usage.daysInMonth ?? '?'}):`,
          table(['connection', 'used', 'projected', 'with schedules', 'budget', 'runs', 'scheduled runs left'], estimates.map(line), { right: [1, 2, 3, 4, 5, 6] }),
        ];
        if (opts.days) {
          for (const e of estimates) {
            out.push('', `${e.usage.connection}:`, table(['day', 'transactions'], e.usage.byDay.map((d) => [d.day, String(d.transactions)]), { right: [1] }));
          }
        }
        const over = estimates.filter((e) => e.usage.budget !== undefined && e.estimate > e.usage.budget);
        for (const e of over) out.push(`warning: ${e.usage.connection} would exceed its budget of ${e.usage.budget} (sage.monthlyTransactionBudget) this month`);
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        await ledger.close();
      }
    });
}
