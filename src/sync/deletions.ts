import type { EntityKind } from '../config/schema';
import { SYNC_STREAMS, type PageResult, type SyncObject } from '../contracts/sync';
import type { Link } from '../ledger';
import { and, equalTo, greaterThanOrEqualTo, inList, SAGE_OBJECTS, SagePermissionError, toSageTimestamp } from '../sage';
import { recordRejected } from './map-page';
import { OutcomeSink } from './outcome-sink';
import { stageDeactivations } from './stage-deactivations';
import type { SyncContext } from './sync-context';
import { DELETIONS_KEY, DELETIONS_STREAM, readFrom } from './watermarks';

const LINK_PAGE = 5000;

/**
 * Records deleted in Sage Intacct are deactivated in Assignar (staged for the run's end, where the
 * mass-change guard decides). Deletions are read from AUDITHISTORY (one query for every object) since the
 * deletions watermark; where the web-services user may not read it (or `sage.auditHistory: false`), a key
 * reconciliation compares every key Sage Intacct holds with the links instead. A link counts as deleted
 * only when the complete key set was read and lacks it: a row that fails validation is present (and
 * reported failed), and a read that could not key every row deactivates nothing.
 */
export async function syncDeletions(ctx: SyncContext, kinds: readonly EntityKind[]): Promise<PageResult> {
  const streams = SYNC_STREAMS.filter((s) => s.kinds.some((k) => kinds.includes(k)));
  const sink = new OutcomeSink(ctx);
  const notices: string[] = [];
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
    const streamKinds = stream.kinds.filter((k) => kinds.includes(k));
    const present = deleted ? undefined : await presentKeys(ctx, stream.object, streamKinds[0], sink);
    if (present === null) {
      notices.push(`${stream.object}: rows came back without a RECORDNO, so deletions were not reconciled this run`);
      continue;
    }
    for (const kind of streamKinds) {
      const gone: Link[] = present ? await linksMissingFrom(ctx, kind, present) : await ctx.ledger.getLinksBySageKeys(ctx.connection.id, kind, [...(deleted?.get(stream.object) ?? [])]);
      await stageDeactivations(ctx, kind, gone.map((link) => ({ link, reason: `deleted in Sage Intacct (found by ${method})` })));
    }
  }
  return { nextCursor: null, counts: await sink.flush(), notices };
}

async function deletedFromAuditHistory(ctx: SyncContext, objects: readonly SyncObject[]): Promise<Map<SyncObject, Set<string>>> {
  const since = await readFrom(ctx, DELETIONS_KEY, DELETIONS_STREAM);
  const offset = since ? await ctx.sage.effectiveTimeZoneOffset({ signal: ctx.signal }) : '';
  const byType = new Map(objects.map((o) => [o.toLowerCase(), o]));
  const out = new Map<SyncObject, Set<string>>();
  const filter = and(
    equalTo('ACCESSMODE', 'D'),
    inList('OBJECTTYPE', [...byType.keys()]),
    since ? greaterThanOrEqualTo('ACCESSTIME', toSageTimestamp(since, offset)) : undefined,
  );
  for await (const page of ctx.sage.pagesByRecordNo({ object: 'AUDITHISTORY', select: ['RECORDNO', 'OBJECTTYPE', 'OBJECTKEY', 'ACCESSMODE', 'ACCESSTIME'], filter, pageSize: ctx.connection.sage.pageSize }, undefined, { signal: ctx.signal })) {
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

/** The fields a row of the object needs to pass its schema: RECORDNO and the ID fields (not every field). */
export function keyFields(object: SyncObject): string[] {
  const shape = SAGE_OBJECTS[object].schema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
  return Object.keys(shape).filter((field) => !shape[field].safeParse(undefined).success);
}

/**
 * Every RECORDNO of the object, read in full (one query per 2,000 records, only the key fields). Null when
 * some row could not be keyed, which proves nothing about what is absent.
 */
async function presentKeys(ctx: SyncContext, object: SyncObject, kind: EntityKind, sink: OutcomeSink): Promise<Set<string> | null> {
  const present = new Set<string>();
  let complete = true;
  for await (const page of ctx.sage.pagesByRecordNo({ object, select: keyFields(object), pageSize: ctx.connection.sage.pageSize }, undefined, { signal: ctx.signal })) {
    for (const r of page.records) present.add(String(r.RECORDNO));
    for (const r of page.rejected) {
      if (r.recordNo) present.add(r.recordNo);
      else complete = false;
    }
    recordRejected(kind, object, page.rejected, sink);
    ctx.progress();
  }
  return complete ? present : null;
}

async function linksMissingFrom(ctx: SyncContext, kind: EntityKind, present: ReadonlySet<string>): Promise<Link[]> {
  const missing: Link[] = [];
  let after: string | undefined;
  for (;;) {
    const links = await ctx.ledger.listLinks(ctx.connection.id, kind, { status: ['active', 'drifted', 'held'], afterSageKey: after, limit: LINK_PAGE });
    missing.push(...links.filter((l) => !present.has(l.sageKey)));
    if (links.length < LINK_PAGE) return missing;
    after = links[links.length - 1].sageKey;
  }
}
