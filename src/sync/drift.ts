import type { EntityKind } from '../config/schema';
import type { PageResult } from '../contracts/sync';
import type { Link } from '../ledger';
import type { Filter } from '../assignar';
import { assignarHash, assignarMatchValue, comparable, comparableFields, deactivationPayload, descriptorFor, FIELD_WORKER_USER_TYPE_ID } from '../mapping';
import { collectionFor, type AssignarRecord } from './assignar-collection';
import { isConnectionFailure } from '../errors';
import { describeError } from './describe-error';
import { changedFields } from './linked-updates';
import { OutcomeSink } from './outcome-sink';
import type { SyncContext } from './sync-context';

const LINK_PAGE = 5000;

/** Only these Assignar records can be Intacct-owned: office users, say, are Assignar's own. */
const OWNED_FILTER: Partial<Record<EntityKind, Filter>> = { worker: { user_type_id: FIELD_WORKER_USER_TYPE_ID } };

/**
 * Drift: Intacct-owned Assignar records edited, deleted or duplicated in Assignar, and records created
 * there. One listing of the Assignar resource (only the compared fields) against the links. Per the
 * kind's policy, `overwrite` puts Sage Intacct's values back (recreating deleted records, deactivating
 * duplicates) and `hold` marks the link held for the true-up. Either way the drift is an outcome.
 */
export async function detectDrift(ctx: SyncContext, kind: EntityKind): Promise<PageResult> {
  const policy = ctx.connection.entities[kind].drift;
  const sink = new OutcomeSink(ctx);
  const d = descriptorFor(kind);
  const collection = collectionFor(ctx.assignar, kind);

  const byId = new Map<string, AssignarRecord>();
  const fields = [...new Set(['id', 'active', d.matchKey, ...comparableFields(kind, ctx.connection)])];
  // Keyset on id, not page numbers: a record deleted mid-listing must not shift another out of view (it
  // would look deleted in Assignar and be recreated).
  const pageSize = ctx.connection.assignar.pageSize;
  let lastId = 0;
  for (;;) {
    const page = await collection.listPage({ sort: 'id', fields, filter: { ...OWNED_FILTER[kind], id: { gt: lastId } }, pageSize }, undefined, { signal: ctx.signal });
    for (const r of page.items) byId.set(String(r.id), r);
    ctx.progress();
    if (page.items.length < pageSize) break;
    lastId = page.items[page.items.length - 1].id;
  }
  // Held links whose outcome this run already recorded (with both versions, when the changes phase held
  // them) keep that outcome.
  const heldThisRun = new Set<string>();

  const linkedMatch = new Map<string, string>();
  let after: string | undefined;
  for (;;) {
    const links = await ctx.ledger.listLinks(ctx.connection.id, kind, { status: ['active', 'drifted', 'held'], afterSageKey: after, limit: LINK_PAGE });
    const held = links.filter((l) => l.status === 'held').map((l) => l.sageKey);
    if (held.length) for (const o of await ctx.ledger.getOutcomes(ctx.runId, kind, held)) if (o.outcome === 'held') heldThisRun.add(o.recordKey);
    for (const link of links) {
      const record = byId.get(link.assignarId);
      byId.delete(link.assignarId);
      const matchValue = typeof link.payload?.[d.matchKey] === 'string' ? (link.payload[d.matchKey] as string) : '';
      if (matchValue) linkedMatch.set(matchValue, link.assignarId);
      if (link.status === 'held' && (!record || assignarHash(record, kind, ctx.connection, link.payload) !== link.contentHash)) {
        // Already waiting for the true-up: reported as held on every run, not re-detected as new drift.
        if (!heldThisRun.has(link.sageKey)) sink.add({ kind, recordKey: link.sageKey, sageId: link.sageId, assignarId: link.assignarId, outcome: 'held', reason: link.reason ?? 'held for the true-up' });
      } else if (!record) await onDeleted(ctx, kind, policy, link, sink);
      else if (assignarHash(record, kind, ctx.connection, link.payload) !== link.contentHash) await onEdited(ctx, kind, policy, link, record, sink);
      else if (link.status !== 'active' && !ctx.dryRun) await ctx.ledger.markLinks(ctx.connection.id, kind, [link.sageKey], { status: 'active', reason: null });
    }
    if (links.length < LINK_PAGE) break;
    after = links[links.length - 1].sageKey;
  }

  // What is left is in Assignar but linked to nothing: duplicates of linked records, or records created there.
  const duplicates: AssignarRecord[] = [];
  for (const record of byId.values()) {
    if (record.active === false) continue;
    const value = assignarMatchValue(kind, record);
    const of = value ? linkedMatch.get(value) : undefined;
    const recordKey = `assignar:${record.id}`;
    if (of && policy === 'overwrite') duplicates.push(record);
    else if (of) sink.add({ kind, recordKey, assignarId: record.id, outcome: 'drifted', reason: `duplicate in Assignar of linked record ${of}; held for the true-up`, details: { change: 'duplicated', of, action: 'held' } });
    else sink.add({ kind, recordKey, assignarId: record.id, outcome: 'drifted', reason: `created in Assignar with no Sage Intacct record${value ? ` (${d.matchKey} ${value})` : ''}; held for the true-up`, details: { change: 'created', action: 'held' } });
  }
  if (duplicates.length) {
    const results = ctx.dryRun ? [] : await collection.updateMany(duplicates.map((r) => ({ id: r.id, body: deactivationPayload(kind, r) })), { signal: ctx.signal });
    const broken = results.find((r) => r.status === 'rejected' && isConnectionFailure(r.error));
    if (broken?.status === 'rejected') throw broken.error;
    duplicates.forEach((r, i) => {
      const of = linkedMatch.get(assignarMatchValue(kind, r));
      const failed = results[i]?.status === 'rejected' ? results[i] : undefined;
      sink.add({
        kind, recordKey: `assignar:${r.id}`, assignarId: r.id, outcome: failed ? 'failed' : 'drifted',
        reason: failed && failed.status === 'rejected' ? `could not deactivate duplicate ${r.id} of ${of}: ${describeError(failed.error)}` : `duplicate in Assignar of linked record ${of}: deactivated`,
        details: { change: 'duplicated', of: of ?? null, action: 'deactivated', dryRun: ctx.dryRun },
      });
    });
  }
  return { nextCursor: null, counts: await sink.flush() };
}

