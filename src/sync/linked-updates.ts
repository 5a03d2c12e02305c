import type { EntityKind } from '../config/schema';
import type { JsonObject, Link } from '../ledger';
import { assignarHash, canonicalJson, comparable, comparableFields, type AnyPayload, type MapOk } from '../mapping';
import { assignarRecordsById } from './assignar-by-id';
import type { OutcomeSink } from './outcome-sink';
import type { SyncContext } from './sync-context';

export type LinkedWrite =
  | { action: 'update'; mapped: MapOk<AnyPayload>; assignarId: string; outcome: 'updated'; details?: Record<string, unknown> }
  | { action: 'create'; mapped: MapOk<AnyPayload>; details?: Record<string, unknown> };

/**
 * Before Sage Intacct's changes go to linked records, looks at what Assignar holds now: a record someone
 * edited or deleted in Assignar since our last write is drift. Under `hold` it is held (both versions in
 * the details) and left untouched, so no Assignar edit is lost behind an operator's back; under
 * `overwrite` Sage Intacct wins (a deleted record is recreated) and the outcome says what was replaced.
 */
export async function planLinkedUpdates(ctx: SyncContext, kind: EntityKind, items: ReadonlyArray<{ mapped: MapOk<AnyPayload>; link: Link }>, sink: OutcomeSink): Promise<LinkedWrite[]> {
  if (items.length === 0) return [];
  const policy = ctx.connection.entities[kind].drift;
  const fields = comparableFields(kind, ctx.connection);
  const current = await assignarRecordsById(ctx.assignar, kind, items.map((i) => i.link.assignarId), fields, { signal: ctx.signal, progress: () => ctx.progress() });
  const out: LinkedWrite[] = [];
  const holds: Array<{ link: Link; reason: string }> = [];
  for (const { mapped, link } of items) {
    const record = current.get(link.assignarId);
    const reactivating = link.status === 'deactivated';
    if (!record) {
      const reason = `deleted in Assignar (was ${link.assignarId})`;
      if (policy === 'hold') {
        holds.push({ link, reason: `${reason}; held for the true-up` });
        sink.add({
          kind, recordKey: mapped.sageKey, sageId: mapped.readableId, assignarId: link.assignarId, outcome: 'held',
          reason: `${reason}; Sage Intacct changed too, and both wait for the true-up (\`intacct-assignar links release --kind ${kind} --key ${mapped.readableId} --overwrite\` recreates it)`,
          details: { change: 'deleted', sage: mapped.payload as unknown as JsonObject },
        });
      } else out.push({ action: 'create', mapped, details: { recreated: true, previousId: link.assignarId } });
      continue;
    }
    // No hash: released with --overwrite, or never written. Deactivated by us: `active` differs on purpose.
    if (link.contentHash === null || reactivating || assignarHash(record, kind, ctx.connection, link.payload) === link.contentHash) {
      out.push({ action: 'update', mapped, assignarId: link.assignarId, outcome: 'updated', details: reactivating ? { reactivated: true } : undefined });
      continue;
    }
    const inAssignar = comparable(record, kind, ctx.connection);
    const changed = changedFields(inAssignar, link.payload ?? {});
    if (policy === 'overwrite') {
      out.push({ action: 'update', mapped, assignarId: link.assignarId, outcome: 'updated', details: { overwroteAssignarEdits: changed } });
      continue;
    }
    const reason = `edited in Assignar (${changed.join(', ')}) and changed in Sage Intacct; held for the true-up`;
    holds.push({ link, reason });
    sink.add({
      kind, recordKey: mapped.sageKey, sageId: mapped.readableId, assignarId: link.assignarId, outcome: 'held',
      reason: `${reason} (\`intacct-assignar links release --kind ${kind} --key ${mapped.readableId}\` keeps Assignar's values, add --overwrite for Sage Intacct's)`,
      details: { change: 'edited', fields: changed, sage: mapped.payload as unknown as JsonObject, assignar: inAssignar as JsonObject, lastWritten: link.payload },
    });
  }
  if (!ctx.dryRun) {
    for (const h of holds) await ctx.ledger.markLinks(ctx.connection.id, kind, [h.link.sageKey], { status: 'held', reason: h.reason });
  }
  return out;
}

/** The fields we wrote that Assignar now holds differently (every field when nothing written is known). */
export function changedFields(current: Record<string, unknown>, written: JsonObject): string[] {
  const keys = new Set(Object.keys(written).length > 0 ? Object.keys(written) : Object.keys(current));
  return [...keys].filter((k) => canonicalJson(current[k] ?? null) !== canonicalJson((written[k] as unknown) ?? null)).sort();
}
