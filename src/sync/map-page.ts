import type { EntityKind } from '../config/schema';
import type { SageRejectedRecord } from '../sage';
import { descriptorFor, type AnyPayload, type MapResult } from '../mapping';
import { linkLookupFor } from './link-lookup';
import type { OutcomeSink } from './outcome-sink';
import type { SyncContext } from './sync-context';

/** Maps a page of Sage records of one kind, with the links they refer to loaded in one query. */
export async function mapPage(ctx: SyncContext, kind: EntityKind, records: ReadonlyArray<Record<string, unknown>>): Promise<Array<MapResult<AnyPayload>>> {
  const d = descriptorFor(kind);
  const lookup = await linkLookupFor(ctx, kind, records);
  return records.map((r) => d.map(r, { config: ctx.connection, defaults: ctx.defaults, assignarIdFor: lookup.assignarIdFor, projectClientId: lookup.projectClientId }));
}

/** Records Sage Intacct returned that do not match the object's schema: failed, with the reason. */
export function recordRejected(kind: EntityKind, object: string, rejected: readonly SageRejectedRecord[], sink: OutcomeSink): void {
  for (const r of rejected) {
    sink.seen(kind);
    sink.add({
      kind,
      recordKey: r.recordNo ?? `unkeyed:${JSON.stringify(r.raw).slice(0, 80)}`,
      outcome: 'failed',
      reason: `${object} ${r.recordNo ? `RECORDNO ${r.recordNo}` : '(no RECORDNO)'} could not be read: ${r.reason}. Fix the record in Sage Intacct.`,
    });
  }
}
