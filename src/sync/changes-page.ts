import type { EntityKind } from '../config/schema';
import type { PageResult, SyncObject } from '../contracts/sync';
import { inScope, selectFieldsFor } from '../mapping';
import { and, greaterThanOrEqualTo, isNull, or, toSageTimestamp } from '../sage';
import { applyMapped } from './apply-records';
import { deactivateLinks } from './deactivate';
import { mapPage, recordRejected } from './map-page';
import { OutcomeSink } from './outcome-sink';
import type { SyncContext } from './sync-context';
import { CHANGES_STREAM, readFrom } from './watermarks';

/**
 * One page of Sage records of one object changed since the watermark (minus the lookback), read WITHOUT
 * the scope filter so records that turned inactive or left the filter come back too. Records whose
 * WHENMODIFIED is empty are found by WHENCREATED. Each record is then, per entity kind read from the
 * object (ITEM feeds roles and assets), applied when in scope or deactivated when it left.
 */
export async function syncChangesPage(ctx: SyncContext, object: SyncObject, kinds: readonly EntityKind[], cursor: string | null): Promise<PageResult> {
  const since = await readFrom(ctx, object, CHANGES_STREAM);
  const offset = ctx.connection.sage.userTimeZoneOffset;
  const at = since && toSageTimestamp(since, offset);
  const select = [...new Set(['RECORDNO', 'STATUS', 'WHENCREATED', 'WHENMODIFIED', ...kinds.flatMap((k) => selectFieldsFor(k, ctx.connection))])];
  const page = await ctx.sage.pageByRecordNo(
    {
      object,
      select,
      filter: at ? or(greaterThanOrEqualTo('WHENMODIFIED', at), and(isNull('WHENMODIFIED'), greaterThanOrEqualTo('WHENCREATED', at))) : undefined,
      pageSize: ctx.connection.sage.pageSize,
    },
    cursor ?? undefined,
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
    await deactivateLinks(
      ctx,
      kind,
      links.map((link) => ({
        link,
        reason: byKey.get(link.sageKey)?.STATUS === 'inactive' ? `inactive in Sage Intacct` : `no longer matches the ${kind} filter in the configuration`,
      })),
      sink,
    );
  }
  return { nextCursor: page.done ? null : page.cursor, counts: await sink.flush() };
}