async function onDeleted(ctx: SyncContext, kind: EntityKind, policy: 'overwrite' | 'hold', link: Link, sink: OutcomeSink): Promise<void> {
  const base = { kind, recordKey: link.sageKey, sageId: link.sageId, assignarId: link.assignarId };
  if (policy === 'hold' || !link.payload) {
    if (!ctx.dryRun) await ctx.ledger.markLinks(ctx.connection.id, kind, [link.sageKey], { status: 'held', reason: 'deleted in Assignar; held for the true-up' });
    sink.add({ ...base, outcome: 'drifted', reason: 'deleted in Assignar; held for the true-up', details: { change: 'deleted', action: 'held' } });
    return;
  }
  if (ctx.dryRun) {
    sink.add({ ...base, outcome: 'drifted', reason: 'deleted in Assignar; would be recreated from Sage Intacct', details: { change: 'deleted', action: 'recreate', dryRun: true } });
    return;
  }
  const [result] = await collectionFor(ctx.assignar, kind).createMany([link.payload], { signal: ctx.signal });
  if (result.status === 'rejected' && isConnectionFailure(result.error)) throw result.error;
  if (result.status === 'rejected') {
    sink.add({ ...base, outcome: 'failed', reason: `deleted in Assignar and could not be recreated: ${describeError(result.error)}` });
    return;
  }
  await ctx.ledger.upsertLinks([{ ...link, assignarId: String(result.value), status: 'active', reason: null }]);
  sink.add({ ...base, assignarId: result.value, outcome: 'drifted', reason: `deleted in Assignar; recreated from Sage Intacct as ${result.value}`, details: { change: 'deleted', action: 'recreated', previousId: link.assignarId } });
}

async function onEdited(ctx: SyncContext, kind: EntityKind, policy: 'overwrite' | 'hold', link: Link, record: AssignarRecord, sink: OutcomeSink): Promise<void> {
  const base = { kind, recordKey: link.sageKey, sageId: link.sageId, assignarId: link.assignarId };
  const changed = changedFields(comparable(record, kind, ctx.connection), link.payload ?? {});
  if (policy === 'hold' || !link.payload) {
    if (!ctx.dryRun) await ctx.ledger.markLinks(ctx.connection.id, kind, [link.sageKey], { status: 'held', reason: `edited in Assignar (${changed.join(', ')}); held for the true-up` });
    sink.add({ ...base, outcome: 'drifted', reason: `edited in Assignar (${changed.join(', ')}); held for the true-up`, details: { change: 'edited', fields: changed, action: 'held' } });
    return;
  }
  if (!ctx.dryRun) {
    const [result] = await collectionFor(ctx.assignar, kind).updateMany([{ id: Number(link.assignarId), body: link.payload }], { signal: ctx.signal });
    if (result.status === 'rejected' && isConnectionFailure(result.error)) throw result.error;
    if (result.status === 'rejected') {
      sink.add({ ...base, outcome: 'failed', reason: `edited in Assignar (${changed.join(', ')}) and could not be overwritten: ${describeError(result.error)}` });
      return;
    }
    if (link.status !== 'active') await ctx.ledger.markLinks(ctx.connection.id, kind, [link.sageKey], { status: 'active', reason: null });
  }
  sink.add({ ...base, outcome: 'drifted', reason: `edited in Assignar (${changed.join(', ')}); Sage Intacct's values ${ctx.dryRun ? 'would be' : 'were'} put back`, details: { change: 'edited', fields: changed, action: 'overwritten', dryRun: ctx.dryRun } });
}

