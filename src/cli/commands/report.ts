import type { Command } from 'commander';
import { OUTCOMES, type Outcome } from '../../contracts/outcomes';
import { ledgerOptionsFromEnv, openLedger, RECORD_KINDS, type ExportGroup, type Ledger, type RecordKind, type RecordOutcome, type Run } from '../../ledger';
import { NEEDS_ATTENTION, type CurrentOutcome } from '../../ledger/outcomes';
import { endStaleRuns } from '../../runtime/run-liveness';
import { createTemporalClient } from '../../temporal/client';
import { intOption } from '../options';
import { cliContext, pickConnection } from '../context';
import { exportGroupsText, groupForJson, heldTimesheetsText, UNPROCESSED_GROUP_STATES } from '../render-export-backlog';
import { table } from '../table';

function runTable(rows: RecordOutcome[]): string {
  return table(['kind', 'record', 'sage id', 'assignar id', 'outcome', 'reason'], rows.map((r) => [r.kind, r.recordKey, r.sageId ?? '', r.assignarId ?? '', r.outcome, r.reason ?? '']));
}

function currentTable(rows: CurrentOutcome[]): string {
  return table(
    ['kind', 'record', 'sage id', 'assignar id', 'outcome', 'since run', 'last failed', 'reason'],
    rows.map((r) => [r.kind, r.recordKey, r.sageId ?? '', r.assignarId ?? '', r.outcome, r.runId, r.lastFailedAt ? `${r.lastFailedAt} (run ${r.lastFailedRunId})` : '', r.reason ?? '']),
  );
}

function runLine(run: Run): string {
  const when = run.finishedAt ? `, finished ${run.finishedAt}` : '';
  return `${run.workflowType} run ${run.runId}${run.dryRun ? ' (dry run)' : ''} [${run.workflowId ?? 'no workflow'}]: ${run.status}, started ${run.startedAt}${when}${run.error ? ` — ${run.error}` : ''}`;
}

function countsLines(counts: Partial<Record<string, Partial<Record<Outcome, number>>>>): string[] {
  return Object.entries(counts).map(([kind, byOutcome]) => `  ${kind}: ${Object.entries(byOutcome ?? {}).map(([o, n]) => `${o} ${n}`).join(', ')}`);
}

/**
 * Runs the ledger still shows as running whose workflow has ended (terminated, timed out) cannot say so:
 * ask Temporal and mark them, when Temporal answers. Returns a note when it could not ask.
 */
async function settleStaleRuns(ledger: Ledger, connection: string): Promise<string | undefined> {
  if ((await ledger.listRuns({ connection, status: 'running', limit: 1 })).length === 0) return undefined;
  let client;
  try {
    client = await createTemporalClient(undefined, { connectTimeoutMs: 3000 });
  } catch (err) {
    return `Temporal did not answer (${(err as Error).message}): runs shown as running may have ended`;
  }
  try {
    await endStaleRuns(ledger, client, connection, { seenBy: 'intacct-assignar report' });
    return undefined;
  } finally {
    await client.connection.close();
  }
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('what is failing or held now, across runs (the latest outcome of each record); with --run, one run\'s per-record outcomes; from the ledger')
    .option('--run <id>', 'one run (the first workflow run id of an import or sync): its per-record outcomes')
    .option('--connection <id>', 'connection id (default: the only one configured)')
    .option('--outcome <list>', `only these outcomes, comma-separated (${OUTCOMES.join(', ')}); default without --run: ${NEEDS_ATTENTION.join(', ')}`)
    .option('--kind <kind>', `only this kind (${RECORD_KINDS.join(', ')}); without --run, timesheet also lists the timesheets held now and the export groups not yet processed, exportGroup the latter`)
    .option('--limit <n>', 'at most this many records', intOption, 1000)
    .option('--json', 'one JSON object: the run(s), counts per entity and outcome, and the records', false)
    .action(async (opts, command: Command) => {
      const ctx = cliContext(command);
      const config = ctx.config();
      const outcomes = opts.outcome ? (String(opts.outcome).split(',').map((o) => o.trim()) as Outcome[]) : undefined;
      const unknown = outcomes?.filter((o) => !OUTCOMES.includes(o));
      if (unknown?.length) throw new Error(`Unknown outcome ${unknown.join(', ')}; expected ${OUTCOMES.join(', ')}`);
      const kind = opts.kind as RecordKind | undefined;
      if (kind && !RECORD_KINDS.includes(kind)) throw new Error(`Unknown kind ${kind}; expected ${RECORD_KINDS.join(', ')}`);
      const ledger = await openLedger(ledgerOptionsFromEnv(config));
      try {
        const connection = opts.run ? undefined : pickConnection(ctx, opts.connection);
        const note = await settleStaleRuns(ledger, connection ?? (await ledger.getRun(opts.run))?.connection ?? '');
        if (note) process.stderr.write(`${note}\n`);
        if (opts.run) await reportRun(ledger, opts.run, { outcomes, kind, limit: opts.limit, json: opts.json });
        else await reportNow(ledger, connection!, { outcomes, kind, limit: opts.limit, json: opts.json });
      } finally {
        await ledger.close();
      }
    });
}

interface ReportOptions {
  outcomes?: Outcome[];
  kind?: RecordKind;
  limit: number;
  json: boolean;
}

