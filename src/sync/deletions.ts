import type { EntityKind } from '../config/schema';
import { SYNC_STREAMS, type PageResult, type SyncObject } from '../contracts/sync';
import type { Link } from '../ledger';
import { and, equalTo, greaterThanOrEqualTo, inList, SagePermissionError, toSageTimestamp } from '../sage';
import { deactivateLinks } from './deactivate';
import { OutcomeSink } from './outcome-sink';
import type { SyncContext } from './sync-context';
import { DELETIONS_KEY, DELETIONS_STREAM, readFrom } from './watermarks';

const LINK_PAGE = 5000;

/**
 * Records deleted in Sage Intacct are deactivated in Assignar. Deletions are read from AUDITHISTORY (one
 * query for every object) since the deletions watermark; where the web-services user may not read it
 * (or `sage.auditHistory: false`), a key reconciliation compares every RECORDNO with the links instead.
 */
export async function syncDeletions(ctx: SyncContext, kinds: readonly EntityKind[]): Promise<PageResult> {
  const streams = SYNC_STREAMS.filter((s) => s.kinds.some((k) => kinds.includes(k)));
  const sink = new OutcomeSink(ctx);
  let deleted: Map<SyncObject, Set<string>> | undefined;
  let method = 'audit history';
  if (ctx.connection.sage.auditHistory) {
    try {
      deleted = await deletedFromAuditHistory(ctx, streams.map((s) => s.object));
    } catch (err) {
      if (!(err instanceof SagePermissionError)) throw err;
      method = 'key reconciliation (AUDITHISTORY is not permitted for this user)';
    }
  } else method = 'key reconciliation (sage.auditHistory is false)';

  for (const stream of streams) {
    for (const kind of stream.kinds.filter((k) => kinds.includes(k))) {
      const gone: Link[] = deleted
        ? await ctx.ledger.getLinksBySageKeys(ctx.connection.id, kind, [...(deleted.get(stream.object) ?? [])])
        : await missingFromSage(ctx, stream.object, kind);
      await deactivateLinks(ctx, kind, gone.map((link) => ({ link, reason: `deleted in Sage Intacct (found by ${method})` })), sink);
    }
  }
  return { nextCursor: null, counts: await sink.flush() };
}

async function deletedFromAuditHistory(ctx: SyncContext, objects: readonly SyncObject[]): Promise<Map<SyncObject, Set<string>>> {
  const since = await readFrom(ctx, DELETIONS_KEY, DELETIONS_STREAM);
  const byType = new Map(objects.map((o) => [o.toLowerCase(), o]));
  const out = new Map<SyncObject, Set<string>>();
  const filter = and(
    equalTo('ACCESSMODE', 'D'),
    inList('OBJECTTYPE', [...byType.keys()]),
    since ? greaterThanOrEqualTo('ACCESSTIME', toSageTimestamp(since, ctx.connection.sage.userTimeZoneOffset)) : undefined,
  );
  for await (const page of ctx.sage.pagesByRecordNo({ object: 'AUDITHISTORY', select: ['RECORDNO', 'OBJECTTYPE', 'OBJECTKEY', 'ACCESSMODE', 'ACCESSTIME'], filter, pageSize: ctx.connection.sage.pageSize })) {
    for (const row of page.records) {
      const object = byType.get(String(row.OBJECTTYPE).toLowerCase());
      const key = /^(\d+)/.exec(String(row.OBJECTKEY))?.[1];
      if (!object || !key) continue;
      if (!out.has(object)) out.set(object, new Set());
      out.get(object)!.add(key);
    }
    ctx.progress();
  }
  return out;
}

async function missingFromSage(ctx: SyncContext, object: SyncObject, kind: EntityKind): Promise<Link[]> {
  const present = new Set<string>();
  for await (const page of ctx.sage.pagesByRecordNo({ object, select: ['RECORDNO'], pageSize: ctx.connection.sage.pageSize })) {
    for (const r of page.records) present.add(String(r.RECORDNO));
    ctx.progress();
  }
  const missing: Link[] = [];
  let after: string | undefined;
  for (;;) {
    const links = await ctx.ledger.listLinks(ctx.connection.id, kind, { status: ['active', 'drifted', 'held'], afterSageKey: after, limit: LINK_PAGE });
    missing.push(...links.filter((l) => !present.has(l.sageKey)));
    if (links.length < LINK_PAGE) return missing;
    after = links[links.length - 1].sageKey;
  }
}
