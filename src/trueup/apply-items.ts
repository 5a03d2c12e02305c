import type { EntityKind } from '../config/schema';
import type { LinkInput, TrueupPlanItem } from '../ledger';
import { CATALOG, deactivationPayload, mapRecord, selectFieldsFor, SYNC_ORDER } from '../mapping';
import { isConnectionFailure } from '../errors';
import { collectionFor } from '../sync/assignar-collection';
import { describeError } from '../sync/describe-error';
import { applyMapped } from '../sync/apply-records';
import { linkLookupFor } from '../sync/link-lookup';
import { OutcomeSink } from '../sync/outcome-sink';
import { acceptBaselines } from '../sync/release-link';
import type { SyncContext } from '../sync/sync-context';
import { applyCreateInSage } from './create-in-sage';

type Row = Readonly<Record<string, unknown>>;

export interface WaveResult {
  applied: number;
  failed: number;
  /** False when no approved item was left: the apply phase is over. */
  more: boolean;
}

const SUCCESS = new Set(['created', 'updated', 'adopted', 'unchanged']);

/** What one kind's part of a wave did: items applied, and items failed with the reason. */
interface KindResult {
  done: Set<string>;
  failures: Map<string, string>;
}

/**
 * Applies the next wave of approved items (approved for the content they have now), kind by kind in
 * dependency order (a client before its projects). Each item's effect is idempotent, so a wave redone
 * after a crash repeats nothing: a link already made is made again, a write whose content is already
 * there is `unchanged`. Writes go through the sync engine (the same rate limits, adoption instead of
 * duplicates, outcomes in the ledger) with Sage Intacct winning: the operator approved exactly that. An
 * item's own refusal fails that item with the reason; a failure of the connection fails the wave (the
 * activity retries it).
 */
export async function applyTrueupWave(syncCtx: SyncContext, trueupId: string, size: number): Promise<WaveResult> {
  const conn = syncCtx.connection.id;
  const items = await syncCtx.ledger.listApprovedTrueupItems(conn, trueupId, { limit: size });
  if (items.length === 0) return { applied: 0, failed: 0, more: false };
  const done = new Set<string>();
  const failures = new Map<string, string>();
  for (const kind of SYNC_ORDER) {
    const mine = items.filter((i) => i.kind === kind);
    if (mine.length === 0) continue;
    const result = await applyKind(syncCtx, trueupId, kind, mine);
    for (const id of result.done) done.add(id);
    for (const [id, reason] of result.failures) failures.set(id, reason);
  }
  if (done.size > 0) await syncCtx.ledger.markTrueupItems(conn, trueupId, [...done], { state: 'applied' });
  for (const [itemId, reason] of failures) await syncCtx.ledger.markTrueupItems(conn, trueupId, [itemId], { state: 'failed', reason });
  syncCtx.progress({ applied: done.size, failed: failures.size });
  // A short wave was the last: an approval that arrives meanwhile schedules the next apply.
  return { applied: done.size, failed: failures.size, more: items.length === size };
}

