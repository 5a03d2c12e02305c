import type { ConnectionConfig, EntityKind } from '../config/schema';
import type { PageResult } from '../contracts/sync';
import { canonicalJson, descriptorFor, scopeFilter, selectFieldsFor, sha256Hex, toSageQueryFilter } from '../mapping';
import { applyMapped } from './apply-records';
import { stageDeactivations } from './stage-deactivations';
import { mapPage, recordRejected } from './map-page';
import { OutcomeSink } from './outcome-sink';
import type { SyncContext } from './sync-context';
import { SCOPE_STREAM } from './watermarks';

const LINK_PAGE = 5000;

/** Identifies a kind's scope (status filter, GL group, extra filters): a changed hash means a changed filter. */
export function scopeHash(kind: EntityKind, connection: ConnectionConfig): string {
  return sha256Hex(canonicalJson(scopeFilter(kind, connection) ?? null));
}

/**
 * Filters apply retroactively. When a kind's filter changed since the last real sync, every record in the
 * new scope is read and applied (records that entered it are created), and every linked record outside it
 * is deactivated (staged for the run's end, where the mass-change guard decides). A dry run lists exactly
 * that and changes nothing; the next real sync does exactly that. A read that is not complete (a row
 * without a RECORDNO) deactivates nothing.
 * When the filter did not change this costs no Sage Intacct transaction at all.
 */
export async function applyScope(ctx: SyncContext, kind: EntityKind): Promise<PageResult> {
  const hash = scopeHash(kind, ctx.connection);
  const stored = await ctx.ledger.getWatermark(ctx.connection.id, kind, SCOPE_STREAM);
  const sink = new OutcomeSink(ctx);
  const notices: string[] = [];
  if (stored?.cursor === hash) return { nextCursor: null, counts: {} };
  let complete = true;
  if (stored) {
    const d = descriptorFor(kind);
    // Present = every RECORDNO the complete read returned, rows that fail validation included: a record
    // Sage Intacct returned is not gone, whatever is wrong with it (it is reported failed instead).
    const present = new Set<string>();
    const filter = toSageQueryFilter(scopeFilter(kind, ctx.connection));
    for await (const page of ctx.sage.pagesByRecordNo({ object: d.sageObject, select: selectFieldsFor(kind, ctx.connection), filter, pageSize: ctx.connection.sage.pageSize }, undefined, { signal: ctx.signal })) {
      for (const r of page.records) present.add(String(r.RECORDNO));
      for (const r of page.rejected) {
        if (r.recordNo) present.add(r.recordNo);
        else complete = false;
      }
      recordRejected(kind, d.sageObject, page.rejected, sink);
      await applyMapped(ctx, kind, await mapPage(ctx, kind, page.records as Array<Record<string, unknown>>), sink);
      ctx.progress();
    }
    if (!complete) {
      notices.push(`${kind}: the filter changed, but Sage Intacct returned rows without a RECORDNO, so no ${kind} was deactivated for leaving it; the next sync tries again`);
    } else {
      let after: string | undefined;
      for (;;) {
        const links = await ctx.ledger.listLinks(ctx.connection.id, kind, { status: ['active', 'drifted', 'held'], afterSageKey: after, limit: LINK_PAGE });
        const outside = links.filter((l) => !present.has(l.sageKey));
        await stageDeactivations(ctx, kind, outside.map((link) => ({ link, reason: `no longer matches the ${kind} filter (the filter changed)` })));
        if (links.length < LINK_PAGE) break;
        after = links[links.length - 1].sageKey;
      }
    }
  }
  if (!ctx.dryRun && complete) await ctx.ledger.setWatermark({ connection: ctx.connection.id, kind, stream: SCOPE_STREAM, at: new Date(), cursor: hash });
  return { nextCursor: null, counts: await sink.flush(), notices };
}
