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

/** Pages per activity call: staging a page overlaps reading the next one. */
export const PAGES_PER_CALL = 5;

/**
 * Reads up to PAGES_PER_CALL pages of a stream, in id order (keyset on id, so timesheets processed
 * meanwhile never shift a page), and stages every timesheet for the run's build phase; each page is staged
 * while the next one is read. Idempotent: a redone call stages the same rows again.
 */
export async function collectPage(ctx: ExportContext, stream: ExportStream, cursor: string | null): Promise<ExportPageResult> {
  // The connection's page size (default 500): 20,000 approved timesheets are 40 reads.
  const pageSize = ctx.connection.assignar.pageSize;
  let afterId = cursor === null ? null : Number(cursor);
  let read = 0;
  const staging: Array<Promise<void>> = [];
  let more = true;
  for (let n = 0; n < PAGES_PER_CALL && more; n++) {
    const page = await ctx.assignar.timesheetsExpanded.listPage({ filter: streamFilter(ctx, stream, afterId), sort: 'id', pageSize }, undefined, { signal: ctx.signal });
    staging.push(
      ctx.ledger.stageExportCandidates(
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
      ),
    );
    read += page.items.length;
    more = page.items.length === pageSize;
    afterId = page.items.at(-1)?.id ?? afterId;
    ctx.progress({ stream, read, lastId: afterId });
  }
  await Promise.all(staging);
  return {
    nextCursor: more && afterId !== null ? String(afterId) : null,
    counts: {},
    totals: { [EXPORT_TOTALS.timesheetsRead]: read },
  };
}