async function applyKind(syncCtx: SyncContext, trueupId: string, kind: EntityKind, items: readonly TrueupPlanItem[]): Promise<KindResult> {
  const conn = syncCtx.connection.id;
  const cat = CATALOG[kind];
  // What the operator approved is Sage Intacct's version: apply it under `overwrite` whatever the policy.
  const ctx: SyncContext = { ...syncCtx, connection: { ...syncCtx.connection, entities: { ...syncCtx.connection.entities, [kind]: { ...syncCtx.connection.entities[kind], drift: 'overwrite' } } } };
  const failures = new Map<string, string>();
  const done = new Set<string>();
  const noun = `Assignar ${cat.assignarType.replace(/s$/, '')}`;

  const byAction = (...actions: string[]) => items.filter((i) => actions.includes(i.action));
  const writes = byAction('link', 'overwrite', 'recreate').filter((i) => i.sageKey);
  // Both systems read at once: the Assignar records as they are now, the Sage Intacct records to write
  // (only the writes wait for the latter).
  const reading = writes.length > 0 ? ctx.sage.read(cat.sageObject, writes.map((i) => i.sageKey!), selectFieldsFor(kind, ctx.connection), { signal: ctx.signal }) : undefined;
  reading?.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
  // A recreate names no Assignar record, but its link may still name one (deleted there): read those too.
  const recreates = writes.filter((i) => i.action === 'recreate' && !i.assignarId).map((i) => i.sageKey!);
  const recreateLinks = recreates.length > 0 ? (await ctx.ledger.getLinksBySageKeys(conn, kind, recreates)).filter((l) => l.status !== 'deactivated') : [];
  const current = await assignarById(ctx, kind, [...items.flatMap((i) => (i.assignarId ? [i.assignarId] : [])), ...recreateLinks.map((l) => l.assignarId)]);

  // Writes from Sage Intacct: link, overwrite, recreate.
  const applyWrites = async () => {
    if (!reading) return;
    const read = await reading;
    const records = new Map(read.records.map((r) => [String(r.RECORDNO), r as Row]));
    const lookup = await linkLookupFor(ctx, kind, [...records.values()]);
    const mapped = [];
    const newLinks: LinkInput[] = [];
    for (const item of writes) {
      const r = records.get(item.sageKey!);
      if (!r) {
        failures.set(item.itemId, `Sage Intacct ${cat.sageObject} ${item.sageId} no longer exists; the next re-diff drops this item`);
        continue;
      }
      if (item.action === 'link' || (item.assignarId && current.has(item.assignarId))) {
        if (!item.assignarId || !current.has(item.assignarId)) {
          failures.set(item.itemId, `${noun} ${item.assignarId} no longer exists; the next re-diff proposes what to do instead`);
          continue;
        }
        // No hash: the sync engine writes Sage Intacct's values over whatever Assignar holds.
        newLinks.push({ connection: conn, kind, sageKey: item.sageKey!, sageId: item.sageId ?? String(r[cat.sageIdField] ?? item.sageKey), assignarId: item.assignarId, contentHash: null, status: 'active' });
      }
      mapped.push(mapRecord(kind, r, { config: ctx.connection, defaults: ctx.defaults, assignarIdFor: lookup.assignarIdFor, projectClientId: lookup.projectClientId }));
    }
    // A recreate whose link still names a record deleted in Assignar: forget what was written, so the engine
    // finds the record missing and creates it again (with an unchanged hash it would skip it as written).
    if (newLinks.length > 0) await ctx.ledger.upsertLinks(newLinks);
    const live = new Set(writes.filter((i) => !failures.has(i.itemId)).map((i) => i.sageKey!));
    const forget = recreateLinks.filter((l) => live.has(l.sageKey) && !current.has(l.assignarId)).map((l) => l.sageKey);
    if (forget.length > 0) await ctx.ledger.markLinks(conn, kind, forget, { status: 'active', contentHash: null, reason: `recreated by true-up ${trueupId}: its Assignar record was deleted` });
    const sink = new OutcomeSink(ctx);
    await applyMapped(ctx, kind, mapped, sink);
    await sink.flush();
    const outcomes = new Map((await ctx.ledger.getOutcomes(ctx.runId, kind, writes.map((i) => i.sageKey!))).map((o) => [o.recordKey, o]));
    for (const item of writes) {
      if (failures.has(item.itemId)) continue;
      const o = outcomes.get(item.sageKey!);
      if (o && SUCCESS.has(o.outcome)) done.add(item.itemId);
      else failures.set(item.itemId, o?.reason ?? `no outcome was recorded for Sage Intacct ${cat.sageObject} ${item.sageId}`);
    }
  };

  // Accepts: Assignar's values (as read for this wave) become the baseline; nothing is written to Assignar.
  const applyAccepts = async () => {
    const accepts = byAction('accept');
    if (accepts.length === 0) return;
    const links = new Map((await ctx.ledger.getLinksBySageKeys(conn, kind, accepts.map((i) => i.sageKey ?? ''))).map((l) => [l.sageKey, l]));
    const pairs = [];
    for (const item of accepts) {
      const link = links.get(item.sageKey ?? '');
      const record = link ? current.get(link.assignarId) : undefined;
      if (!link || link.status === 'deactivated') failures.set(item.itemId, `Sage Intacct ${cat.sageObject} ${item.sageId} has no link any more; the next re-diff proposes what to do instead`);
      else if (link.status !== 'held') done.add(item.itemId); // released since (by the CLI or a sync): nothing is held
      else if (!record) failures.set(item.itemId, `${noun} ${link.assignarId} no longer exists, so its values cannot be accepted; the next re-diff proposes to recreate it`);
      else pairs.push({ link, record, itemId: item.itemId });
    }
    await acceptBaselines(ctx.ledger, ctx.connection, kind, pairs, ` by true-up ${trueupId}`);
    for (const p of pairs) done.add(p.itemId);
  };

  const applyDeactivations = async () => {
    const deactivations = byAction('deactivate-duplicate', 'deactivate-orphan').filter((item) => {
      const record = item.assignarId ? current.get(item.assignarId) : undefined;
      if (record && record.active !== false) return true;
      done.add(item.itemId); // already gone or inactive: the goal holds
      return false;
    });
    if (deactivations.length === 0) return;
    const results = await collectionFor(ctx.assignar, kind).updateMany(
      deactivations.map((item) => ({ id: item.assignarId!, body: deactivationPayload(kind, current.get(item.assignarId!)!) })),
      { signal: ctx.signal },
    );
    for (const result of results) {
      const item = deactivations[result.index];
      if (result.status === 'rejected') {
        if (isConnectionFailure(result.error)) throw result.error;
        failures.set(item.itemId, `Assignar refused to deactivate ${noun} ${item.assignarId}: ${describeError(result.error)}`);
        continue;
      }
      const linked = await ctx.ledger.getLinksByAssignarIds(conn, kind, [item.assignarId!]);
      for (const l of linked) await ctx.ledger.markLinks(conn, kind, [l.sageKey], { status: 'deactivated', reason: `deactivated by true-up ${trueupId}: ${item.summary}` });
      done.add(item.itemId);
    }
  };

  // Workers only: Assignar-only workers created in Sage Intacct, then linked and written.
  const applyCreates = async () => {
    const creates = byAction('create-in-sage');
    if (kind !== 'worker' || creates.length === 0) return;
    const created = await applyCreateInSage(ctx, trueupId, creates, current);
    for (const itemId of created.done) done.add(itemId);
    for (const [itemId, reason] of created.failures) failures.set(itemId, reason);
  };

  // They touch different records and share the clients' limits: run together, they keep them busy.
  const settled = await Promise.allSettled([applyWrites(), applyAccepts(), applyDeactivations(), applyCreates()]);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  return { done, failures };
}

/** Assignar records of a kind by id (one list call per 200), as the API shows them now; deleted ones are absent. */
export async function assignarById(ctx: Pick<SyncContext, 'assignar' | 'signal'>, kind: EntityKind, ids: readonly string[]): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  const unique = [...new Set(ids)];
  const collection = collectionFor(ctx.assignar, kind);
  const parts: number[][] = [];
  for (let i = 0; i < unique.length; i += 200) parts.push(unique.slice(i, i + 200).map(Number));
  // At once: the client's limits pace them.
  const pages = await Promise.all(parts.map((part) => collection.listPage({ filter: { id: { in: part } }, pageSize: part.length }, undefined, { signal: ctx.signal })));
  for (const page of pages) for (const r of page.items) out.set(String(r.id), r as Row);
  return out;
}

/** Assignar users by id: the workers' case of assignarById. */
export function usersById(ctx: Pick<SyncContext, 'assignar' | 'signal'>, ids: readonly string[]): Promise<Map<string, Row>> {
  return assignarById(ctx, 'worker', ids);
}
