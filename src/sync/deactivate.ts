import type { EntityKind } from '../config/schema';
import type { Link } from '../ledger';
import { deactivationPayload } from '../mapping';
import { collectionFor } from './assignar-collection';
import { isConnectionFailure } from '../errors';
import { describeError, isRetryableError } from './describe-error';
import type { OutcomeSink } from './outcome-sink';
import { PageRetryError } from './apply-records';
import { GIVE_UP_AFTER_ATTEMPT, type SyncContext } from './sync-context';

/**
 * Deactivates (never deletes) the Assignar records of these links, whose Sage records turned inactive,
 * left the filter or were deleted (applyDeactivations decides which). The body carries the fields
 * Assignar requires on every PUT, taken from the payload last written; it changes nothing but `active`,
 * so a held link's Assignar edits survive it.
 */
export async function deactivateLinks(ctx: SyncContext, kind: EntityKind, targets: ReadonlyArray<{ link: Link; reason: string }>, sink: OutcomeSink): Promise<void> {
  const todo = targets.filter((t) => t.link.status !== 'deactivated');
  if (todo.length === 0) return;
  if (ctx.dryRun) {
    for (const t of todo) sink.add({ kind, recordKey: t.link.sageKey, sageId: t.link.sageId, assignarId: t.link.assignarId, outcome: 'deactivated', reason: t.reason, details: { dryRun: true } });
    return;
  }
  const results = await collectionFor(ctx.assignar, kind).updateMany(
    todo.map((t) => ({ id: Number(t.link.assignarId), body: deactivationPayload(kind, t.link.payload ?? {}) })),
    { signal: ctx.signal, onSettled: () => ctx.progress() },
  );
  const done: typeof todo = [];
  let retryLater: unknown;
  let connectionFailure: unknown;
  results.forEach((r, i) => {
    const t = todo[i];
    if (r.status === 'rejected' && isConnectionFailure(r.error)) connectionFailure ??= r.error;
    else if (r.status === 'fulfilled') {
      done.push(t);
      sink.add({ kind, recordKey: t.link.sageKey, sageId: t.link.sageId, assignarId: t.link.assignarId, outcome: 'deactivated', reason: t.reason });
    } else if (isRetryableError(r.error) && ctx.attempt < GIVE_UP_AFTER_ATTEMPT) retryLater ??= r.error;
    else sink.add({ kind, recordKey: t.link.sageKey, sageId: t.link.sageId, assignarId: t.link.assignarId, outcome: 'failed', reason: `could not deactivate Assignar ${kind} ${t.link.assignarId} (${t.reason}): ${describeError(r.error)}` });
  });
  for (const [reason, group] of groupBy(done, (t) => t.reason)) {
    await ctx.ledger.markLinks(ctx.connection.id, kind, group.map((t) => t.link.sageKey), { status: 'deactivated', reason });
  }
  await sink.flush();
  if (connectionFailure) throw connectionFailure;
  if (retryLater) throw new PageRetryError(`some ${kind} deactivations failed and will be retried: ${describeError(retryLater)}`, { cause: retryLater });
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}
