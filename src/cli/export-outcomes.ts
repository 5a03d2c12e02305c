import type { AppConfig } from '../config';
import { ExportGroupOutcomeDetailsSchema, TimesheetOutcomeDetailsSchema } from '../contracts/export';
import type { Outcome } from '../contracts/outcomes';
import type { RunSummary } from '../contracts/sync';
import { ledgerOptionsFromEnv, openLedger, type Ledger, type RecordOutcome } from '../ledger';
import type { ExportGroupRow, ExportRunOutcomes, TimesheetRow } from './render-export';

/** The ledger's page limit: a dry run's hours are added up from at most this many planned groups. */
const MAX_PLANNED_GROUPS = 10_000;

function groupRow(o: RecordOutcome): ExportGroupRow {
  const details = ExportGroupOutcomeDetailsSchema.safeParse(o.details);
  return { groupKey: o.recordKey, outcome: o.outcome, reason: o.reason, details: details.success ? details.data : null };
}

function timesheetRow(o: RecordOutcome): TimesheetRow {
  const details = TimesheetOutcomeDetailsSchema.safeParse(o.details);
  return { timesheetId: o.recordKey, outcome: o.outcome, reason: o.reason, details: details.success ? details.data : null };
}

/**
 * What an export summary lists, from the run's outcomes: for a dry run the groups it would send; always the
 * groups and timesheets that did not go (at most `maxRows` of each outcome; the summary counts the rest).
 */
export async function loadExportOutcomes(ledger: Ledger, summary: Pick<RunSummary, 'runId' | 'dryRun'>, maxRows: number): Promise<ExportRunOutcomes> {
  const limit = Math.max(1, Math.min(maxRows, MAX_PLANNED_GROUPS));
  const list = (kind: 'exportGroup' | 'timesheet', outcome: Outcome[], max = limit) => ledger.listOutcomes(summary.runId, { kind, outcome, limit: max });
  const planned = summary.dryRun ? await list('exportGroup', ['created', 'updated'], MAX_PLANNED_GROUPS) : [];
  const groups = [...planned, ...(await list('exportGroup', ['failed'])), ...(await list('exportGroup', ['held']))];
  const timesheets = [...(await list('timesheet', ['held'])), ...(await list('timesheet', ['failed']))];
  return { groups: groups.map(groupRow), timesheets: timesheets.map(timesheetRow) };
}

/** The same, opening the ledger of the configuration; a ledger that cannot be read is said, not thrown. */
export async function readExportOutcomes(config: AppConfig, summary: Pick<RunSummary, 'runId' | 'dryRun'>, maxRows: number): Promise<ExportRunOutcomes> {
  try {
    const ledger = await openLedger(ledgerOptionsFromEnv(config));
    try {
      return await loadExportOutcomes(ledger, summary, maxRows);
    } finally {
      await ledger.close();
    }
  } catch (err) {
    return { groups: [], timesheets: [], unavailable: (err as Error).message };
  }
}
