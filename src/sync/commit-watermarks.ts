import type { EntityKind } from '../config/schema';
import type { WatermarkInput } from '../ledger';
import type { SyncContext } from './sync-context';
import { CHANGES_STREAM, DELETIONS_KEY, DELETIONS_STREAM, SCOPE_STREAM } from './watermarks';
import { scopeHash } from './scope';

/**
 * After a complete real run: the next sync reads changes and deletions from this run's start (minus the
 * lookback), and the scope each kind was synced with becomes the baseline for retroactive filters.
 */
export async function commitWatermarks(ctx: Pick<SyncContext, 'connection' | 'ledger'>, startedAt: string, objects: readonly string[], kinds: readonly EntityKind[]): Promise<void> {
  const rows: WatermarkInput[] = [
    ...objects.map((object) => ({ connection: ctx.connection.id, kind: object, stream: CHANGES_STREAM, at: startedAt })),
    { connection: ctx.connection.id, kind: DELETIONS_KEY, stream: DELETIONS_STREAM, at: startedAt },
    ...kinds.map((kind) => ({ connection: ctx.connection.id, kind, stream: SCOPE_STREAM, at: startedAt, cursor: scopeHash(kind, ctx.connection) })),
  ];
  await ctx.ledger.setWatermarks(rows);
}
