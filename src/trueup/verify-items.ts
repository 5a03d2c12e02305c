import type { EntityKind } from '../config/schema';
import type { TrueupPlanItem } from '../ledger';
import { assignarHash, CATALOG, SYNC_ORDER } from '../mapping';
import type { SyncContext } from '../sync/sync-context';
import { assignarById } from './apply-items';

export interface VerifyResult {
  verified: number;
  failed: number;
  more: boolean;
}

/**
 * Checks a batch of applied items against both systems, as they are now: a link, overwrite or recreate
 * has an active link whose Assignar record exists, is active and holds what was written; a create-in-sage
 * the same (its link found by the Assignar worker, as the item names no employee) and its Sage Intacct
 * employee exists; an accept's baseline is Assignar's current record; a deactivated record is inactive or
 * gone. Each item ends verified, or failed with what was found (approve it again to re-apply).
 */
export async function verifyTrueupBatch(ctx: SyncContext, trueupId: string, size: number): Promise<VerifyResult> {
  const conn = ctx.connection.id;
  const items = await ctx.ledger.listTrueupItems(conn, trueupId, { states: ['applied'], limit: size });
  if (items.length === 0) return { verified: 0, failed: 0, more: false };
  const ok: string[] = [];
  const bad = new Map<string, string>();
  for (const kind of SYNC_ORDER) {
    const mine = items.filter((i) => i.kind === kind);
    if (mine.length > 0) await verifyKind(ctx, kind, mine, ok, bad);
  }
  if (ok.length > 0) await ctx.ledger.markTrueupItems(conn, trueupId, ok, { state: 'verified' });
  for (const [itemId, reason] of bad) await ctx.ledger.markTrueupItems(conn, trueupId, [itemId], { state: 'failed', reason: `verification: ${reason}` });
  return { verified: ok.length, failed: bad.size, more: true };
}

async function verifyKind(ctx: SyncContext, kind: EntityKind, items: readonly TrueupPlanItem[], ok: string[], bad: Map<string, string>): Promise<void> {
  const conn = ctx.connection.id;
  const cat = CATALOG[kind];
  const noun = `Assignar ${cat.assignarType.replace(/s$/, '')}`;
  const links = new Map((await ctx.ledger.getLinksBySageKeys(conn, kind, items.flatMap((i) => (i.sageKey ? [i.sageKey] : [])))).map((l) => [l.sageKey, l]));
  const creates = items.filter((i) => i.action === 'create-in-sage' && i.assignarId).map((i) => i.assignarId!);
  const createdLinks = new Map(
    (creates.length > 0 ? await ctx.ledger.getLinksByAssignarIds(conn, kind, creates) : []).filter((l) => l.status !== 'deactivated').map((l) => [l.assignarId, l]),
  );
  const createdKeys = [...createdLinks.values()].map((l) => l.sageKey);
  const created = new Set(
    createdKeys.length > 0 ? (await ctx.sage.read(cat.sageObject, createdKeys, ['RECORDNO', cat.sageIdField], { signal: ctx.signal })).records.map((r) => String(r.RECORDNO)) : [],
  );
  const records = await assignarById(ctx, kind, [...items.flatMap((i) => (i.assignarId ? [i.assignarId] : [])), ...[...links.values(), ...createdLinks.values()].map((l) => l.assignarId)]);
  for (const item of items) {
    if (item.action === 'deactivate-duplicate' || item.action === 'deactivate-orphan') {
      const r = item.assignarId ? records.get(item.assignarId) : undefined;
      if (!r || r.active === false) ok.push(item.itemId);
      else bad.set(item.itemId, `${noun} ${item.assignarId} is active again`);
      continue;
    }
    const isCreate = item.action === 'create-in-sage';
    const link = isCreate ? createdLinks.get(item.assignarId ?? '') : item.sageKey ? links.get(item.sageKey) : undefined;
    if (!link || link.status !== 'active') {
      const what = isCreate ? `the Sage Intacct employee created for Assignar worker ${item.assignarId}` : `Sage Intacct ${cat.sageObject} ${item.sageId}`;
      bad.set(item.itemId, `${what} has no active link (${link ? link.status : 'none'})`);
      continue;
    }
    if (isCreate && !created.has(link.sageKey)) {
      bad.set(item.itemId, `Sage Intacct employee ${link.sageId}, created for Assignar worker ${item.assignarId}, no longer exists`);
      continue;
    }
    const r = records.get(link.assignarId);
    if (!r) bad.set(item.itemId, `its ${noun} ${link.assignarId} no longer exists`);
    else if (item.action !== 'accept' && r.active === false) bad.set(item.itemId, `its ${noun} ${link.assignarId} is inactive`);
    else if (link.contentHash !== null && assignarHash(r, kind, ctx.connection, link.payload) !== link.contentHash) bad.set(item.itemId, `${noun} ${link.assignarId} no longer holds what was written (edited since?)`);
    else ok.push(item.itemId);
  }
}
