import type { EntityKind } from '../config/schema';
import type { PageResult, SyncObject } from '../contracts/sync';
import { inScope, selectFieldsFor } from '../mapping';
import { and, greaterThanOrEqualTo, inList, isNull, or, toSageTimestamp } from '../sage';
import { applyMapped } from './apply-records';
import { stageDeactivations } from './stage-deactivations';
import { mapPage, recordRejected } from './map-page';
import { OutcomeSink } from './outcome-sink';
import type { SyncContext } from './sync-context';
import { CHANGES_STREAM, readFrom } from './watermarks';

/** Failing records folded into each changes query. */
const FOLDED_FAILURES = 2000;

/**
 * One page of Sage records of one object changed since the watermark (minus the lookback), read WITHOUT
 * the scope filter so records that turned inactive or left the filter come back too. Records whose
 * WHENMODIFIED is empty are found by WHENCREATED, and records that failed before are read again whether
 * they changed or not. Each record is then, per entity kind read from the
 * object (ITEM feeds roles and assets), applied when in scope or deactivated when it left.
 */
export async function syncChangesPage(ctx: SyncContext, object: SyncObject, kinds: readonly EntityKind[], cursor: string | null): Promise<PageResult> {
  const since = await readFrom(ctx, object, CHANGES_STREAM);
  const offset = await ctx.sage.effectiveTimeZoneOffset({ signal: ctx.signal });
  const at = since && toSageTimestamp(since, offset);
  const select = [...new Set(['RECORDNO', 'STATUS', 'WHENCREATED', 'WHENMODIFIED', ...kinds.flatMap((k) => selectFieldsFor(k, ctx.connection))])];
  // Records that failed before ride along in the same query (up to 2,000 keys): revisited at no extra
  // transaction, and in dependency order (a project before its work orders). More go to the revisit phase.
  const failing = [...new Set((await ctx.ledger.listFailingRecords(ctx.connection.id, { kinds, limit: FOLDED_FAILURES })).map((f) => f.sageKey))];
  const page = await ctx.sage.pageByRecordNo(
    {
      object,
      select,
      filter: at
        ? or(
            greaterThanOrEqualTo('WHENMODIFIED', at),
            and(isNull('WHENMODIFIED'), greaterThanOrEqualTo('WHENCREATED', at)),
            failing.length ? inList('RECORDNO', failing) : undefined,
          )
        : undefined,
      pageSize: ctx.connection.sage.pageSize,
    },
    cursor ?? undefined,
    { signal: ctx.signal },
  );
  ctx.progress({ cursor });
  const sink = new OutcomeSink(ctx);
  recordRejected(kinds[0], object, page.rejected, sink);
  const records = page.records as Array<Record<string, unknown>>;

  for (const kind of kinds) {
    const inside = records.filter((r) => inScope(kind, r, ctx.connection));
    await applyMapped(ctx, kind, await mapPage(ctx, kind, inside), sink);
    const outside = records.filter((r) => !inScope(kind, r, ctx.connection));
    if (outside.length === 0) continue;
    const byKey = new Map(outside.map((r) => [String(r.RECORDNO), r]));
    const links = await ctx.ledger.getLinksBySageKeys(ctx.connection.id, kind, [...byKey.keys()]);
    await stageDeactivations(
      ctx,
      kind,
      links.map((link) => ({
        link,
        reason: byKey.get(link.sageKey)?.STATUS === 'inactive' ? `inactive in Sage Intacct` : `no longer matches the ${kind} filter in the configuration`,
      })),
    );
  }
  return { nextCursor: page.done ? null : page.cursor, counts: await sink.flush() };
}
