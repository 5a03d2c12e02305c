import { deactivationPayload, mapRecord, selectFieldsFor } from '../mapping';
import { isConnectionFailure } from '../errors';
import { describeError } from '../sync/describe-error';
import { applyMapped } from '../sync/apply-records';
import { OutcomeSink } from '../sync/outcome-sink';
import { releaseLink } from '../sync/release-link';
import type { SyncContext } from '../sync/sync-context';

type Row = Readonly<Record<string, unknown>>;

export interface WaveResult {
  applied: number;
  failed: number;
  /** False when no approved item was left: the apply phase is over. */
  more: boolean;
}

const SUCCESS = new Set(['created', 'updated', 'adopted', 'unchanged']);

/**
 * Applies the next wave of approved items (approved for the content they have now). Each item's effect is
 * idempotent, so a wave redone after a crash repeats nothing: a link already made is made again, a write
 * whose content is already there is `unchanged`. Writes go through the sync engine (the same rate limits,
 * adoption instead of duplicates, outcomes in the ledger) with Sage Intacct winning: the operator approved
 * exactly that. An item's own refusal fails that item with the reason; a failure of the connection fails
 * the wave (the activity retries it).
 */
export async function applyTrueupWave(syncCtx: SyncContext, trueupId: string, size: number): Promise<WaveResult> {
  const conn = syncCtx.connection.id;
  const items = await syncCtx.ledger.listApprovedTrueupItems(conn, trueupId, { limit: size });
  if (items.length === 0) return { applied: 0, failed: 0, more: false };
  // What the operator approved is Sage Intacct's version: apply it under `overwrite` whatever the policy.
  const ctx: SyncContext = { ...syncCtx, connection: { ...syncCtx.connection, entities: { ...syncCtx.connection.entities, worker: { ...syncCtx.connection.entities.worker, drift: 'overwrite' } } } };
  const failures = new Map<string, string>();
  const done = new Set<string>();

  const byAction = (...actions: string[]) => items.filter((i) => actions.includes(i.action));
  const users = await usersById(ctx, items.flatMap((i) => (i.assignarId ? [i.assignarId] : [])));

  // Writes from Sage Intacct: link, overwrite, recreate.
  const writes = byAction('link', 'overwrite', 'recreate').filter((i) => i.sageKey);
  if (writes.length > 0) {
    const read = await ctx.sage.read('EMPLOYEE', writes.map((i) => i.sageKey!), selectFieldsFor('worker', ctx.connection), { signal: ctx.signal });
    const employees = new Map(read.records.map((r) => [String(r.RECORDNO), r as Row]));
    const mapped = [];
    for (const item of writes) {
      const e = employees.get(item.sageKey!);
      if (!e) {
        failures.set(item.itemId, `Sage Intacct employee ${item.sageId} no longer exists; the next re-diff drops this item`);
        continue;
      }
      if (item.action === 'link' || (item.assignarId && users.has(item.assignarId))) {
        if (!item.assignarId || !users.has(item.assignarId)) {
          failures.set(item.itemId, `Assignar worker ${item.assignarId} no longer exists; the next re-diff proposes what to do instead`);
          continue;
        }
        // No hash: the sync engine writes Sage Intacct's values over whatever Assignar holds.
        await ctx.ledger.upsertLinks([{ connection: conn, kind: 'worker', sageKey: item.sageKey!, sageId: item.sageId ?? String(e.EMPLOYEEID), assignarId: item.assignarId, contentHash: null, status: 'active' }]);
      }
      mapped.push(mapRecord('worker', e, { config: ctx.connection, defaults: ctx.defaults, assignarIdFor: () => undefined }));
    }
    const sink = new OutcomeSink(ctx);
    await applyMapped(ctx, 'worker', mapped, sink);
    await sink.flush();
    const outcomes = new Map((await ctx.ledger.getOutcomes(ctx.runId, 'worker', writes.map((i) => i.sageKey!))).map((o) => [o.recordKey, o]));
    for (const item of writes) {
      if (failures.has(item.itemId)) continue;
      const o = outcomes.get(item.sageKey!);
      if (o && SUCCESS.has(o.outcome)) done.add(item.itemId);
      else failures.set(item.itemId, o?.reason ?? `no outcome was recorded for Sage Intacct employee ${item.sageId}`);
    }
  }

  for (const item of byAction('accept')) {
    try {
      await releaseLink({ connection: ctx.connection, ledger: ctx.ledger, assignar: ctx.assignar }, { kind: 'worker', key: item.sageKey ?? '', mode: 'accept', by: `true-up ${trueupId}` });
      done.add(item.itemId);
    } catch (err) {
      if (isConnectionFailure(err)) throw err;
      failures.set(item.itemId, describeError(err));
    }
  }

  for (const item of byAction('deactivate-duplicate', 'deactivate-orphan')) {
    const user = item.assignarId ? users.get(item.assignarId) : undefined;
    if (!user || user.active === false) {
      done.add(item.itemId); // already gone or inactive: the goal holds
      continue;
    }
    try {
      await ctx.assignar.users.update(item.assignarId!, deactivationPayload('worker', user) as never, { signal: ctx.signal });
      const linked = await ctx.ledger.getLinksByAssignarIds(conn, 'worker', [item.assignarId!]);
      for (const l of linked) await ctx.ledger.markLinks(conn, 'worker', [l.sageKey], { status: 'deactivated', reason: `deactivated by true-up ${trueupId}: ${item.summary}` });
      done.add(item.itemId);
    } catch (err) {
      if (isConnectionFailure(err)) throw err;
      failures.set(item.itemId, `Assignar refused to deactivate worker ${item.assignarId}: ${describeError(err)}`);
    }
  }

  for (const item of byAction('create-in-sage')) {
    failures.set(item.itemId, 'creating Sage Intacct employees from Assignar workers is not available in this version: create the employee in Sage Intacct with the worker’s email, then the next re-diff proposes a link');
  }

  if (done.size > 0) await ctx.ledger.markTrueupItems(conn, trueupId, [...done], { state: 'applied' });
  for (const [itemId, reason] of failures) await ctx.ledger.markTrueupItems(conn, trueupId, [itemId], { state: 'failed', reason });
  syncCtx.progress({ applied: done.size, failed: failures.size });
  return { applied: done.size, failed: failures.size, more: true };
}

/** Assignar users by id (one list call per 200), as the API shows them now; deleted ones are absent. */
export async function usersById(ctx: Pick<SyncContext, 'assignar' | 'signal'>, ids: readonly string[]): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 200) {
    const part = unique.slice(i, i + 200).map(Number);
    const page = await ctx.assignar.users.listPage({ filter: { id: { in: part } }, pageSize: part.length }, undefined, { signal: ctx.signal });
    for (const u of page.items) out.set(String(u.id), u as Row);
  }
  return out;
}