async function reportRun(ledger: Ledger, runId: string, opts: ReportOptions): Promise<void> {
  const run = await ledger.getRun(runId);
  if (!run) throw new Error(`No run ${runId} in the ledger (${ledger.location})`);
  const records = await ledger.listOutcomes(run.runId, { outcome: opts.outcomes, kind: opts.kind, limit: opts.limit });
  const counts = await ledger.outcomeCounts(run.runId);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ run, counts, records })}\n`);
    return;
  }
  process.stdout.write([`${run.connection}: ${runLine(run)}`, ...countsLines(counts), '', runTable(records), ''].join('\n'));
}

/** What operators ask: what is failing or held now, across runs, and which runs did not complete. */
async function reportNow(ledger: Ledger, connection: string, opts: ReportOptions): Promise<void> {
  const outcomes = opts.outcomes ?? [...NEEDS_ATTENTION];
  const records = await ledger.currentOutcomes(connection, { outcome: outcomes, kind: opts.kind, limit: opts.limit });
  const all = await ledger.currentOutcomeCounts(connection);
  const counts = Object.fromEntries(
    Object.entries(all)
      .filter(([k]) => !opts.kind || k === opts.kind)
      .map(([k, byOutcome]) => [k, Object.fromEntries(Object.entries(byOutcome ?? {}).filter(([o]) => outcomes.includes(o as Outcome)))])
      .filter(([, byOutcome]) => Object.keys(byOutcome).length > 0),
  );
  const recent = await ledger.listRuns({ connection, limit: 50 });
  const lastCompleted = recent.find((r) => r.status === 'completed' && !r.dryRun);
  // Runs that ended badly since the last good one, and any still running: the rest is history.
  const unfinished = recent.filter((r) => r.status === 'running' || (r.status !== 'completed' && (!lastCompleted || r.startedAt > lastCompleted.startedAt)));
  const backlog = await exportBacklog(ledger, connection, opts);
  if (opts.json) {
    const extra = backlog
      ? {
          ...(backlog.held ? { heldTimesheets: backlog.held.rows, heldTimesheetsTruncated: backlog.held.more } : {}),
          exportGroups: backlog.groups.rows.map(groupForJson),
          exportGroupsTruncated: backlog.groups.more,
        }
      : {};
    process.stdout.write(`${JSON.stringify({ connection, outcomes, counts, records, ...extra, latestRun: recent[0] ?? null, unfinishedRuns: unfinished })}\n`);
    return;
  }
  if (recent.length === 0) {
    process.stdout.write(`No runs yet for connection ${connection} in the ledger (${ledger.location})\n`);
    return;
  }
  const lines = [
    records.length === 0
      ? `Nothing ${outcomes.join(' or ')} now on connection ${connection} (the latest outcome of each record, across runs).`
      : `${records.length} record(s) ${outcomes.join(' or ')} now on connection ${connection} (the latest outcome of each record, across runs; dry runs left out):`,
    ...countsLines(counts),
  ];
  if (records.length) lines.push('', currentTable(records));
  if (backlog?.held) lines.push('', heldTimesheetsText(connection, backlog.held.rows, backlog.held.more));
  if (backlog) lines.push('', exportGroupsText(connection, backlog.groups.rows, backlog.groups.more));
  if (unfinished.length) lines.push('', 'Runs that did not complete:', ...unfinished.map((r) => `  ${runLine(r)}`));
  lines.push('', `Latest run: ${runLine(recent[0])}`, `One run's outcomes: intacct-assignar report --run ${recent[0].runId}`, '');
  process.stdout.write(lines.join('\n'));
}

/** The ledger's page limit; one more row than shown tells whether the list was cut. */
const MAX_PAGE = 10_000;

interface Page<T> {
  rows: T[];
  more: boolean;
}

async function page<T>(limit: number, read: (limit: number) => Promise<T[]>): Promise<Page<T>> {
  const shown = Math.max(1, Math.min(limit, MAX_PAGE - 1));
  const rows = await read(shown + 1);
  return { rows: rows.slice(0, shown), more: rows.length > shown };
}

/**
 * For timesheets, what the export ledger holds now beside the outcomes: the timesheets held (with why) and
 * the export groups — Sage Intacct timesheets — not yet processed. Undefined for other kinds.
 */
async function exportBacklog(ledger: Ledger, connection: string, opts: ReportOptions) {
  if (opts.kind !== 'timesheet' && opts.kind !== 'exportGroup') return undefined;
  const held = opts.kind === 'timesheet' ? await page(opts.limit, (limit) => ledger.listHeldTimesheets(connection, { limit })) : undefined;
  // State by state, failed first, so a cut list keeps what needs an operator.
  const groups: Page<ExportGroup> = { rows: [], more: false };
  for (const state of UNPROCESSED_GROUP_STATES) {
    const left = opts.limit - groups.rows.length;
    if (left <= 0) {
      groups.more ||= (await ledger.listExportGroups(connection, { states: [state], limit: 1 })).length > 0;
      continue;
    }
    const part = await page(left, (limit) => ledger.listExportGroups(connection, { states: [state], limit }));
    groups.rows.push(...part.rows);
    groups.more ||= part.more;
  }
  return { held, groups };
}
