import type { EntityKind } from '../config/schema';
import type { PageResult } from '../contracts/sync';
import type { Link, PendingDeactivation } from '../ledger';
import { deactivateLinks } from './deactivate';
import { OutcomeSink } from './outcome-sink';
import type { SyncContext } from './sync-context';

const CONFIRM_HINT = 'run `intacct-assignar sync --confirm-deactivations` to apply them';

/**
 * The end of a sync, per kind: decides every deactivation the run staged. When they are more than the
 * configured share of the kind's linked records (and at least the configured number), none is applied:
 * they are held, with the reason, until an operator confirms (`confirm`), and the run says so. Held ones
 * from earlier runs stay held until then. Records that came back in scope were dropped when applied.
 */
export async function applyDeactivations(ctx: SyncContext, kind: EntityKind, confirm: boolean): Promise<PageResult> {
  const sink = new OutcomeSink(ctx);
  const pending = await ctx.ledger.listPendingDeactivations(ctx.connection.id, kind, ctx.runId);
  if (pending.length === 0) return { nextCursor: null, counts: {} };

  const links = new Map((await ctx.ledger.getLinksBySageKeys(ctx.connection.id, kind, pending.map((p) => p.sageKey))).map((l) => [l.sageKey, l]));
  const live = pending.filter((p) => links.get(p.sageKey) && links.get(p.sageKey)!.status !== 'deactivated');
  const staged = live.filter((p) => p.state === 'staged');
  const heldBefore = live.filter((p) => p.state === 'held');

  const linkCounts = (await ctx.ledger.linkCounts(ctx.connection.id))[kind] ?? {};
  const linked = (linkCounts.active ?? 0) + (linkCounts.drifted ?? 0) + (linkCounts.held ?? 0);
  const guard = ctx.connection.sync.deactivationGuard;
  const trips = !confirm && staged.length >= guard.minRecords && staged.length > guard.maxShare * linked;
  const apply = confirm ? live : trips ? [] : staged;
  const hold = confirm ? [] : trips ? live : heldBefore;

  const notices: string[] = [];
  const share = (n: number) => (linked ? Math.round((1000 * n) / linked) / 10 : 100);
  if (trips) {
    notices.push(
      `${kind}: ${staged.length} of ${linked} linked records (${share(staged.length)} %) would be deactivated in one run, above the guard's ${guard.maxShare * 100} %; none was deactivated${ctx.dryRun ? ' (dry run)' : ''}: ${CONFIRM_HINT}`,
    );
  } else if (hold.length) notices.push(`${kind}: ${hold.length} deactivations are still held by the mass-change guard: ${CONFIRM_HINT}`);

  const guardReason = (p: PendingDeactivation) =>
    trips && p.state === 'staged'
      ? `${p.reason}; held by the mass-change guard: this run would deactivate ${staged.length} of ${linked} linked ${kind} records (${share(staged.length)} %); ${CONFIRM_HINT}`
      : `${p.reason}; held by the mass-change guard since ${p.createdAt}; ${CONFIRM_HINT}`;
  for (const p of hold) {
    const link = links.get(p.sageKey) as Link;
    sink.add({ kind, recordKey: p.sageKey, sageId: link.sageId, assignarId: link.assignarId, outcome: 'held', reason: guardReason(p), details: { deactivation: 'held', dryRun: ctx.dryRun } });
  }
  await sink.flush();
  if (!ctx.dryRun && trips) await ctx.ledger.holdDeactivations(ctx.connection.id, ctx.runId, kind, staged.map((p) => p.sageKey));

  await deactivateLinks(ctx, kind, apply.map((p) => ({ link: links.get(p.sageKey) as Link, reason: p.reason })), sink);

  if (ctx.dryRun) await ctx.ledger.dropStagedDeactivations(ctx.connection.id, ctx.runId, kind);
  else {
    // Applied (a failed one is a failing record now, re-read and staged again by the next sync), or moot.
    const done = [...apply, ...pending.filter((p) => !live.includes(p))].map((p) => p.sageKey);
    await ctx.ledger.clearPendingDeactivations(ctx.connection.id, kind, done);
  }
  return { nextCursor: null, counts: await sink.flush(), notices };
}
