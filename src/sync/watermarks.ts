import type { SyncContext } from './sync-context';

/**
 * Watermark streams in the ledger: per Sage object for changes, one for deletions, per kind for scope. A
 * changes or deletions mark is only committed by a run that covered every enabled kind it serves
 * (commit-watermarks.ts), so reading from it never skips a change for any kind.
 */
export const CHANGES_STREAM = 'changes';
export const DELETIONS_STREAM = 'deletions';
export const DELETIONS_KEY = 'AUDITHISTORY';
export const SCOPE_STREAM = 'scope';

/**
 * The instant from which to read: the last committed watermark minus the lookback window (Sage Intacct
 * is eventually consistent, so a record saved just before the previous sync may only show up now).
 * Undefined when there is no watermark yet: read everything.
 */
export async function readFrom(ctx: SyncContext, key: string, stream: string): Promise<Date | undefined> {
  const mark = await ctx.ledger.getWatermark(ctx.connection.id, key, stream);
  if (!mark) return undefined;
  return new Date(Date.parse(mark.at) - ctx.connection.sync.lookbackMinutes * 60_000);
}
