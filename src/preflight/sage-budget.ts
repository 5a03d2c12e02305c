import type { ConnectionConfig } from '../config/schema';
import type { PreflightCheck } from '../contracts/preflight';
import type { Ledger } from '../ledger';
import { estimateMonth } from '../observability/sage-usage-report';

/**
 * `sage.budget`: whether this month's metered Sage Intacct transactions stay within
 * `sage.monthlyTransactionBudget` if the Schedules run as configured (usage so far from the ledger, plus the
 * runs left this month at this month's transactions per run). Undefined when no budget is configured.
 */
export async function sageBudgetCheck(connection: ConnectionConfig, ledger: Pick<Ledger, 'listSageUsage' | 'listRuns'>, now: Date = new Date()): Promise<PreflightCheck | undefined> {
  const budget = connection.sage.monthlyTransactionBudget;
  if (budget === undefined) return undefined;
  const e = await estimateMonth(ledger, connection, now);
  const basis =
    e.perRun === undefined
      ? `${e.usage.used} used so far this month, projected linearly`
      : `${e.usage.used} used in ${e.runsThisMonth} run(s) so far this month (about ${e.perRun} per run) and ${e.scheduledRunsLeft} scheduled run(s) left`;
  const detail = `${basis}: about ${e.estimate} by the month's end, budget ${budget}.`;
  if (e.estimate <= budget) return { id: 'sage.budget', system: 'sage', status: 'ok', title: 'The schedules stay within the monthly Sage Intacct transaction budget', detail };
  return {
    id: 'sage.budget',
    system: 'sage',
    status: 'warn',
    title: e.usage.used > budget ? 'The monthly Sage Intacct transaction budget is already exceeded' : 'The schedules would exceed the monthly Sage Intacct transaction budget',
    detail,
    action: 'Run syncs less often (schedules.incrementalSync.times/days), narrow the entities or their filters, or raise sage.monthlyTransactionBudget; `intacct-assignar usage` shows the usage per day.',
  };
}
