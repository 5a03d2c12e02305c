import { assignarHash } from '../mapping';
import type { SyncContext } from '../sync/sync-context';
import { usersById } from './apply-items';

export interface VerifyResult {
  verified: number;
  failed: number;
  more: boolean;
}

/**
 * Checks a batch of applied items against both systems, as they are now: a link, overwrite or recreate
 * has an active link whose Assignar worker exists, is active and holds what was written; an accept's
 * baseline is Assignar's current record; a deactivated worker is inactive or gone. Each item ends verified,
 * or failed with what was found (approve it again to re-apply).
 */
export async function verifyTrueupBatch(ctx: SyncContext, trueupId: string, size: number): Promise<VerifyResult> {
  const conn = ctx.connection.id;
  const items = await ctx.ledger.listTrueupItems(conn, trueupId, { states: ['applied'], limit: size });
  if (items.length === 0) return { verified: 0, failed: 0, more: false };
  const links = new Map((await ctx.ledger.getLinksBySageKeys(conn, 'worker', items.flatMap((i) => (i.sageKey ? [i.sageKey] : [])))).map((l) => [l.sageKey, l]));
  const users = await usersById(ctx, [...items.flatMap((i) => (i.assignarId ? [i.assignarId] : [])), ...[...links.values()].map((l) => l.assignarId)]);
  const ok: string[] = [];
  const bad = new Map<string, string>();
  for (const item of items) {
    if (item.action === 'deactivate-duplicate' || item.action === 'deactivate-orphan') {
      const u = item.assignarId ? users.get(item.assignarId) : undefined;
      if (!u || u.active === false) ok.push(item.itemId);
      else bad.set(item.itemId, `Assignar worker ${item.assignarId} is active again`);
      continue;
    }
    const link = item.sageKey ? links.get(item.sageKey) : undefined;
    if (!link || link.status !== 'active') {
      bad.set(item.itemId, `Sage Intacct employee ${item.sageId} has no active link (${link ? link.status : 'none'})`);
      continue;
    }
    const u = users.get(link.assignarId);
    if (!u) bad.set(item.itemId, `its Assignar worker ${link.assignarId} no longer exists`);
    else if (item.action !== 'accept' && u.active === false) bad.set(item.itemId, `its Assignar worker ${link.assignarId} is inactive`);
    else if (link.contentHash !== null && assignarHash(u, 'worker', ctx.connection, link.payload) !== link.contentHash) bad.set(item.itemId, `Assignar worker ${link.assignarId} no longer holds what was written (edited since?)`);
    else ok.push(item.itemId);
  }
  if (ok.length > 0) await ctx.ledger.markTrueupItems(conn, trueupId, ok, { state: 'verified' });
  for (const [itemId, reason] of bad) await ctx.ledger.markTrueupItems(conn, trueupId, [itemId], { state: 'failed', reason: `verification: ${reason}` });
  return { verified: ok.length, failed: bad.size, more: true };
}
