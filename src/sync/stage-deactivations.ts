import type { EntityKind } from '../config/schema';
import type { Link } from '../ledger';
import type { SyncContext } from './sync-context';

/**
 * Every deactivation path (a changed filter, a record turned inactive or out of scope, a deletion) only
 * stages its evidence here; the run decides them all at once at its end (applyDeactivations), so the
 * mass-change guard sees the whole run.
 */
export async function stageDeactivations(ctx: SyncContext, kind: EntityKind, targets: ReadonlyArray<{ link: Link; reason: string }>): Promise<void> {
  const todo = targets.filter((t) => t.link.status !== 'deactivated');
  if (todo.length === 0) return;
  await ctx.ledger.stageDeactivations(todo.map((t) => ({ connection: ctx.connection.id, runId: ctx.runId, kind, sageKey: t.link.sageKey, reason: t.reason })));
}
