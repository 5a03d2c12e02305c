import type { Filter } from '../assignar/query';
import { EXPORT_TOTALS, type ExportPageResult, type ExportStream } from '../contracts/export';
import type { Json } from '../ledger';
import type { ExportContext } from './export-context';

/** The Assignar filter of a stream: approved (per configuration), and unprocessed or corrected since processing. */
export function streamFilter(ctx: Pick<ExportContext, 'connection'>, stream: ExportStream, afterId: number | null): Filter {
  const statuses = ctx.connection.timesheets.approvedStatuses;
  const filter: Filter = { status: statuses ? { in: statuses } : { starts_with: 'APPROVED' } };
  if (stream === 'approved') filter.is_processed = false;
  else {
    // Processed, then changed: Assignar keeps a processed timesheet processed when it is edited, and
    // processing itself sets modified_time = processed_at, so a later modified_time is a correction.
    filter.is_processed = true;
    filter.modified_time = { gt_col: 'processed_at' };
  }
  if (afterId !== null) filter.id = { gt: afterId };
  return filter;
}

/**
 * Reads one page of a stream, in id order (keyset on id, so timesheets processed meanwhile never shift a
 * page), and stages every timesheet for the run's build phase. Idempotent: a redone page stages the same
 * rows again.
 */
export async function collectPage(ctx: ExportContext, stream: ExportStream, cursor: string | null): Promise<ExportPageResult> {
  const afterId = cursor === null ? null : Number(cursor);
  // The connection's page size (default 500): 20,000 approved timesheets are 40 reads.
  const pageSize = ctx.connection.assignar.pageSize;
  const page = await ctx.assignar.timesheetsExpanded.listPage({ filter: streamFilter(ctx, stream, afterId), sort: 'id', pageSize }, undefined, { signal: ctx.signal });
  await ctx.ledger.stageExportCandidates(
    page.items.map((ts) => ({
      connection: ctx.connection.id,
      runId: ctx.runId,
      assignarTimesheetId: String(ts.id),
      assignarUserId: ts.user_id === null || ts.user_id === undefined ? '' : String(ts.user_id),
      // No version field in the API: modified_time is the version (a timesheet without one is held).
      version: ts.modified_time ?? 'none',
      stream,
      body: ts as unknown as Json,
    })),
  );
  ctx.progress({ stream, read: page.items.length, lastId: page.items.at(-1)?.id });
  const last = page.items.at(-1);
  return {
    nextCursor: page.items.length === pageSize && last ? String(last.id) : null,
    counts: {},
    totals: { [EXPORT_TOTALS.timesheetsRead]: page.items.length },
  };
}
