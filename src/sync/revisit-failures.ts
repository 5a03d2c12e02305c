import { z } from 'zod';
import { EntityKindSchema, type EntityKind } from '../config/schema';
import type { PageResult, SyncObject } from '../contracts/sync';
import { inScope, selectFieldsFor } from '../mapping';
import { inList } from '../sage';
import { applyMapped } from './apply-records';
import { mapPage, recordRejected } from './map-page';
import { OutcomeSink } from './outcome-sink';
import { stageDeactivations } from './stage-deactivations';
import type { SyncContext } from './sync-context';

/** One `query` re-reads up to this many failing records by RECORDNO. */
const KEYS_PER_QUERY = 2000;

const CursorSchema = z.object({ kind: EntityKindSchema, sageKey: z.string().min(1) });

/**
 * Failures are revisited, not forgotten: records of this Sage object whose last outcome was `failed` (a
 * refused write, a mapping failure for a missing dependency, a malformed row, a failed deactivation) are
 * read again whether or not they changed in Sage Intacct. The changes query already folds in up to 2,000
 * of them per object; this phase re-reads by key (one query per 2,000) whatever this run has not tried
 * yet — failing records beyond those, and ones the changes query did not return because they are gone.
 * A record no longer in scope is deactivated if linked; one no longer in Sage Intacct at all is forgotten
 * (and its link, if any, deactivated: a complete read by key that lacks it is proof it is gone). With
 * nothing left to revisit it costs no Sage transaction.
 */
export async function revisitFailuresPage(ctx: SyncContext, object: SyncObject, kinds: readonly EntityKind[], cursor: string | null): Promise<PageResult> {
  const after = cursor ? CursorSchema.parse(JSON.parse(cursor)) : undefined;
  const failing = await ctx.ledger.listFailingRecords(ctx.connection.id, { kinds, after, exceptRunId: ctx.runId, limit: KEYS_PER_QUERY });
  if (failing.length === 0) return { nextCursor: null, counts: {} };
  const keys = [...new Set(failing.map((f) => f.sageKey))];
  const select = [...new Set(['RECORDNO', 'STATUS', ...kinds.flatMap((k) => selectFieldsFor(k, ctx.connection))])];
  const result = await ctx.sage.query({ object, select, filter: inList('RECORDNO', keys), pageSize: KEYS_PER_QUERY }, { signal: ctx.signal });
  ctx.progress({ cursor });
  const sink = new OutcomeSink(ctx);
  const rejectedKeys = new Set(result.rejected.map((r) => r.recordNo).filter((k): k is string => Boolean(k)));
  const byKey = new Map((result.records as Array<Record<string, unknown>>).map((r) => [String(r.RECORDNO), r]));

  for (const kind of kinds) {
    const mine = failing.filter((f) => f.kind === kind);
    if (mine.length === 0) continue;
    recordRejected(kind, object, result.rejected.filter((r) => r.recordNo && mine.some((f) => f.sageKey === r.recordNo)), sink);
    const found = mine.map((f) => byKey.get(f.sageKey)).filter((r): r is Record<string, unknown> => r !== undefined);
    const inside = found.filter((r) => inScope(kind, r, ctx.connection));
    await applyMapped(ctx, kind, await mapPage(ctx, kind, inside), sink);

    const outside = found.filter((r) => !inScope(kind, r, ctx.connection)).map((r) => String(r.RECORDNO));
    const absent = mine.filter((f) => !byKey.has(f.sageKey) && !rejectedKeys.has(f.sageKey)).map((f) => f.sageKey);
    const links = await ctx.ledger.getLinksBySageKeys(ctx.connection.id, kind, [...outside, ...absent]);
    await stageDeactivations(
      ctx,
      kind,
      links.map((link) => ({
        link,
        reason: absent.includes(link.sageKey)
          ? 'deleted in Sage Intacct (not found when re-read by key)'
          : byKey.get(link.sageKey)?.STATUS === 'inactive'
            ? 'inactive in Sage Intacct'
            : `no longer matches the ${kind} filter in the configuration`,
      })),
    );
    // Out of scope or gone: nothing left to retry (a linked one is now a pending deactivation).
    if (!ctx.dryRun) await ctx.ledger.clearFailingRecords(ctx.connection.id, kind, [...outside, ...absent]);
  }
  const last = failing[failing.length - 1];
  return { nextCursor: failing.length < KEYS_PER_QUERY ? null : JSON.stringify({ kind: last.kind, sageKey: last.sageKey }), counts: await sink.flush() };
}
