import type { EntityKind } from '../config/schema';
import type { Link } from '../ledger';
import type { LinkLookup } from '../mapping';
import type { SyncContext } from './sync-context';

/** Which Sage field of a kind's records names a record of another kind that must already be linked. */
const REFERENCES: Partial<Record<EntityKind, Array<{ kind: EntityKind; field: string }>>> = {
  project: [{ kind: 'client', field: 'CUSTOMERID' }],
  workOrder: [{ kind: 'project', field: 'PROJECTID' }],
};

/**
 * Loads, in one ledger query per referenced kind, the links a page of records refers to (a project's
 * client, a work order's project) and answers the mapping's lookups from them. Only usable links count:
 * a deactivated or failed client means the project's customer is out of scope.
 */
export async function linkLookupFor(ctx: SyncContext, kind: EntityKind, records: ReadonlyArray<Record<string, unknown>>): Promise<LinkLookup> {
  const byKind = new Map<EntityKind, Map<string, Link>>();
  for (const ref of REFERENCES[kind] ?? []) {
    const ids = [...new Set(records.map((r) => r[ref.field]).filter((v): v is string => typeof v === 'string' && v !== ''))];
    const links = ids.length ? await ctx.ledger.getLinksBySageIds(ctx.connection.id, ref.kind, ids) : [];
    byKind.set(ref.kind, new Map(links.filter((l) => l.status !== 'deactivated').map((l) => [l.sageId, l])));
  }
  return {
    assignarIdFor(refKind, sageReadableId) {
      return byKind.get(refKind)?.get(sageReadableId)?.assignarId;
    },
    projectClientId(projectId) {
      const payload = byKind.get('project')?.get(projectId)?.payload;
      const clientId = payload?.client_id;
      return typeof clientId === 'number' || typeof clientId === 'string' ? clientId : undefined;
    },
  };
}
