import { z } from 'zod';
import type { Filter } from '../assignar/query';
import { EXPORT_TOTALS, type ExportPageResult, type ExportStream } from '../contracts/export';
import { ValidationError } from '../errors';
import type { Json } from '../ledger';
import type { ExportContext } from './export-context';

/** The Assignar filter of a stream: approved (per configuration), and unprocessed or corrected since processing. */
export function streamFilter(ctx: Pick<ExportContext, 'connection'>, stream: ExportStream, afterId: number | null, upToId: number | null = null): Filter {
  const statuses = ctx.connection.timesheets.approvedStatuses;
  const filter: Filter = { status: statuses ? { in: statuses } : { starts_with: 'APPROVED' } };
  if (stream === 'approved') filter.is_processed = false;
  else {
    // Processed, then changed: Assignar keeps a processed timesheet processed when it is edited, and
    // processing itself sets modified_time = processed_at, so a later modified_time is a correction.
    filter.is_processed = true;
    filter.modified_time = { gt_col: 'processed_at' };
  }
  if (afterId !== null || upToId !== null) {
    filter.id = {
      ...(afterId !== null ? { gt: afterId } : {}),
      ...(upToId !== null ? { lte: upToId } : {}),
    };
  }
  return filter;
}

/** Rounds per activity call: each round reads one page of every unfinished range. */
export const ROUNDS_PER_CALL = 3;
/**
 * Id ranges read side by side. Keyset paging is sequential by nature (each page starts after the last id
 * of the one before), so one stream leaves the API and the worker taking turns; a few ranges keep both
 * busy. 40 pages of 500 took 9.7 s as one stream.
 */
export const COLLECT_RANGES = 4;

/** A range of ids still to read: after `after` (exclusive) up to `upTo` (inclusive; null = open-ended). */
const RangeSchema = z.tuple([z.int().nullable(), z.int().nullable()]);
const CursorSchema = z.array(RangeSchema).min(1);
type Range = z.infer<typeof RangeSchema>;

/**
 * The ranges a cursor holds: JSON `[[after, upTo], …]`, or a bare id (one open-ended range, as runs of an
 * earlier release left it).
 */
function rangesOf(cursor: string): Range[] {
  if (/^\d+$/.test(cursor)) return [[Number(cursor), null]];
  let json: unknown;
  try {
    json = JSON.parse(cursor);
  } catch {
    json = undefined;
  }
  const parsed = CursorSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError(`collect cursor ${JSON.stringify(cursor.slice(0, 80))} is not a list of id ranges`);
  return parsed.data;
}

/**
 * The stream's id span, split evenly into COLLECT_RANGES ranges (the last open-ended, so a timesheet
 * approved meanwhile with a higher id is still read); none when the stream is empty. Two one-row reads.
 */
async function initialRanges(ctx: ExportContext, stream: ExportStream): Promise<Range[]> {
  const edge = (sort: 'id' | '-id') =>
    ctx.assignar.timesheetsExpanded.listPage({ filter: streamFilter(ctx, stream, null), sort, fields: ['id'], pageSize: 1 }, undefined, { signal: ctx.signal });
  const [first, last] = await Promise.all([edge('id'), edge('-id')]);
  const lo = first.items[0]?.id;
  const hi = last.items[0]?.id;
  if (typeof lo !== 'number' || typeof hi !== 'number') return [];
  const span = hi - lo + 1;
  const n = Math.max(1, Math.min(COLLECT_RANGES, Math.ceil(span / ctx.connection.assignar.pageSize)));
  const bounds = Array.from({ length: n + 1 }, (_, i) => lo - 1 + Math.round((i * span) / n));
  return bounds.slice(0, n).map((after, i): Range => [after, i === n - 1 ? null : bounds[i + 1]]);
}

/**
 * Reads up to ROUNDS_PER_CALL rounds of a stream's pages, each round one page of every unfinished id range
 * at once, in id order within a range (keyset on id, so timesheets processed meanwhile never shift a page),
 * and stages every timesheet for the run's build phase while the next round is read. Idempotent: a redone
 * call stages the same rows again.
 */
export async function collectPage(ctx: ExportContext, stream: ExportStream, cursor: string | null): Promise<ExportPageResult> {
  // The connection's page size (default 500): 20,000 approved timesheets are 40 reads.
  const pageSize = ctx.connection.assignar.pageSize;
  let ranges = cursor === null ? await initialRanges(ctx, stream) : rangesOf(cursor);
  let read = 0;
  const staging: Array<Promise<void>> = [];
  for (let round = 0; round < ROUNDS_PER_CALL && ranges.length > 0; round++) {
    const pages = await Promise.all(
      ranges.map(([after, upTo]) =>
        ctx.assignar.timesheetsExpanded.listPage({ filter: streamFilter(ctx, stream, after, upTo), sort: 'id', pageSize }, undefined, { signal: ctx.signal }),
      ),
    );
    const next: Range[] = [];
    pages.forEach((page, i) => {
      staging.push(ctx.ledger.stageExportCandidates(page.items.map((ts) => candidateOf(ctx, stream, ts))));
      read += page.items.length;
      const lastId = page.items.at(-1)?.id;
      if (page.items.length === pageSize && typeof lastId === 'number') next.push([lastId, ranges[i][1]]);
    });
    ranges = next;
    ctx.progress({ stream, read, ranges });
  }
  await Promise.all(staging);
  return {
    nextCursor: ranges.length > 0 ? JSON.stringify(ranges) : null,
    counts: {},
    totals: { [EXPORT_TOTALS.timesheetsRead]: read },
  };
}

function candidateOf(ctx: ExportContext, stream: ExportStream, ts: { id: number | string; user_id?: number | null; modified_time?: string | null }) {
  return {
    connection: ctx.connection.id,
    runId: ctx.runId,
    assignarTimesheetId: String(ts.id),
    assignarUserId: ts.user_id === null || ts.user_id === undefined ? '' : String(ts.user_id),
    // No version field in the API: modified_time is the version (a timesheet without one is held).
    version: ts.modified_time ?? 'none',
    stream,
    body: ts as unknown as Json,
  };
}
