import type { EntityKind } from '../config/schema';
import type { PageResult } from '../contracts/sync';
import { descriptorFor, scopeFilter, selectFieldsFor, toSageQueryFilter } from '../mapping';
import { applyMapped } from './apply-records';
import { mapPage, recordRejected } from './map-page';
import { OutcomeSink } from './outcome-sink';
import type { SyncContext } from './sync-context';

/**
 * One page of the initial import: up to 2,000 in-scope Sage records (one `query`, keyset on RECORDNO,
 * only the mapped fields), mapped and applied to Assignar. Returns the cursor of the next page.
 */
export async function importPage(ctx: SyncContext, kind: EntityKind, cursor: string | null): Promise<PageResult> {
  const d = descriptorFor(kind);
  const page = await ctx.sage.pageByRecordNo(
    {
      object: d.sageObject,
      select: selectFieldsFor(kind, ctx.connection),
      filter: toSageQueryFilter(scopeFilter(kind, ctx.connection)),
      pageSize: ctx.connection.sage.pageSize,
    },
    cursor ?? undefined,
    { signal: ctx.signal },
  );
  ctx.progress({ cursor });
  const sink = new OutcomeSink(ctx);
  recordRejected(kind, d.sageObject, page.rejected, sink);
  await applyMapped(ctx, kind, await mapPage(ctx, kind, page.records as Array<Record<string, unknown>>), sink);
  return { nextCursor: page.done ? null : page.cursor, counts: await sink.flush() };
}
