import { ENTITY_KINDS, type ConnectionConfig, type EntityKind } from '../config/schema';
import { SYNC_STREAMS, type SyncObject } from '../contracts/sync';
import type { WatermarkInput } from '../ledger';
import type { SyncContext } from './sync-context';
import { CHANGES_STREAM, DELETIONS_KEY, DELETIONS_STREAM, SCOPE_STREAM } from './watermarks';
import { scopeHash } from './scope';

/**
 * Which shared watermarks a run over `kinds` may move. A changes watermark belongs to a Sage object and
 * serves every kind read from it (ITEM: roles and assets); the deletions watermark (AUDITHISTORY) serves
 * every kind. Each moves only when the run covered every enabled kind it serves, so a run over a subset
 * (`entities: ["role"]`) never skips the others' changes; the next full run re-reads from the older mark.
 */
export function coveredWatermarks(connection: ConnectionConfig, kinds: readonly EntityKind[]): { objects: SyncObject[]; deletions: boolean } {
  const enabled = (k: EntityKind) => connection.entities[k].enabled;
  const covers = (served: readonly EntityKind[]) => served.some((k) => kinds.includes(k)) && served.filter(enabled).every((k) => kinds.includes(k));
  return {
    objects: SYNC_STREAMS.filter((s) => covers(s.kinds)).map((s) => s.object),
    deletions: covers(ENTITY_KINDS),
  };
}

/**
 * After a complete real run: the next sync reads changes and deletions from this run's start (minus the
 * lookback) for what this run covered, and the scope each kind was synced with becomes the baseline for
 * retroactive filters.
 */
export async function commitWatermarks(ctx: Pick<SyncContext, 'connection' | 'ledger'>, startedAt: string, kinds: readonly EntityKind[]): Promise<void> {
  const { objects, deletions } = coveredWatermarks(ctx.connection, kinds);
  const rows: WatermarkInput[] = [
    ...objects.map((object) => ({ connection: ctx.connection.id, kind: object, stream: CHANGES_STREAM, at: startedAt })),
    ...(deletions ? [{ connection: ctx.connection.id, kind: DELETIONS_KEY, stream: DELETIONS_STREAM, at: startedAt }] : []),
    ...kinds.map((kind) => ({ connection: ctx.connection.id, kind, stream: SCOPE_STREAM, at: startedAt, cursor: scopeHash(kind, ctx.connection) })),
  ];
  await ctx.ledger.setWatermarks(rows);
}
