import type { ConnectionConfig } from '../config/schema';
import type { Ledger, Run } from '../ledger';

const DAY_MS = 86_400_000;

/** One connection's metered Sage Intacct transactions this month (UTC days, as the ledger counts them). */
export interface MonthUsage {
  connection: string;
  /** YYYY-MM (UTC). */
  month: string;
  used: number;
  /** Days of the month elapsed so far (fractional; at least 1, so the first hours do not project wildly). */
  daysElapsed: number;
  daysInMonth: number;
  /** Used so far, continued at the same daily rate to the month's end. */
  projected: number;
  budget?: number;
  byDay: Array<{ day: string; transactions: number }>;
}

export function monthBounds(now: Date): { month: string; start: Date; end: Date; fromDay: string; toDay: string; daysInMonth: number } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const daysInMonth = Math.round((end.getTime() - start.getTime()) / DAY_MS);
  return { month: start.toISOString().slice(0, 7), start, end, fromDay: start.toISOString().slice(0, 10), toDay: new Date(end.getTime() - DAY_MS).toISOString().slice(0, 10), daysInMonth };
}

/** This month's usage of each given connection, with a linear projection to the month's end. */
export async function monthUsage(ledger: Pick<Ledger, 'listSageUsage'>, connections: readonly ConnectionConfig[], now: Date = new Date()): Promise<MonthUsage[]> {
  const b = monthBounds(now);
  const rows = await ledger.listSageUsage({ fromDay: b.fromDay, toDay: b.toDay });
  const daysElapsed = Math.max(1, (now.getTime() - b.start.getTime()) / DAY_MS);
  return connections.map((c) => {
    const byDay = rows.filter((r) => r.connection === c.id).map((r) => ({ day: r.day, transactions: r.transactions }));
    const used = byDay.reduce((n, r) => n + r.transactions, 0);
    return {
      connection: c.id,
      month: b.month,
      used,
      daysElapsed: Math.round(daysElapsed * 100) / 100,
      daysInMonth: b.daysInMonth,
      projected: Math.round((used / daysElapsed) * b.daysInMonth),
      ...(c.sage.monthlyTransactionBudget !== undefined ? { budget: c.sage.monthlyTransactionBudget } : {}),
      byDay,
    };
  });
}

const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** The local calendar date and HH:MM of `now` in a time zone. */
function localNow(now: Date, timeZone: string): { y: number; m: number; d: number; hhmm: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), hhmm: `${parts.hour}:${parts.minute}` };
}

/** Runs the connection's enabled Schedules will start from `now` to the end of the (local) month. */
export function scheduledRunsLeftThisMonth(connection: ConnectionConfig, now: Date = new Date()): number {
  const local = localNow(now, connection.timeZone);
  const lastDay = new Date(Date.UTC(local.y, local.m, 0)).getUTCDate();
  let runs = 0;
  for (const schedule of Object.values(connection.schedules)) {
    if (!schedule.enabled) continue;
    for (let d = local.d; d <= lastDay; d++) {
      const weekday = WEEKDAYS[new Date(Date.UTC(local.y, local.m - 1, d)).getUTCDay()];
      if (!schedule.days.includes(weekday)) continue;
      runs += schedule.times.filter((t) => d > local.d || t > local.hhmm).length;
    }
  }
  return runs;
}

export interface BudgetEstimate {
  usage: MonthUsage;
  /** Real runs of the connection started this month (what the usage so far paid for). */
  runsThisMonth: number;
  scheduledRunsLeft: number;
  /** Transactions per run this month (undefined before the first run). */
  perRun?: number;
  /** Used so far plus the scheduled runs left at the month's rate per run (the linear projection before any run). */
  estimate: number;
}

/** What the month will cost if the Schedules run as configured, from the usage and runs so far. */
export async function estimateMonth(ledger: Pick<Ledger, 'listSageUsage' | 'listRuns'>, connection: ConnectionConfig, now: Date = new Date()): Promise<BudgetEstimate> {
  const [usage] = await monthUsage(ledger, [connection], now);
  const start = monthBounds(now).start.toISOString();
  const runs = (await ledger.listRuns({ connection: connection.id, limit: 1000 })).filter((r: Run) => r.startedAt >= start && !r.dryRun);
  const scheduledRunsLeft = scheduledRunsLeftThisMonth(connection, now);
  const perRun = runs.length > 0 ? usage.used / runs.length : undefined;
  const estimate = perRun === undefined ? usage.projected : Math.round(usage.used + perRun * scheduledRunsLeft);
  return { usage, runsThisMonth: runs.length, scheduledRunsLeft, ...(perRun !== undefined ? { perRun: Math.round(perRun) } : {}), estimate };
}
