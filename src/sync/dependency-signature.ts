import type { EntityKind } from '../config/schema';
import type { Link } from '../ledger';
import { canonicalJson } from '../mapping';
import type { SyncContext } from './sync-context';

/** Payload fields that carry the Assignar id of another linked record. */
const REFERENCES: Partial<Record<EntityKind, ReadonlyArray<{ kind: EntityKind; field: string }>>> = {
  project: [{ kind: 'client', field: 'client_id' }],
  workOrder: [
    { kind: 'project', field: 'project_id' },
    { kind: 'client', field: 'client_id' },
  ],
};

/**
 * For each payload, a signature of the links it refers to (their Assignar ids, status and last write).
 * A write Assignar refused for good is sent again once this changes: the client it needed was
 * reactivated, recreated or rewritten. Null for kinds that refer to nothing.
 */
export async function dependencySignatures(ctx: SyncContext, kind: EntityKind, payloads: ReadonlyArray<Record<string, unknown>>): Promise<Array<string | null>> {
  const refs = REFERENCES[kind];
  if (!refs || payloads.length === 0) return payloads.map(() => null);
  const links = new Map<EntityKind, Map<string, Link>>();
  for (const ref of refs) {
    const ids = [...new Set(payloads.map((p) => p[ref.field]).filter((v) => v !== undefined && v !== null).map(String))];
    const found = ids.length ? await ctx.ledger.getLinksByAssignarIds(ctx.connection.id, ref.kind, ids) : [];
    links.set(ref.kind, new Map(found.map((l) => [l.assignarId, l])));
  }
  return payloads.map((p) =>
    canonicalJson(
      refs.map((ref) => {
        const id = p[ref.field] === undefined || p[ref.field] === null ? null : String(p[ref.field]);
        const link = id === null ? undefined : links.get(ref.kind)?.get(id);
        return [ref.field, id, link?.status ?? null, link?.updatedAt ?? null];
      }),
    ),
  );
}
